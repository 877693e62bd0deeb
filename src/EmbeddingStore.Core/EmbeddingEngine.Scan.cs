// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Indexes.Exact;
using EmbeddingStore.Core.Indexes.Quantized;

namespace EmbeddingStore.Core;

public sealed partial class EmbeddingEngine
{
    // Refuses index options a scan cannot honour, before any lock is taken.
    private StoreError? ValidateIndexOptions(SearchIndexKind? index, int? oversampling)
    {
        if (index is { } kind && !Enum.IsDefined(kind))
        {
            return Invalid($"Unknown index {index}; use exact or int8.");
        }

        if (oversampling is { } o && (o < 1 || o > Limits.MaxOversampling))
        {
            return o < 1
                ? Invalid($"oversampling must be at least 1; it was {o}.")
                : new StoreError(StoreErrorCode.LimitExceeded, $"oversampling may be at most {Limits.MaxOversampling}; it was {o}.");
        }

        return null;
    }

    // Scans one segment into `top` with the structure the query asked for. Called under the collection's read lock.
    private void ScanSegment(VectorSegment segment, float[] prepared, PayloadFilter? filter, SearchIndexKind index, int? oversampling, TopKCollector top)
    {
        switch (index)
        {
            case SearchIndexKind.Int8:
                Int8Scan.Search(
                    segment, segment.GetOrBuildInt8(), prepared, filter, top, oversampling ?? Limits.DefaultOversampling,
                    Limits.SearchParallelism, Limits.ParallelScanMinBytes);
                break;
            default:
                ExactScan.ScanParallel(segment, prepared, filter, top, Limits.SearchParallelism, Limits.ParallelScanMinBytes);
                break;
        }
    }
}
