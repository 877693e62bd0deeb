// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Indexes.Exact;
using EmbeddingStore.Core.Vectors;
using EmbeddingStore.Core.Versioning;

namespace EmbeddingStore.Core;

public sealed partial class EmbeddingEngine
{
    /// <summary>
    /// Exact nearest-neighbour search within one model version's vectors. A query whose version the collection does
    /// not hold is refused with <see cref="StoreErrorCode.IncompatibleVersions"/> naming the versions involved, never
    /// compared against another model's vectors, even when the dimensions happen to match.
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

        if (query.Vector is null)
        {
            return Invalid("vector is required.");
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

        string versionText = query.Version ?? state.ServingVersion.ToString();
        if (!TryResolveVersion(versionText, out ModelVersion version, out error))
        {
            return error!;
        }

        if (!TryCheckVector(version, query.Vector, "query", out error))
        {
            return error!;
        }

        // Normalise the query once for cosine: stored vectors already are, so the scan is a dot product.
        float[] prepared = query.Vector;
        if (version.Metric == DistanceMetric.CosineSimilarity)
        {
            prepared = query.Vector.ToArray();
            VectorMath.TryNormalize(prepared);
        }

        state.Lock.EnterReadLock();
        try
        {
            if (state.IsDeleted)
            {
                return new StoreError(StoreErrorCode.CollectionNotFound, $"Collection '{collection}' does not exist.");
            }

            if (!state.Segments.TryGetValue(version.Id, out VectorSegment? segment) || segment.Count == 0)
            {
                return SearchAbsentVersion(state, version);
            }

            var top = new TopKCollector(Math.Min(query.K, segment.Count));
            ScanSegment(segment, prepared, query.Filter, query.Index, query.Oversampling, top);

            string versionName = version.Id.ToString();
            var hits = new List<SearchHit>(top.Count);
            foreach ((ItemEntry item, float raw) in top.ToSortedList())
            {
                float[]? vector = query.WithVectors ? segment.Row(item.RowIn(segment)).ToArray() : null;
                hits.Add(new SearchHit(item.Id, ScoreMapping.ToPublicScore(version.Metric, raw), versionName, query.WithPayload ? item.Payload : null, vector));
            }

            return new SearchResult(hits);
        }
        finally
        {
            state.Lock.ExitReadLock();
        }
    }

    // The collection holds no vector of the query's version. Empty is the honest answer only when no other version is
    // held either (an empty collection, or one whose items all use the query's version and were deleted); otherwise the
    // caller would read "no results" where the truth is "these results are not comparable".
    private static StoreResult<SearchResult> SearchAbsentVersion(CollectionState state, ModelVersion version)
    {
        var held = state.Segments.Where(s => s.Value.Count > 0).Select(s => s.Key.ToString()).Order(StringComparer.Ordinal).ToList();
        if (held.Count == 0)
        {
            return new SearchResult([]);
        }

        var versions = new List<string> { version.Id.ToString() };
        versions.AddRange(held);
        return new StoreError(
            StoreErrorCode.IncompatibleVersions,
            $"Collection '{state.Name}' holds no vectors of {version.Id}; it holds {string.Join(", ", held)}, and no link makes {version.Id} comparable with them.",
            versions);
    }
}
