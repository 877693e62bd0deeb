// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Filters;
using EmbeddingStore.Core.Indexes;
using EmbeddingStore.Core.Vectors;

namespace EmbeddingStore.Core.Search;

// The part of a search that runs where the vectors are: each plan's segment searched through the index of the asked
// kind into a collector, then turned into plain candidates (id, score, lineage, which versions hold the item). This is
// what a shard would run; planning before it and merging after it do not touch a segment. The caller holds the
// collection's read lock and has made sure the index is built.
internal static class LocalSegmentSearch
{
    public static CandidateList[] Search(
        Collection collection, IReadOnlyList<VersionPlan> plans, IndexKind kind, IndexOptions options, PayloadFilter? filter, int perPlan,
        EngineLimits limits, CancellationToken cancellationToken)
    {
        VectorSegment[] segments = Segments(collection, plans);
        var lists = new CandidateList[plans.Count];
        FilterPlan? narrowed = PayloadIndexPlanner.Plan(filter, collection);
        for (int p = 0; p < plans.Count; p++)
        {
            VectorSegment segment = segments[p];
            var top = new TopKCollector(Math.Max(1, Math.Min(perPlan, segment.LiveCount)));
            var search = NewSearch(segment, filter, narrowed, options, limits, cancellationToken);
            IndexFor(segment, kind).Search(search, plans[p].Query, top);
            lists[p] = ToCandidates(top, segment, segments, search.Ran ?? search.ExactPlan);
        }

        return lists;
    }

    // Many queries with the same plans' versions: per version, the queries that plan it are searched in one batch call,
    // so an exact scan reads each row once per block of queries. Query i's lists are what Search gives it alone.
    public static CandidateList[][] SearchBatch(
        Collection collection, IReadOnlyList<IReadOnlyList<VersionPlan>> plansPerQuery, IndexKind kind, IndexOptions options, PayloadFilter? filter,
        int k, EngineLimits limits, CancellationToken cancellationToken)
    {
        var results = new CandidateList[plansPerQuery.Count][];

        // Each query's plan segments, resolved once (not once per plan of the query) for the held-in bits below.
        var planSegments = new VectorSegment[plansPerQuery.Count][];
        var byVersion = new Dictionary<Versioning.ModelVersionId, List<(int Query, int Plan)>>();
        for (int q = 0; q < plansPerQuery.Count; q++)
        {
            results[q] = new CandidateList[plansPerQuery[q].Count];
            planSegments[q] = Segments(collection, plansPerQuery[q]);
            for (int p = 0; p < plansPerQuery[q].Count; p++)
            {
                Versioning.ModelVersionId version = plansPerQuery[q][p].Version;
                if (!byVersion.TryGetValue(version, out var members))
                {
                    members = [];
                    byVersion[version] = members;
                }

                members.Add((q, p));
            }
        }

        FilterPlan? narrowed = PayloadIndexPlanner.Plan(filter, collection);
        foreach ((Versioning.ModelVersionId version, List<(int Query, int Plan)> members) in byVersion)
        {
            VectorSegment segment = collection.FindSegment(version)!;
            int dimension = segment.Dimension;
            float[] matrix = GC.AllocateUninitializedArray<float>(members.Count * dimension);
            var tops = new TopKCollector[members.Count];
            for (int i = 0; i < members.Count; i++)
            {
                (int q, int p) = members[i];
                plansPerQuery[q][p].Query.CopyTo(matrix, i * dimension);
                int perPlan = MixedVersionMerger.CandidatesPerPlan(k, plansPerQuery[q]);
                tops[i] = new TopKCollector(Math.Max(1, Math.Min(perPlan, segment.LiveCount)));
            }

            var search = NewSearch(segment, filter, narrowed, options, limits, cancellationToken);
            IndexFor(segment, kind).SearchBatch(search, matrix, tops);
            for (int i = 0; i < members.Count; i++)
            {
                (int q, int p) = members[i];
                results[q][p] = ToCandidates(tops[i], segment, planSegments[q], search.Ran ?? search.ExactPlan);
            }
        }

        return results;
    }

    // With a payload-index plan the segment's candidate rows come from the indexes and only the residual filter (what
    // they did not answer) is evaluated on payloads; without one, the whole filter is.
    private static IndexSearch NewSearch(
        VectorSegment segment, PayloadFilter? filter, FilterPlan? narrowed, IndexOptions options, EngineLimits limits, CancellationToken cancellationToken) =>
        narrowed is null
            ? new IndexSearch(segment, filter, options, limits, limits.SearchParallelism, cancellationToken)
            : new IndexSearch(segment, narrowed.Residual, options, limits, limits.SearchParallelism, cancellationToken, narrowed.RowsIn(segment));

    private static VectorSegment[] Segments(Collection collection, IReadOnlyList<VersionPlan> plans)
    {
        var segments = new VectorSegment[plans.Count];
        for (int p = 0; p < plans.Count; p++)
        {
            segments[p] = collection.FindSegment(plans[p].Version)
                ?? throw new InvalidOperationException($"Plan names {plans[p].Version}, which collection '{collection.Name}' does not hold.");
        }

        return segments;
    }

    private static IVectorIndex IndexFor(VectorSegment segment, IndexKind kind) =>
        segment.FindIndex(kind) ?? throw new InvalidOperationException($"Segment {segment.Version.Id} has no {kind} index; ensure it before searching.");

    // `plan` is what the index ran (an index that recorded nothing searched nothing approximately: the exact plan).
    private static CandidateList ToCandidates(TopKCollector top, VectorSegment segment, VectorSegment[] planSegments, SearchPlan plan)
    {
        var candidates = new List<Candidate>(top.Count);
        DistanceMetric metric = segment.Version.Metric;
        foreach ((ItemEntry item, float raw) in top.ToSortedList())
        {
            ulong held = 0;
            for (int p = 0; p < planSegments.Length && p < 64; p++)
            {
                if (item.RowIn(planSegments[p]) >= 0)
                {
                    held |= 1UL << p;
                }
            }

            candidates.Add(new Candidate(item.Id, ScoreMapping.ToPublicScore(metric, raw), item.DerivedLinkFor(segment.Version.Id), held));
        }

        return new CandidateList(candidates, segment.LiveCount, plan);
    }
}
