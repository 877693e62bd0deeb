// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Vectors;
using EmbeddingStore.Core.Versioning.Internal;

namespace EmbeddingStore.Core.Search;

// The merge places another version's candidates on the reference version's scale by learning, for this one query, how
// that version's scores predict the reference version's. Its training pairs are the candidates the reference version
// also holds, so this step, which runs where the vectors are (as LocalSegmentSearch does, under the same read lock),
// gives each of them its reference score: one gathered dot product against the reference plan's query. When a link path
// maps the candidate's version into the reference version, every candidate also gets the reference query's score against
// its own stored vector mapped there (the corpus-side direction, as a transform would write it, which
// docs/harmonic-bridges.md measured as the better one: 0.2716 against 0.2416 for the query-side ridge). Nothing changes
// for plans the reference already shares a space with: their scores are comparable as they are.
internal static class ReferenceScoring
{
    public static CandidateList[] Attach(Collection collection, IReadOnlyList<VersionPlan> plans, CandidateList[] lists, LinkGraph graph)
    {
        if (plans.Count < 2)
        {
            return lists;
        }

        int reference = MixedVersionMerger.ReferencePlan(plans);
        VersionPlan referencePlan = plans[reference];
        VectorSegment? referenceSegment = collection.FindSegment(referencePlan.Version);
        if (referenceSegment is null)
        {
            return lists;
        }

        CandidateList[]? result = null;
        for (int p = 0; p < plans.Count; p++)
        {
            if (p == reference || string.Equals(plans[p].Space, referencePlan.Space, StringComparison.Ordinal)
                || collection.FindSegment(plans[p].Version) is not { } segment || lists[p].Candidates.Count == 0)
            {
                continue;
            }

            result ??= (CandidateList[])lists.Clone();
            result[p] = Score(collection, lists[p], reference, referencePlan, referenceSegment, segment, graph.FindPath(plans[p].Version, referencePlan.Version));
        }

        return result ?? lists;
    }

    private static CandidateList Score(
        Collection collection, CandidateList list, int reference, VersionPlan referencePlan, VectorSegment referenceSegment, VectorSegment segment,
        IReadOnlyList<LinkStep>? path)
    {
        IReadOnlyList<Candidate> candidates = list.Candidates;
        int count = candidates.Count;
        var entries = new ItemEntry?[count];
        for (int i = 0; i < count; i++)
        {
            entries[i] = collection.TryGetItem(candidates[i].Id, out ItemEntry item) ? item : null;
        }

        float[]? mapped = path is { Count: > 0 } ? MapRows(entries, segment, path, referenceSegment.Dimension) : null;
        DistanceMetric metric = referencePlan.Metric;
        int dimension = referenceSegment.Dimension;
        var scored = new List<Candidate>(count);
        for (int i = 0; i < count; i++)
        {
            Candidate c = candidates[i];
            float referenceScore = float.NaN;
            if (c.IsHeldIn(reference) && entries[i] is { } item && item.RowIn(referenceSegment) is int row and >= 0)
            {
                referenceScore = PublicScore(metric, referencePlan.Query, referenceSegment.Row(row));
            }

            float mappedScore = float.NaN;
            if (mapped is not null && entries[i] is not null)
            {
                Span<float> vector = mapped.AsSpan(i * dimension, dimension);
                if (VectorMath.AllFinite(vector) && (metric != DistanceMetric.CosineSimilarity || VectorMath.TryNormalize(vector)))
                {
                    mappedScore = PublicScore(metric, referencePlan.Query, vector);
                }
            }

            scored.Add(c with { ReferenceScore = referenceScore, MappedScore = mappedScore });
        }

        return list with { Candidates = scored };
    }

    // The candidates' own vectors, gathered into one block and mapped along the path a block at a time (a matrix product
    // per step rather than a vector product per candidate). Rows of items that vanished stay zero and are skipped above.
    private static float[]? MapRows(ItemEntry?[] entries, VectorSegment segment, IReadOnlyList<LinkStep> path, int targetDimension)
    {
        int count = entries.Length;
        int dimension = segment.Dimension;
        float[] block = new float[count * dimension];
        for (int i = 0; i < count; i++)
        {
            if (entries[i] is { } item && item.RowIn(segment) is int row and >= 0)
            {
                segment.Row(row).CopyTo(block.AsSpan(i * dimension, dimension));
            }
        }

        foreach (LinkStep step in path)
        {
            if (step.Map.SourceDimension != dimension)
            {
                return null;
            }

            float[] next = new float[count * step.Map.TargetDimension];
            step.Map.ApplyBatch(block, count, next);
            block = next;
            dimension = step.Map.TargetDimension;
        }

        return dimension == targetDimension ? block : null;
    }

    private static float PublicScore(DistanceMetric metric, ReadOnlySpan<float> query, ReadOnlySpan<float> vector)
    {
        Span<float> raw = stackalloc float[1];
        VectorMath.ScoreRows(query, vector, metric, raw);
        return ScoreMapping.ToPublicScore(metric, raw[0]);
    }
}
