// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Collections;

namespace EmbeddingStore.Core.Filters;

// Turns the indexed conditions of a filter into the set of items that can match, before any payload is read. Each node
// is answered exactly, as a superset, or not at all (unknown):
//  - a field condition (text included) is answered by a ready index of its field when the index can answer it (PayloadFieldIndex);
//  - must intersects what its known children answer (one known child narrows; the unknown ones are left to the payload);
//  - should unions its children, and is unknown when one child is (an empty should is exactly nothing);
//  - mustNot never narrows (its complement would be most of the collection), but makes the clause a superset.
// Exact plans need no payload at all; superset plans are re-checked with the whole filter on the survivors' payloads,
// which is how indexed and unindexed answers stay identical: the set never misses a matching item.
internal static class PayloadIndexPlanner
{
    private static readonly HashSet<ItemEntry> s_none = [];

    // Null when no ready index narrows the filter: the caller evaluates the filter on every payload, as without indexes.
    // Under the collection's read lock (or its writer gate).
    public static FilterPlan? Plan(PayloadFilter? filter, Collection collection)
    {
        if (filter?.Compiled is not ClauseNode root || !collection.HasReadyPayloadIndex)
        {
            return null;
        }

        // Collecting more than half the items into a set costs more than reading their payloads.
        int cap = Math.Max(1, collection.ItemCount / 2);
        return Node(root, collection, cap) is { } found ? new FilterPlan(found.Items, found.Exact, filter) : null;
    }

    private static ItemSet? Node(FilterNode node, Collection collection, int cap) => node switch
    {
        ClauseNode clause => Clause(clause, collection, cap),
        InSetNode match when collection.FindReadyPayloadIndex(match.Key) is { } index && index.TryMatch(match.Values, cap, out ItemSet found) => found,
        RangeNode range when collection.FindReadyPayloadIndex(range.Key) is { } index
            && index.TryRange(range.Gt, range.Gte, range.Lt, range.Lte, cap, out ItemSet found) => found,
        ArrayEqualsNode equal when equal.First is { } first && collection.FindReadyPayloadIndex(equal.Key) is { } index
            && index.TryMatch(first, cap, out ItemSet found) => found with { Exact = false },
        TextNode text when collection.FindReadyPayloadIndex(text.Key) is { } index && index.TryText(text.Tokens, cap, out ItemSet found) => found,
        _ => null,
    };

    private static ItemSet? Clause(ClauseNode clause, Collection collection, int cap)
    {
        if (clause.Should is { Length: 0 })
        {
            return new ItemSet(s_none, Exact: true);
        }

        var parts = new List<ItemSet>(clause.Must.Length + 1);
        bool exact = clause.MustNot.Length == 0;
        foreach (FilterNode must in clause.Must)
        {
            if (Node(must, collection, cap) is { } found)
            {
                parts.Add(found);
            }
            else
            {
                exact = false;
            }
        }

        if (clause.Should is { } should)
        {
            if (Union(should, collection, cap) is { } any)
            {
                parts.Add(any);
            }
            else
            {
                exact = false;
            }
        }

        if (parts.Count == 0)
        {
            return null;
        }

        parts.Sort((a, b) => a.Items.Count.CompareTo(b.Items.Count));
        exact &= parts.TrueForAll(p => p.Exact);
        if (parts.Count == 1)
        {
            return parts[0] with { Exact = exact };
        }

        var result = new HashSet<ItemEntry>(ReferenceEqualityComparer.Instance);
        foreach (ItemEntry item in parts[0].Items)
        {
            bool inAll = true;
            for (int i = 1; i < parts.Count && inAll; i++)
            {
                inAll = parts[i].Items.Contains(item);
            }

            if (inAll)
            {
                result.Add(item);
            }
        }

        return new ItemSet(result, exact);
    }

    private static ItemSet? Union(FilterNode[] should, Collection collection, int cap)
    {
        var found = new List<ItemSet>(should.Length);
        foreach (FilterNode node in should)
        {
            if (Node(node, collection, cap) is not { } part)
            {
                return null;
            }

            found.Add(part);
        }

        if (found.Count == 1)
        {
            return found[0];
        }

        var union = new HashSet<ItemEntry>(ReferenceEqualityComparer.Instance);
        foreach (ItemSet part in found)
        {
            union.UnionWith(part.Items);
            if (union.Count > cap)
            {
                return null;
            }
        }

        return new ItemSet(union, found.TrueForAll(p => p.Exact));
    }
}

// What the planner found: the items that can match (all of them match when Exact), and the filter that re-checks the
// others. Rows per segment are taken from it by the search path.
internal sealed class FilterPlan(HashSet<ItemEntry> items, bool exact, PayloadFilter filter)
{
    public HashSet<ItemEntry> Items { get; } = items;

    public bool Exact { get; } = exact;

    // What is left to evaluate on a candidate's payload: nothing when the indexes answered the whole filter.
    public PayloadFilter? Residual => Exact ? null : filter;

    public bool Matches(ItemEntry item) => Items.Contains(item) && (Exact || filter.Matches(item.Payload));

    // The candidate rows of one segment, as a bitmap and an ascending list.
    public RowSet RowsIn(VectorSegment segment)
    {
        var bits = new ulong[(segment.RowCount + 63) >> 6];
        int count = 0;
        foreach (ItemEntry item in Items)
        {
            int row = item.RowIn(segment);
            if (row >= 0)
            {
                bits[row >> 6] |= 1UL << row;
                count++;
            }
        }

        return new RowSet(bits, count);
    }
}
