// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Indexes.Exact;
using EmbeddingStore.Core.Vectors;
using EmbeddingStore.Core.Versioning;
using EmbeddingStore.Core.Versioning.Internal;

namespace EmbeddingStore.Core;

public sealed partial class EmbeddingEngine
{
    /// <summary>
    /// Exact nearest-neighbour search over every version the collection holds that the query reaches: natively (the query
    /// carries a vector of that version) or through links (the query is mapped, hits name the link in <c>Via</c>). When
    /// several versions are searched, their hits are merged on the primary version's score scale by a per-query
    /// calibration fitted on items that hold vectors in both versions, and an item found in several versions is returned
    /// once (its native hit preferred). A version that is neither held natively nor reachable is refused with
    /// <see cref="StoreErrorCode.IncompatibleVersions"/>, never compared silently, even when dimensions match.
    /// </summary>
    public StoreResult<SearchResult> Search(string collection, SearchQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.K < 1 || query.K > Limits.MaxK)
        {
            return query.K < 1
                ? Invalid($"k must be at least 1; it was {query.K}.")
                : new StoreError(StoreErrorCode.LimitExceeded, $"k may be at most {Limits.MaxK}; it was {query.K}.");
        }

        if (query.Filter?.Validate() is { } filterError)
        {
            return filterError;
        }

        if (ValidateIndexOptions(query.Index, query.Oversampling) is { } indexError)
        {
            return indexError;
        }

        if (!TryGetCollection(collection, out CollectionState? state, out StoreError? error))
        {
            return error;
        }

        // No index named: the collection's default (exact unless the collection opted into int8).
        query = query with { Index = query.Index ?? state.DefaultIndex };
        if (!TryPrepareQueries(state, query, out List<(ModelVersion Version, float[] Vector)> queries, out ModelVersion primary, out error))
        {
            return error!;
        }

        HashSet<ModelVersionId>? restrict = null;
        if (query.SearchVersions is { Count: > 0 })
        {
            restrict = [];
            foreach (string text in query.SearchVersions)
            {
                if (!TryResolveVersion(text, out ModelVersion v, out error))
                {
                    return error!;
                }

                restrict.Add(v.Id);
            }
        }

        LinkGraph graph = _graph;
        state.Lock.EnterReadLock();
        try
        {
            if (state.IsDeleted)
            {
                return new StoreError(StoreErrorCode.CollectionNotFound, $"Collection '{collection}' does not exist.");
            }

            List<SegmentPlan> plans = PlanSegments(state, queries, primary, graph, query.Bridging, restrict);
            if (plans.Count == 0)
            {
                return SearchUnreachable(state, queries, restrict);
            }

            StoreResult<SearchResult> answer = plans.Count == 1 ? SearchOne(plans[0], query) : SearchMerged(plans, query, state.Items.Count);
            return answer.IsSuccess ? answer.Value! with { Index = query.Index ?? SearchIndexKind.Exact } : answer;
        }
        finally
        {
            state.Lock.ExitReadLock();
        }
    }

    private bool TryPrepareQueries(
        CollectionState state, SearchQuery query, out List<(ModelVersion Version, float[] Vector)> queries, out ModelVersion primary, out StoreError? error)
    {
        queries = [];
        primary = null!;
        var raw = new List<(string Version, float[]? Vector)>();
        if (query.Vectors is { Count: > 0 })
        {
            if (query.Vector is not null)
            {
                error = Invalid("Give either vector (with an optional version) or vectors keyed by model@version, not both.");
                return false;
            }

            if (query.Version is not null && !query.Vectors.ContainsKey(query.Version))
            {
                error = Invalid($"With vectors, version names the primary version and must be one of its keys; '{query.Version}' is not.");
                return false;
            }

            raw.AddRange(query.Vectors.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => (kv.Key, (float[]?)kv.Value)));
        }
        else if (query.Vector is null)
        {
            error = Invalid("vector is required (or vectors keyed by model@version).");
            return false;
        }
        else
        {
            raw.Add((query.Version ?? state.ServingVersion.ToString(), query.Vector));
        }

        foreach ((string text, float[]? vector) in raw)
        {
            if (!TryResolveVersion(text, out ModelVersion version, out error))
            {
                return false;
            }

            if (vector is null)
            {
                error = Invalid($"The query vector for {version.Id} is null.");
                return false;
            }

            if (!TryCheckVector(version, vector, "query", out error))
            {
                return false;
            }

            queries.Add((version, Prepared(version, vector)));
        }

        // The primary version sets the score scale and wins de-duplication: the only one, else the one the caller named
        // (during a re-embedding, the new version), else the serving version, else the first by name.
        primary = queries.Count == 1
            ? queries[0].Version
            : queries.FirstOrDefault(q => string.Equals(q.Version.Id.ToString(), query.Version, StringComparison.Ordinal)).Version
                ?? queries.FirstOrDefault(q => q.Version.Id == state.ServingVersion).Version
                ?? queries[0].Version;
        error = null;
        return true;
    }

    // Which segments to scan, with which query each: native when the query carries that version, else mapped along the
    // shortest link path from one of the query's versions (the primary first).
    private static List<SegmentPlan> PlanSegments(
        CollectionState state, List<(ModelVersion Version, float[] Vector)> queries, ModelVersion primary, LinkGraph graph, BridgingMode bridging,
        HashSet<ModelVersionId>? restrict)
    {
        var ordered = queries.OrderBy(q => q.Version.Id == primary.Id ? 0 : 1).ToList();
        var plans = new List<SegmentPlan>();
        foreach ((ModelVersionId id, VectorSegment segment) in state.Segments.OrderBy(s => s.Key.ToString(), StringComparer.Ordinal))
        {
            if (segment.Count == 0 || (restrict is not null && !restrict.Contains(id)))
            {
                continue;
            }

            (ModelVersion Version, float[] Vector) native = queries.FirstOrDefault(q => q.Version.Id == id);
            if (native.Vector is not null)
            {
                plans.Add(new SegmentPlan(segment, native.Vector, null, native.Version.Id == primary.Id));
                continue;
            }

            if (bridging == BridgingMode.None)
            {
                continue;
            }

            IReadOnlyList<LinkStep>? best = null;
            float[]? from = null;
            foreach ((ModelVersion version, float[] vector) in ordered)
            {
                IReadOnlyList<LinkStep>? path = graph.FindPath(version.Id, id);
                if (path is not null && (best is null || path.Count < best.Count))
                {
                    best = path;
                    from = vector;
                }
            }

            if (best is null || from is null)
            {
                continue;
            }

            float[] mapped = from;
            foreach (LinkStep step in best)
            {
                var next = new float[step.Map.TargetDimension];
                step.Map.Apply(mapped, next);
                mapped = next;
            }

            if (mapped.Length != segment.Dimension || !VectorMath.AllFinite(mapped))
            {
                continue;
            }

            if (segment.Version.Metric == DistanceMetric.CosineSimilarity && !VectorMath.TryNormalize(mapped))
            {
                continue;
            }

            plans.Add(new SegmentPlan(segment, mapped, string.Join(',', best.Select(s => s.LinkId)), false));
        }

        return plans;
    }

    private StoreResult<SearchResult> SearchOne(SegmentPlan plan, SearchQuery query)
    {
        var top = new TopKCollector(Math.Min(query.K, plan.Segment.Count));
        ScanSegment(plan.Segment, plan.Query, query.Filter, query.Index ?? SearchIndexKind.Exact, query.Oversampling, top);
        var hits = new List<SearchHit>(top.Count);
        foreach ((ItemEntry item, float raw) in top.ToSortedList())
        {
            float score = ScoreMapping.ToPublicScore(plan.Segment.Version.Metric, raw);
            hits.Add(ToHit(plan, item, score, score, query));
        }

        return new SearchResult(hits);
    }

    // Several versions: scan each for enough candidates that k distinct items survive de-duplication, put every other
    // version's candidates on the reference (primary) version's scale, then merge.
    private StoreResult<SearchResult> SearchMerged(List<SegmentPlan> plans, SearchQuery query, int itemCount)
    {
        int perSegment = query.K * plans.Count;
        var lists = new List<List<(ItemEntry Item, float Score)>>(plans.Count);
        foreach (SegmentPlan plan in plans)
        {
            var top = new TopKCollector(Math.Min(perSegment, plan.Segment.Count));
            ScanSegment(plan.Segment, plan.Query, query.Filter, query.Index ?? SearchIndexKind.Exact, query.Oversampling, top);
            lists.Add([.. top.ToSortedList().Select(c => (c.Item, ScoreMapping.ToPublicScore(plan.Segment.Version.Metric, c.Score)))]);
        }

        int reference = plans.FindIndex(p => p.IsPrimaryNative);
        if (reference < 0)
        {
            reference = plans.FindIndex(p => p.Via is not null && !p.Via.Contains(',', StringComparison.Ordinal));
        }

        reference = Math.Max(reference, 0);
        var best = new Dictionary<ItemEntry, (SearchHit Hit, int Rank)>(ReferenceEqualityComparer.Instance);
        for (int p = 0; p < plans.Count; p++)
        {
            int rank = p == reference ? 0 : plans[p].Via is null ? 1 : 2;
            List<(ItemEntry Item, float Score, float Raw)> candidates = p == reference
                ? [.. lists[p].Select(c => (c.Item, c.Score, c.Score))]
                : RankProportional(plans[p], lists[p], plans[reference], lists[reference], itemCount);
            foreach ((ItemEntry item, float score, float raw) in candidates)
            {
                var hit = ToHit(plans[p], item, score, raw, query);
                if (!best.TryGetValue(item, out var current) || rank < current.Rank || (rank == current.Rank && hit.Score > current.Hit.Score))
                {
                    best[item] = (hit, rank);
                }
            }
        }

        var merged = best.Values.Select(v => v.Hit).ToList();
        merged.Sort((a, b) => ScoreMapping.CompareHits(a.Score, a.Id, b.Score, b.Id));
        if (merged.Count > query.K)
        {
            merged.RemoveRange(query.K, merged.Count - query.K);
        }

        return new SearchResult(merged);
    }

    // Puts another version's candidates on the reference version's scale by rank, in proportion to how many items each
    // version serves. If the reference version holds a share f of the items (a re-embedding f done), the global top list
    // should take about f of its entries from it; so the r-th candidate found only in the other version is worth what the
    // reference list scores at rank r·f/(1−f), read off (and extrapolated from) the reference list's own scores.
    //
    // Measured on the shared MiniLM→Arctic data this beats score-based merges: the two models' scores agree only loosely
    // (the old model recovers a quarter of the new model's top-10), so any calibration from score to score either lets
    // mediocre native candidates crowd out the other version's best (regression shrinks towards the mean) or the
    // reverse (moment matching); ranks carry the information that is actually shared.
    // Returns (item, score on the reference scale, raw score in the item's own version).
    private static List<(ItemEntry Item, float Score, float Raw)> RankProportional(
        SegmentPlan otherPlan, List<(ItemEntry Item, float Score)> other, SegmentPlan reference, List<(ItemEntry Item, float Score)> referenceList, int itemCount)
    {
        var result = new List<(ItemEntry Item, float Score, float Raw)>(other.Count);
        if (referenceList.Count == 0)
        {
            result.AddRange(other.Select(c => (c.Item, c.Score, c.Score)));
            return result;
        }

        double share = Math.Clamp(reference.Segment.Count / (double)Math.Max(1, itemCount), 0.01, 0.99);
        double ratio = share / (1 - share) / Agreement(otherPlan, other, reference, referenceList);
        int onlyHere = 0;
        foreach ((ItemEntry item, float score) in other)
        {
            if (item.RowIn(reference.Segment) >= 0)
            {
                // Held in the reference version too: the reference version has judged it (its native candidate, or its
                // absence from the reference list), so this version's opinion does not enter the merge.
                continue;
            }

            onlyHere++;
            result.Add((item, ReferenceScoreAt(referenceList, onlyHere * ratio), score));
        }

        return result;
    }

    // How far this query's two rankings agree, measured on the items held in both versions: the overlap of the top-m
    // such items by each version's score, as a fraction of m. Candidates from a version that agrees poorly with the
    // reference are worth less than the reference's own candidates at the same proportional rank, so their ranks are
    // stretched by 1/agreement. Without enough shared items there is nothing to measure, and ranks stay proportional.
    private static double Agreement(
        SegmentPlan otherPlan, List<(ItemEntry Item, float Score)> other, SegmentPlan reference, List<(ItemEntry Item, float Score)> referenceList)
    {
        var fromReference = new List<ItemEntry>();
        var fromOther = new List<ItemEntry>();
        foreach ((ItemEntry item, _) in other)
        {
            if (item.RowIn(reference.Segment) >= 0)
            {
                fromOther.Add(item);
            }
        }

        foreach ((ItemEntry item, _) in referenceList)
        {
            if (item.RowIn(otherPlan.Segment) >= 0)
            {
                fromReference.Add(item);
            }
        }

        int m = Math.Min(fromOther.Count, fromReference.Count);
        if (m < 5)
        {
            return 1;
        }

        var top = new HashSet<ItemEntry>(fromReference.Take(m), ReferenceEqualityComparer.Instance);
        int shared = fromOther.Take(m).Count(top.Contains);
        return Math.Max(0.05, shared / (double)m);
    }

    // The reference list's score at a fractional 1-based rank, linear between ranks and extrapolated beyond both ends.
    private static float ReferenceScoreAt(List<(ItemEntry Item, float Score)> list, double rank)
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

    private static SearchHit ToHit(SegmentPlan plan, ItemEntry item, float score, float raw, SearchQuery query)
    {
        float[]? vector = query.WithVectors ? plan.Segment.Row(item.RowIn(plan.Segment)).ToArray() : null;
        // A vector derived through a link is a bridged match too: the hit names that link.
        string? via = plan.Via ?? item.DerivedLinkFor(plan.Segment.Version.Id);
        return new SearchHit(item.Id, score, plan.Segment.Version.Id.ToString(), query.WithPayload ? item.Payload : null, vector, raw, via);
    }

    // Nothing the query can be compared with. Empty is the honest answer only when the collection holds no vectors at
    // all; otherwise "no results" would hide "these results are not comparable".
    private static StoreResult<SearchResult> SearchUnreachable(
        CollectionState state, List<(ModelVersion Version, float[] Vector)> queries, HashSet<ModelVersionId>? restrict)
    {
        var held = state.Segments.Where(s => s.Value.Count > 0 && (restrict is null || restrict.Contains(s.Key)))
            .Select(s => s.Key.ToString()).Order(StringComparer.Ordinal).ToList();
        if (held.Count == 0 && state.Segments.All(s => s.Value.Count == 0))
        {
            return new SearchResult([]);
        }

        string asked = string.Join(", ", queries.Select(q => q.Version.Id.ToString()));
        var versions = queries.Select(q => q.Version.Id.ToString()).ToList();
        versions.AddRange(held);
        string holds = held.Count == 0 ? "none of the requested versions" : string.Join(", ", held);
        return new StoreError(
            StoreErrorCode.IncompatibleVersions,
            $"Collection '{state.Name}' holds no vectors of {asked}; it holds {holds}, and no link makes {asked} comparable with them.",
            versions);
    }

    private sealed record SegmentPlan(VectorSegment Segment, float[] Query, string? Via, bool IsPrimaryNative);
}
