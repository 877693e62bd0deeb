// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Collections;

namespace EmbeddingStore.Core.Indexes.Quantized;

// Int8 codes behind the index seam. The codes are trained by Build (on the write side, never inside a search) and then
// follow every upsert; a retrain is due by Int8Segment's policy and is again a Build. A retrain publishes a new code
// table, so a search still scanning the old one (it cannot: builds hold the write lock) would be unaffected anyway.
// Int8 codes approximate dot products and Euclidean distances (a code dot product plus stored norms); an L1 distance has
// no such decomposition, so a Manhattan segment is never coded and its int8 searches are exact scans, and say so.
internal sealed class Int8Index(VectorSegment segment) : IVectorIndex
{
    private Int8Segment? _codes;

    public IndexKind Kind => IndexKind.Int8;

    public bool NeedsBuild => !Uncoded && (_codes is null ? segment.LiveCount > 0 : _codes.NeedsRetraining(segment.LiveCount));

    private bool Uncoded => segment.Version.Metric == Vectors.DistanceMetric.Manhattan;

    public long MemoryBytes => _codes?.MemoryBytes ?? 0;

    // The current code table (null until built, or for a Manhattan segment): what a graph walk on codes borrows, under
    // the collection's read lock, so a retrain (a write) never swaps it mid-walk.
    internal Int8Segment? Codes => _codes;

    public void Search(IndexSearch search, ReadOnlySpan<float> query, TopKCollector top)
    {
        if (Uncoded)
        {
            Exact.ExactScan.Scan(search, query, top);
            search.Record(search.ExactPlan);
            return;
        }

        if (_codes is null)
        {
            // Nothing built means nothing stored when the collection ensured the index; an empty segment has no hits.
            return;
        }

        Int8Scan.Search(search, _codes, query, top, search.Options.Oversampling ?? search.Limits.DefaultOversampling, search.Parallelism);
        search.Record(search.IsFiltered ? SearchPlan.Int8Filtered : SearchPlan.Int8);
    }

    public void SearchBatch(IndexSearch search, float[] queries, TopKCollector[] tops)
    {
        if (Uncoded)
        {
            Exact.ExactBatchScan.Scan(search, queries, tops);
            search.Record(search.ExactPlan);
            return;
        }

        if (_codes is null)
        {
            return;
        }

        // One query per thread; each int8 search then stays on its thread (degree 1), so the threads are not oversubscribed.
        int dimension = search.Segment.Dimension;
        int oversampling = search.Options.Oversampling ?? search.Limits.DefaultOversampling;
        Int8Segment codes = _codes;
        Parallel.For(0, tops.Length, new ParallelOptions { MaxDegreeOfParallelism = search.Parallelism, CancellationToken = search.CancellationToken }, i =>
            Int8Scan.Search(search, codes, queries.AsSpan(i * dimension, dimension), tops[i], oversampling, parallelism: 1));
        search.Record(search.IsFiltered ? SearchPlan.Int8Filtered : SearchPlan.Int8);
    }

    public void OnUpsert(int row, ReadOnlySpan<float> vector) => _codes?.Set(row, vector);

    // The stale codes stay until compaction; searches skip the row by its tombstone.
    public void OnDelete(int row)
    {
    }

    public void OnCompacted(ReadOnlySpan<int> oldToNew, int newRowCount) => _codes?.Compact(oldToNew, newRowCount);

    public void Build(VectorSegment owner, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        _codes = owner.RowCount == 0 || Uncoded ? null : Int8Segment.Build(owner);
    }

    // Training is one pass over the floats, cheaper than reading and validating a file of codes.
    public bool TrySave(Stream destination) => false;

    public bool TryLoad(Stream source, VectorSegment owner) => false;
}

internal sealed class Int8IndexFactory : IVectorIndexFactory
{
    public IndexKind Kind => IndexKind.Int8;

    public IVectorIndex Create(VectorSegment segment) => new Int8Index(segment);

    public StoreError? Validate(IndexOptions options, EngineLimits limits) => options.ValidateOversampling(limits) ?? options.ValidateEf(limits);
}
