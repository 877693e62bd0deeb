// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Collections;

namespace EmbeddingStore.Core.Indexes.Exact;

// The exact "index" is the segment itself: it keeps no state, so every write-side notification is free and there is
// nothing to build, save or load.
internal sealed class ExactIndex : IVectorIndex
{
    public IndexKind Kind => IndexKind.Exact;

    public bool NeedsBuild => false;

    public long MemoryBytes => 0;

    public void Search(IndexSearch search, ReadOnlySpan<float> query, TopKCollector top)
    {
        ExactScan.Scan(search, query, top);
        search.Record(search.ExactPlan);
    }

    public void SearchBatch(IndexSearch search, float[] queries, TopKCollector[] tops)
    {
        ExactBatchScan.Scan(search, queries, tops);
        search.Record(search.ExactPlan);
    }

    public void OnUpsert(int row, ReadOnlySpan<float> vector)
    {
    }

    public void OnDelete(int row)
    {
    }

    public void OnCompacted(ReadOnlySpan<int> oldToNew, int newRowCount)
    {
    }

    public void Build(VectorSegment segment, CancellationToken cancellationToken)
    {
    }

    public bool TrySave(Stream destination) => false;

    public bool TryLoad(Stream source, VectorSegment segment) => false;
}

internal sealed class ExactIndexFactory : IVectorIndexFactory
{
    public IndexKind Kind => IndexKind.Exact;

    public IVectorIndex Create(VectorSegment segment) => new ExactIndex();

    // Exact honours every option by ignoring it: oversampling is meaningless for a full scan, and refusing it would make
    // a collection's default-index switch break clients that always send it.
    public StoreError? Validate(IndexOptions options, EngineLimits limits) => options.ValidateOversampling(limits) ?? options.ValidateEf(limits);
}
