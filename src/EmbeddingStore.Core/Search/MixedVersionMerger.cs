// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Vectors;

namespace EmbeddingStore.Core.Search;

/// <summary>
/// Merges the candidate lists of a search over several versions into one ranking on the primary version's scale. A pure
/// function of plain values (the plans, each plan's candidates, and the collection's item count), so a coordinator over
/// shards merges exactly as a single process does.
/// </summary>
/// <remarks>
/// Measured on the shared MiniLM→Arctic data, ranks carry what the two models actually share: their scores agree only
/// loosely (the old model recovers a quarter of the new model's top-10), so any calibration from score to score either
/// lets mediocre native candidates crowd out the other version's best (regression shrinks towards the mean) or the
/// reverse (moment matching). docs/harmonic-bridges.md has the table.
/// </remarks>
public static class MixedVersionMerger
{
    /// <summary>How many candidates each plan should supply so that k distinct items survive de-duplication.</summary>
    public static int CandidatesPerPlan(int k, int plans) => plans <= 1 ? k : k * plans;

    /// <summary>
    /// The merged top <paramref name="k"/>. The reference plan (the primary version searched natively, else a single-hop
    /// bridge, else the first) keeps its scores, and so does every plan in the reference's own space (joined to it by
    /// identity links: its scores are already comparable, and placing them by rank share would rank a poor match above an
    /// exact one). Every other plan's candidates are placed by rank, in proportion to each version's share of the items
    /// and stretched by this query's agreement between the rankings. An item found in several plans is returned once: from
    /// the reference plan, else a native plan, else a bridged one, and at equal standing the higher score; an item the reference
    /// version holds is judged by it alone. Every score stays inside the reference metric's range.
    /// </summary>
    public static List<MergedHit> Merge(IReadOnlyList<VersionPlan> plans, IReadOnlyList<CandidateList> lists, long itemCount, int k)
    {
        ArgumentNullException.ThrowIfNull(plans);
        ArgumentNullException.ThrowIfNull(lists);
        if (plans.Count != lists.Count)
        {
            throw new ArgumentException($"{plans.Count} plans but {lists.Count} candidate lists.", nameof(lists));
        }

        if (plans.Count == 1)
        {
            var single = new List<MergedHit>(Math.Min(k, lists[0].Candidates.Count));
            foreach (Candidate c in lists[0].Candidates.Take(k))
            {
                float score = ScoreMapping.ClampToRange(plans[0].Metric, c.Score);
                single.Add(new MergedHit(0, c.Id, score, score, plans[0].Via ?? c.DerivedVia));
            }

            return single;
        }

        int reference = -1;
        for (int p = 0; p < plans.Count && reference < 0; p++)
        {
            if (plans[p].IsPrimaryNative)
            {
                reference = p;
            }
        }

        for (int p = 0; p < plans.Count && reference < 0; p++)
        {
            if (plans[p].Via is { } via && !via.Contains(',', StringComparison.Ordinal))
            {
                reference = p;
            }
        }

        reference = Math.Max(reference, 0);
        var best = new Dictionary<string, (MergedHit Hit, int Standing)>(StringComparer.Ordinal);
        for (int p = 0; p < plans.Count; p++)
        {
            int standing = p == reference ? 0 : plans[p].Via is null ? 1 : 2;
            bool sameSpace = string.Equals(plans[p].Space, plans[reference].Space, StringComparison.Ordinal);
            IEnumerable<(Candidate Candidate, float Score)> placed = p == reference
                ? lists[p].Candidates.Select(c => (c, c.Score))
                : sameSpace
                    ? lists[p].Candidates.Where(c => !c.IsHeldIn(reference)).Select(c => (c, c.Score))
                    : RankProportional(p, lists[p], reference, lists[reference], itemCount);
            DistanceMetric metric = plans[reference].Metric;
            foreach ((Candidate candidate, float placedScore) in placed)
            {
                float score = ScoreMapping.ClampToRange(metric, placedScore);
                var hit = new MergedHit(p, candidate.Id, score, ScoreMapping.ClampToRange(plans[p].Metric, candidate.Score), plans[p].Via ?? candidate.DerivedVia);
                if (!best.TryGetValue(candidate.Id, out var current) || standing < current.Standing
                    || (standing == current.Standing && hit.Score > current.Hit.Score))
                {
                    best[candidate.Id] = (hit, standing);
                }
            }
        }

        var merged = best.Values.Select(v => v.Hit).ToList();
        merged.Sort((a, b) => ScoreMapping.CompareHits(a.Score, a.Id, b.Score, b.Id));
        if (merged.Count > k)
        {
            merged.RemoveRange(k, merged.Count - k);
        }

        return merged;
    }

    // Puts another version's candidates on the reference version's scale by rank, in proportion to how many items each
    // version serves. If the reference version holds a share f of the items (a re-embedding f done), the global top list
    // should take about f of its entries from it; so the r-th candidate found only in the other version is worth what the
    // reference list scores at rank r·f/(1−f), read off (and extrapolated from) the reference list's own scores.
    // Returns (candidate, score on the reference scale).
    private static List<(Candidate Candidate, float Score)> RankProportional(
        int otherPlan, CandidateList other, int reference, CandidateList referenceList, long itemCount)
    {
        var result = new List<(Candidate Candidate, float Score)>(other.Candidates.Count);
        if (referenceList.Candidates.Count == 0)
        {
            result.AddRange(other.Candidates.Select(c => (c, c.Score)));
            return result;
        }

        double share = Math.Clamp(referenceList.LiveVectors / (double)Math.Max(1, itemCount), 0.01, 0.99);
        double ratio = share / (1 - share) / Agreement(otherPlan, other, reference, referenceList);
        int onlyHere = 0;
        foreach (Candidate candidate in other.Candidates)
        {
            if (candidate.IsHeldIn(reference))
            {
                // Held in the reference version too: the reference version has judged it (its native candidate, or its
                // absence from the reference list), so this version's opinion does not enter the merge.
                continue;
            }

            onlyHere++;
            result.Add((candidate, ReferenceScoreAt(referenceList.Candidates, onlyHere * ratio)));
        }

        return result;
    }

    // How far this query's two rankings agree, measured on the items held in both versions: the overlap of the top-m
    // such items by each version's score, as a fraction of m. Candidates from a version that agrees poorly with the
    // reference are worth less than the reference's own candidates at the same proportional rank, so their ranks are
    // stretched by 1/agreement. Without enough shared items there is nothing to measure, and ranks stay proportional.
    private static double Agreement(int otherPlan, CandidateList other, int reference, CandidateList referenceList)
    {
        var fromOther = other.Candidates.Where(c => c.IsHeldIn(reference)).Select(c => c.Id).ToList();
        var fromReference = referenceList.Candidates.Where(c => c.IsHeldIn(otherPlan)).Select(c => c.Id).ToList();
        int m = Math.Min(fromOther.Count, fromReference.Count);
        if (m < 5)
        {
            return 1;
        }

        var top = new HashSet<string>(fromReference.Take(m), StringComparer.Ordinal);
        int shared = fromOther.Take(m).Count(top.Contains);
        return Math.Max(0.05, shared / (double)m);
    }

    // The reference list's score at a fractional 1-based rank, linear between ranks and extrapolated beyond both ends.
    private static float ReferenceScoreAt(IReadOnlyList<Candidate> list, double rank)
    {
        int n = list.Count;
        if (n == 1)
        {
            return list[0].Score - (float)(rank - 1) * 1e-6f;
        }

        if (rank <= 1)
        {
            return list[0].Score + (float)((1 - rank) * (list[0].Score - list[1].Score));
        }

        if (rank >= n)
        {
            return list[n - 1].Score - (float)((rank - n) * (list[n - 2].Score - list[n - 1].Score));
        }

        int lower = (int)Math.Floor(rank);
        double t = rank - lower;
        return (float)(list[lower - 1].Score + (t * (list[lower].Score - list[lower - 1].Score)));
    }
}
