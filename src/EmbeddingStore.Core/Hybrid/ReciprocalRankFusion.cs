// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Core.Hybrid;

/// <summary>
/// Weighted reciprocal-rank fusion of two ranked lists of ids: <c>score(d) = Σ wᵢ / (k + rankᵢ(d))</c> over the lists
/// holding d, ranks from 1 (Cormack, Clarke and Büttcher, "Reciprocal Rank Fusion outperforms Condorcet and individual
/// rank learning methods", SIGIR 2009, with k = 60). Plain ids in, plain values out, so the fusion is the same wherever the
/// lists were produced.
/// </summary>
public static class ReciprocalRankFusion
{
    /// <summary>The rank constant Cormack et al. found robust across collections.</summary>
    public const int DefaultRankConstant = 60;

    /// <summary>
    /// Fuses the lists (each best first, ids distinct within a list) into the best <paramref name="k"/> entries, highest
    /// fused score first; equal scores are ordered by id (ordinal) so the answer never depends on hashing.
    /// </summary>
    public static IReadOnlyList<FusedRank> Fuse(
        IReadOnlyList<string> first, double firstWeight, IReadOnlyList<string> second, double secondWeight, int rankConstant, int k)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        ArgumentOutOfRangeException.ThrowIfLessThan(rankConstant, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        var ranks = new Dictionary<string, (int? First, int? Second)>(StringComparer.Ordinal);
        for (int i = 0; i < first.Count; i++)
        {
            ranks.TryAdd(first[i], (i + 1, null));
        }

        for (int i = 0; i < second.Count; i++)
        {
            ranks[second[i]] = ranks.TryGetValue(second[i], out (int? First, int? Second) seen)
                ? (seen.First, seen.Second ?? i + 1)
                : (null, i + 1);
        }

        var fused = new List<FusedRank>(ranks.Count);
        foreach ((string id, (int? a, int? b)) in ranks)
        {
            double score = (a is { } ra ? firstWeight / (rankConstant + ra) : 0) + (b is { } rb ? secondWeight / (rankConstant + rb) : 0);
            fused.Add(new FusedRank(id, score, a, b));
        }

        fused.Sort(static (x, y) => x.Score != y.Score ? y.Score.CompareTo(x.Score) : string.CompareOrdinal(x.Id, y.Id));
        return fused.Count > k ? fused.GetRange(0, k) : fused;
    }
}
