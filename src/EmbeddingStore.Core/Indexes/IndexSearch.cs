// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Runtime.CompilerServices;
using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Filters;

namespace EmbeddingStore.Core.Indexes;

// What one search asks of an index besides its query vector: the segment, which rows may enter (live, among the rows a
// payload-index plan allows, and passing the filter), the kind's options, how many threads it may use, and the token
// that stops the scan. One object per search. With a plan, Filter is only what the indexes did not answer (often null).
internal sealed class IndexSearch(
    VectorSegment segment, PayloadFilter? filter, IndexOptions options, EngineLimits limits, int parallelism, CancellationToken cancellationToken,
    RowSet? rows = null)
{
    public VectorSegment Segment { get; } = segment;

    public PayloadFilter? Filter { get; } = filter;

    // The rows a payload-index plan allows, or null when no index narrowed the filter (every live row is a candidate).
    public RowSet? Rows { get; } = rows;

    // Whether the search is restricted at all (a graph planner samples Accept only then).
    public bool IsFiltered => Filter is not null || Rows is not null;

    public IndexOptions Options { get; } = options;

    public EngineLimits Limits { get; } = limits;

    public int Parallelism { get; } = parallelism;

    public CancellationToken CancellationToken { get; } = cancellationToken;

    // What ran, recorded by the index (the most approximate plan when a batch's queries ran differently); null when the
    // index recorded nothing (then the caller names the plan after the index kind). Written by parallel batch workers,
    // hence the compare-and-swap.
    private int _ran = -1;

    public SearchPlan? Ran => Volatile.Read(ref _ran) is var ran and >= 0 ? (SearchPlan)ran : null;

    // The exact plan's name for this search: filtered or not.
    public SearchPlan ExactPlan => IsFiltered ? SearchPlan.ExactFiltered : SearchPlan.Exact;

    public void Record(SearchPlan plan)
    {
        int value = (int)plan;
        int seen;
        do
        {
            seen = Volatile.Read(ref _ran);
            if (seen >= value)
            {
                return;
            }
        }
        while (Interlocked.CompareExchange(ref _ran, value, seen) != seen);
    }

    // Whether the row may enter the results, without fetching the item for the caller: the traversal predicate of a
    // filtered graph search. Cheap when a payload index answered the filter (a bitmap test); a payload evaluation otherwise,
    // which the graph search memoises per query.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Passes(int row) => Accept(row) is not null;

    // The row's item when the row may enter the results: not a tombstone, and passing the filter. Called only for
    // candidates good enough to enter the top-k, so the filter's cost is paid rarely.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ItemEntry? Accept(int row)
    {
        ItemEntry? item = Segment.ItemAt(row);
        return item is null || (Rows is not null && !Rows.Contains(row)) || (Filter is not null && !Filter.Matches(item.Payload)) ? null : item;
    }
}
