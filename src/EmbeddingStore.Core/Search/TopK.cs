// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Diagnostics;

namespace EmbeddingStore.Core.Search;

// How a top-k selection breaks ties: RanksBelow(a, b) is true when (scoreA, a) ranks below (scoreB, b). A struct with a
// static member, so the JIT specialises the heap for each order and the comparison inlines.
internal interface ITopKOrder<T>
{
    static abstract bool RanksBelow(float scoreA, T a, float scoreB, T b);
}

// The one bounded top-k selection of the engine: the k best (score, value) pairs seen so far in a binary min-heap whose
// root is the current worst, so each candidate costs one comparison against the root and nothing is allocated per
// candidate. The order is total (score, then TOrder's tie-break), so the kept set does not depend on insertion order and
// partial collectors merge into exactly what one collector would have kept.
internal sealed class TopK<T, TOrder>
    where TOrder : struct, ITopKOrder<T>
{
    private readonly float[] _scores;
    private readonly T[] _items;
    private int _count;

    public TopK(int k)
    {
        Debug.Assert(k > 0);
        _scores = new float[k];
        _items = new T[k];
    }

    public int Count => _count;

    public bool IsFull => _count == _scores.Length;

    public int Capacity => _scores.Length;

    // Whether a candidate with this score could enter; the tie-break is needed only when it ties with the worst.
    public bool Admits(float score) => !IsFull || score >= _scores[0];

    // The score a candidate must reach (ties then go by the order): -infinity until full. Scans keep it in a local and
    // refresh it after each Offer, so a rejected candidate costs one float comparison.
    public float Threshold => IsFull ? _scores[0] : float.NegativeInfinity;

    // The i-th kept entry, in heap order (not ranked).
    public T ItemAt(int i) => _items[i];

    public float ScoreAt(int i) => _scores[i];

    // Empties the collector for reuse by the next query of a batch, without reallocating.
    public void Clear()
    {
        Array.Clear(_items, 0, _count);
        _count = 0;
    }

    // Offers every entry of another collector; the order is total, so any partitioning merges to the same top-k.
    public void MergeFrom(TopK<T, TOrder> other)
    {
        for (int i = 0; i < other._count; i++)
        {
            Offer(other._scores[i], other._items[i]);
        }
    }

    public void Offer(float score, T item)
    {
        if (!IsFull)
        {
            int i = _count++;
            _scores[i] = score;
            _items[i] = item;
            SiftUp(i);
            return;
        }

        if (!TOrder.RanksBelow(_scores[0], _items[0], score, item))
        {
            return;
        }

        _scores[0] = score;
        _items[0] = item;
        SiftDown(0);
    }

    // Best first.
    public List<(T Item, float Score)> ToSortedList()
    {
        var result = new List<(T Item, float Score)>(_count);
        for (int i = 0; i < _count; i++)
        {
            result.Add((_items[i], _scores[i]));
        }

        result.Sort(static (a, b) => TOrder.RanksBelow(a.Score, a.Item, b.Score, b.Item) ? 1 : TOrder.RanksBelow(b.Score, b.Item, a.Score, a.Item) ? -1 : 0);
        return result;
    }

    // Writes the kept entries best first into `items` (and scores if given) and empties the collector; returns how many.
    public int Drain(Span<T> items, Span<float> scores = default)
    {
        int n = _count;
        for (int i = n - 1; i >= 0; i--)
        {
            // Pop the worst into the last free slot.
            items[i] = _items[0];
            if (!scores.IsEmpty)
            {
                scores[i] = _scores[0];
            }

            _count--;
            if (_count > 0)
            {
                _scores[0] = _scores[_count];
                _items[0] = _items[_count];
                SiftDown(0);
            }
        }

        Array.Clear(_items, 0, n);
        return n;
    }

    private void SiftUp(int i)
    {
        while (i > 0)
        {
            int parent = (i - 1) >> 1;
            if (!TOrder.RanksBelow(_scores[i], _items[i], _scores[parent], _items[parent]))
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
            if (right < _count && TOrder.RanksBelow(_scores[right], _items[right], _scores[left], _items[left]))
            {
                worst = right;
            }

            if (!TOrder.RanksBelow(_scores[worst], _items[worst], _scores[i], _items[i]))
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

// Ties by ordinal item id, as every search answer is ordered.
internal readonly struct ByItemId : ITopKOrder<Collections.ItemEntry>
{
    public static bool RanksBelow(float scoreA, Collections.ItemEntry a, float scoreB, Collections.ItemEntry b) =>
        Vectors.ScoreMapping.CompareHits(scoreA, a.Id, scoreB, b.Id) > 0;
}

// Ties to the lower integer id, the order of the shared ground-truth files.
internal readonly struct ByLowerId : ITopKOrder<int>
{
    public static bool RanksBelow(float scoreA, int a, float scoreB, int b) => scoreA < scoreB || (scoreA == scoreB && a > b);
}
