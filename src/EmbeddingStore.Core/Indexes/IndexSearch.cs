// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Runtime.CompilerServices;
using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Filters;

namespace EmbeddingStore.Core.Indexes;

// What one search asks of an index besides its query vector: the segment, which rows may enter (live and passing the
// filter), the kind's options, how many threads it may use, and the token that stops the scan. One object per search.
internal sealed class IndexSearch(
    VectorSegment segment, PayloadFilter? filter, IndexOptions options, EngineLimits limits, int parallelism, CancellationToken cancellationToken)
{
    public VectorSegment Segment { get; } = segment;

    public PayloadFilter? Filter { get; } = filter;

    public IndexOptions Options { get; } = options;

    public EngineLimits Limits { get; } = limits;

    public int Parallelism { get; } = parallelism;

    public CancellationToken CancellationToken { get; } = cancellationToken;

    // The row's item when the row may enter the results: not a tombstone, and passing the filter. Called only for
    // candidates good enough to enter the top-k, so the filter's cost is paid rarely.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ItemEntry? Accept(int row)
    {
        ItemEntry? item = Segment.ItemAt(row);
        return item is null || (Filter is not null && !Filter.Matches(item.Payload)) ? null : item;
    }
}
