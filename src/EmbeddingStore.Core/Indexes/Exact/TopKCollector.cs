// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Diagnostics;
using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Vectors;

namespace EmbeddingStore.Core.Indexes.Exact;

// Keeps the k best (score, item) pairs seen so far in a binary min-heap whose root is the current worst, so each
// candidate costs one comparison against the root and nothing is allocated per candidate. "Worse" is a lower score,
// or an equal score with the larger ordinal id: ties therefore resolve the same way regardless of insertion order.
internal sealed class TopKCollector
{
    private readonly float[] _scores;
    private readonly ItemEntry[] _items;
    private int _count;

    public TopKCollector(int k)
    {
        Debug.Assert(k > 0);
        _scores = new float[k];
        _items = new ItemEntry[k];
    }

    public int Count => _count;

    public bool IsFull => _count == _scores.Length;

    public int Capacity => _scores.Length;

    // Whether a candidate with this score could enter; the id is needed only when it ties with the worst.
    public bool Admits(float score) => !IsFull || score >= _scores[0];

    // The score a candidate must reach (ties then go by id): -infinity until full. Scans keep it in a local and
    // refresh it after each Offer, so a rejected candidate costs one float comparison.
    public float Threshold => IsFull ? _scores[0] : float.NegativeInfinity;

    // The i-th kept entry, in heap order (not ranked).
    public ItemEntry ItemAt(int i) => _items[i];

    // Empties the collector for reuse by the next query of a batch, without reallocating.
    public void Clear()
    {
        Array.Clear(_items, 0, _count);
        _count = 0;
    }

    // Offers every entry of another collector. The ranking is a total order (score, then ordinal id), so merging
    // per-partition collectors yields the same top-k whatever the partitioning or the merge order.
    public void MergeFrom(TopKCollector other)
    {
        for (int i = 0; i < other._count; i++)
        {
            Offer(other._scores[i], other._items[i]);
        }
    }

    public void Offer(float score, ItemEntry item)
    {
        if (!IsFull)
        {
            int i = _count++;
            _scores[i] = score;
            _items[i] = item;
            SiftUp(i);
            return;
        }

        if (!IsWorse(_scores[0], _items[0], score, item))
        {
            return;
        }

        _scores[0] = score;
        _items[0] = item;
        SiftDown(0);
    }

    // Best first.
    public List<(ItemEntry Item, float Score)> ToSortedList()
    {
        var result = new List<(ItemEntry Item, float Score)>(_count);
        for (int i = 0; i < _count; i++)
        {
            result.Add((_items[i], _scores[i]));
        }

        result.Sort(static (a, b) => ScoreMapping.CompareHits(a.Score, a.Item.Id, b.Score, b.Item.Id));
        return result;
    }

    // True when (scoreA, itemA) ranks below (scoreB, itemB).
    private static bool IsWorse(float scoreA, ItemEntry itemA, float scoreB, ItemEntry itemB) =>
        ScoreMapping.CompareHits(scoreA, itemA.Id, scoreB, itemB.Id) > 0;

    private void SiftUp(int i)
    {
        while (i > 0)
        {
            int parent = (i - 1) >> 1;
            if (!IsWorse(_scores[i], _items[i], _scores[parent], _items[parent]))
            {
                break;
            }

            Swap(i, parent);
            i = parent;
        }
    }

    private void SiftDown(int i)
    {
        while (true)
        {
            int left = (2 * i) + 1;
            if (left >= _count)
            {
                break;
            }

            int worst = left;
            int right = left + 1;
            if (right < _count && IsWorse(_scores[right], _items[right], _scores[left], _items[left]))
            {
                worst = right;
            }

            if (!IsWorse(_scores[worst], _items[worst], _scores[i], _items[i]))
            {
                break;
            }

            Swap(i, worst);
            i = worst;
        }
    }

    private void Swap(int a, int b)
    {
        (_scores[a], _scores[b]) = (_scores[b], _scores[a]);
        (_items[a], _items[b]) = (_items[b], _items[a]);
    }
}
