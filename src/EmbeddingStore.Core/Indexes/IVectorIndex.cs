// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Collections;

namespace EmbeddingStore.Core.Indexes;

/// <summary>
/// One index over one segment (the vectors of one model version in one collection), with a read side and a write side.
/// Rows are the segment's stable row numbers: a row keeps its number until the segment is compacted, and a deleted row
/// is a tombstone the index is told about, so a graph or a code table never has to follow vectors moving underneath it.
/// </summary>
/// <remarks>
/// Concurrency, as the owning <see cref="Collection"/> guarantees it: the read side (<see cref="Search"/>,
/// <see cref="SearchBatch"/>) runs under the collection's read lock, possibly on several threads at once, and must not
/// mutate shared state; the write side (<see cref="OnUpsert"/>, <see cref="OnDelete"/>, <see cref="OnCompacted"/>,
/// <see cref="Build"/>) runs under its write lock, never concurrently with a search. Training and building therefore
/// happen on the write side, off the search path: a search never pays for a build, it finds the index ready.
/// </remarks>
internal interface IVectorIndex
{
    /// <summary>The kind this index implements.</summary>
    IndexKind Kind { get; }

    /// <summary>Whether the index must be (re)built before it can serve: never built, or its own policy says so.</summary>
    bool NeedsBuild { get; }

    /// <summary>Whether a background build is under way (searches use the exact scan until it publishes), for collection info.</summary>
    bool IsBuilding => false;

    /// <summary>Bytes held beyond the segment's own floats, for collection info.</summary>
    long MemoryBytes { get; }

    /// <summary>Live vectors of <paramref name="segment"/> the index can answer with, for collection info (all of them once built, for kinds that index every row).</summary>
    long VectorsIndexed(VectorSegment segment) => NeedsBuild ? 0 : segment.LiveCount;

    /// <summary>The build settings this index was made with, resolved to values, for collection info; null for kinds that have none.</summary>
    IndexSettings? Settings => null;

    /// <summary>Offers the segment's best rows for one query into <paramref name="top"/>; deleted and filtered-out rows never enter.</summary>
    void Search(IndexSearch search, ReadOnlySpan<float> query, TopKCollector top);

    /// <summary>
    /// Many queries at once (row-major in <paramref name="queries"/>, one collector each); each query's result must equal
    /// what <see cref="Search"/> gives it alone. Kinds without a batched path loop over <see cref="Search"/>.
    /// </summary>
    void SearchBatch(IndexSearch search, float[] queries, TopKCollector[] tops);

    /// <summary>A row was written (appended, or overwritten in place); the segment already holds the vector.</summary>
    void OnUpsert(int row, ReadOnlySpan<float> vector);

    /// <summary>A row became a tombstone. Searches already skip it; an index may release what it kept for it.</summary>
    void OnDelete(int row);

    /// <summary>
    /// The segment dropped its tombstones: <paramref name="oldToNew"/>[old] is the row's new number, or -1 where it was
    /// deleted. Rows keep their relative order.
    /// </summary>
    void OnCompacted(ReadOnlySpan<int> oldToNew, int newRowCount);

    /// <summary>Builds (or rebuilds) the index from the segment's live rows. Cancellation leaves the previous state serving.</summary>
    void Build(VectorSegment segment, CancellationToken cancellationToken);

    /// <summary>
    /// Writes the index to an index file; false when the kind keeps nothing worth saving (it rebuilds from the floats
    /// faster than it would load). The caller validates a saved file against the source of truth before trusting it.
    /// </summary>
    bool TrySave(Stream destination);

    /// <summary>Reads a file <see cref="TrySave"/> wrote; false (and the index unchanged) when it is not one or does not match the segment.</summary>
    bool TryLoad(Stream source, VectorSegment segment);
}
