// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Indexes.Exact;
using EmbeddingStore.Core.Indexes.Quantized;
using EmbeddingStore.Core.Vectors;
using EmbeddingStore.Core.Versioning;

namespace EmbeddingStore.Core;

public sealed partial class EmbeddingEngine
{
    /// <summary>
    /// Many nearest-neighbour queries of one model version against one collection. Every query's hits are exactly what
    /// <see cref="Search"/> returns for it alone; the batch is faster because blocks of queries share each pass over the
    /// vectors. Any invalid query refuses the whole batch, naming its index.
    /// </summary>
    /// <remarks>
    /// The batch sees one consistent state of the collection (one read lock for all queries), which a series of single
    /// searches interleaved with writes would not. The lock is held for the whole batch, hence
    /// <see cref="EngineLimits.MaxBatchQueries"/>. Int8 batches run the int8 search once per query, queries spread over
    /// <see cref="EngineLimits.SearchParallelism"/> threads.
    /// </remarks>
    public StoreResult<BatchSearchResult> SearchBatch(string collection, BatchSearchQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Vectors is null || query.Vectors.Count == 0)
        {
            return Invalid("vectors must contain at least one query vector.");
        }

        if (query.Vectors.Count > Limits.MaxBatchQueries)
        {
            return new StoreError(
                StoreErrorCode.LimitExceeded, $"A batch may hold at most {Limits.MaxBatchQueries} queries; this one has {query.Vectors.Count}. Split it.");
        }

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

        string versionText = query.Version ?? state.ServingVersion.ToString();
        if (!TryResolveVersion(versionText, out ModelVersion version, out error))
        {
            return error!;
        }

        // One row-major matrix of prepared queries (normalised once for cosine), as the batch kernel reads them.
        int dimension = version.Dimension;
        float[] queries = GC.AllocateUninitializedArray<float>(query.Vectors.Count * dimension);
        for (int i = 0; i < query.Vectors.Count; i++)
        {
            float[]? vector = query.Vectors[i];
            if (vector is null)
            {
                return Invalid($"vectors[{i}] is null.");
            }

            if (!TryCheckVector(version, vector, $"vectors[{i}]", out error))
            {
                return error!;
            }

            Span<float> row = queries.AsSpan(i * dimension, dimension);
            vector.CopyTo(row);
            if (version.Metric == DistanceMetric.CosineSimilarity)
            {
                VectorMath.TryNormalize(row);
            }
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
                // Batch search serves the queries' own version only (no bridging yet): anything else is refused as unreachable.
                StoreResult<SearchResult> absent = SearchUnreachable(state, [(version, [])], null);
                if (!absent.IsSuccess)
                {
                    return absent.Error!;
                }

                return new BatchSearchResult([.. query.Vectors.Select(_ => absent.Value!)]);
            }

            int k = Math.Min(query.K, segment.Count);
            var tops = new TopKCollector[query.Vectors.Count];
            for (int i = 0; i < tops.Length; i++)
            {
                tops[i] = new TopKCollector(k);
            }

            if ((query.Index ?? state.DefaultIndex) == SearchIndexKind.Exact)
            {
                ExactBatchScan.Scan(segment, queries, query.Filter, tops, Limits.SearchParallelism);
            }
            else
            {
                // One query per thread; each int8 search then stays on its thread (degree 1), so the threads are not oversubscribed.
                Parallel.For(0, tops.Length, new ParallelOptions { MaxDegreeOfParallelism = Limits.SearchParallelism }, i =>
                    Int8Scan.Search(
                        segment, segment.GetOrBuildInt8(), queries.AsSpan(i * dimension, dimension).ToArray(), query.Filter, tops[i],
                        query.Oversampling ?? Limits.DefaultOversampling, parallelism: 1, Limits.ParallelScanMinBytes));
            }

            string versionName = version.Id.ToString();
            var results = new SearchResult[tops.Length];
            for (int i = 0; i < tops.Length; i++)
            {
                var hits = new List<SearchHit>(tops[i].Count);
                foreach ((ItemEntry item, float raw) in tops[i].ToSortedList())
                {
                    float[]? stored = query.WithVectors ? segment.Row(item.RowIn(segment)).ToArray() : null;
                    float score = ScoreMapping.ToPublicScore(version.Metric, raw);
                    hits.Add(new SearchHit(
                        item.Id, score, versionName, query.WithPayload ? item.Payload : null, stored, score, item.DerivedLinkFor(version.Id)));
                }

                results[i] = new SearchResult(hits);
            }

            return new BatchSearchResult(results);
        }
        finally
        {
            state.Lock.ExitReadLock();
        }
    }
}
