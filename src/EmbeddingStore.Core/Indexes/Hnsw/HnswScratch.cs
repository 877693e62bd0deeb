// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Collections.Concurrent;
using System.Diagnostics;

namespace EmbeddingStore.Core.Indexes.Hnsw;

// What one graph search needs besides the graph: a visited set and two heaps. Rented from a pool per search and
// returned after, so a search allocates nothing per visited node (and, once the pool is warm, nothing at all).
internal sealed class HnswScratch
{
    // Visited marks are epochs: a row is visited when its mark equals the current epoch, so clearing the set for the next
    // search is one increment instead of a pass over every row.
    private int[] _marks = [];
    private int _epoch;

    // A filtered search's verdicts, memoised per query with the same epochs: +epoch passes, -epoch fails, anything else
    // is not yet known. A payload filter is evaluated at most once per row per query however often the two-hop
    // expansion meets the row. Sized with the marks.
    private int[] _verdicts = [];

    // The frontier, best first (a min-heap on negated scores).
    public ScoredRowHeap Candidates { get; } = new();

    // The best rows found so far, worst at the root, bounded by the caller at ef.
    public ScoredRowHeap Results { get; } = new();

    // Neighbour-selection buffers of the write side (reused, never shrunk).
    public List<(float Score, int Row)> Selection { get; } = [];

    public List<int> Chosen { get; } = [];

    // The int8 scoring of a walk on codes (bound per search, released after).
    public HnswCodeWalk CodeWalk { get; } = new();

    private int[] _rescoreRows = [];
    private float[] _rescoreScores = [];

    // The float scores of every row in `results` (in its order), through the gathered kernel, which sums exactly as the
    // exact scan does: what a walk on codes returns instead of its approximate scores.
    public ReadOnlySpan<float> Rescore(Collections.VectorSegment segment, ReadOnlySpan<float> query, ScoredRowHeap results)
    {
        int count = results.Count;
        if (_rescoreRows.Length < count)
        {
            _rescoreRows = new int[Math.Max(count, 2 * _rescoreRows.Length)];
            _rescoreScores = new float[_rescoreRows.Length];
        }

        Span<int> rows = _rescoreRows.AsSpan(0, count);
        for (int i = 0; i < count; i++)
        {
            rows[i] = results.RowAt(i);
        }

        Span<float> scores = _rescoreScores.AsSpan(0, count);
        Vectors.VectorMath.ScoreGatheredRows(query, segment.Data, rows, segment.Version.Metric, scores);
        return scores;
    }

    // Starts a search over `rows` rows: every row unvisited, both heaps empty.
    public void Reset(int rows)
    {
        if (_marks.Length < rows)
        {
            _marks = new int[Math.Max(rows, _marks.Length * 2)];
            _verdicts = new int[_marks.Length];
            _epoch = 0;
        }

        if (++_epoch == int.MaxValue)
        {
            Array.Clear(_marks);
            Array.Clear(_verdicts);
            _epoch = 1;
        }

        Candidates.Clear();
        Results.Clear();
    }

    public bool IsVisited(int row)
    {
        Debug.Assert(row < _marks.Length);
        return _marks[row] == _epoch;
    }

    public void Visit(int row)
    {
        Debug.Assert(row < _marks.Length);
        _marks[row] = _epoch;
    }

    // The memoised verdict of `row` under `search`'s filter, evaluating it the first time the row is met in this query.
    public bool Passes(IndexSearch search, int row)
    {
        ref int verdict = ref _verdicts[row];
        if (verdict == _epoch)
        {
            return true;
        }

        if (verdict == -_epoch)
        {
            return false;
        }

        bool passes = search.Passes(row);
        verdict = passes ? _epoch : -_epoch;
        return passes;
    }

    // Requests the visited marks of `rows` before they are tested, so the misses of one neighbour list overlap instead of
    // stalling one by one (the marks of a large segment do not fit in the core's cache). A hint only.
    public unsafe void PrefetchMarks(ReadOnlySpan<int> rows)
    {
        if (System.Runtime.Intrinsics.X86.Sse.IsSupported)
        {
            foreach (int row in rows)
            {
                System.Runtime.Intrinsics.X86.Sse.Prefetch0(System.Runtime.CompilerServices.Unsafe.AsPointer(ref _marks[row]));
            }
        }
    }

    // Marks the row; false when it was already visited in this search.
    public bool TryVisit(int row)
    {
        Debug.Assert(row < _marks.Length);
        ref int mark = ref _marks[row];
        if (mark == _epoch)
        {
            return false;
        }

        mark = _epoch;
        return true;
    }
}

// A pool of scratch objects for concurrent searches under the collection's read lock: each search takes one and gives it
// back, so the number alive is the peak number of concurrent searches, not the number of searches.
internal sealed class HnswScratchPool
{
    private readonly ConcurrentBag<HnswScratch> _free = [];

    public HnswScratch Rent() => _free.TryTake(out HnswScratch? scratch) ? scratch : new HnswScratch();

    public void Return(HnswScratch scratch) => _free.Add(scratch);

    // Drops pooled buffers sized for a graph that no longer exists.
    public void Clear() => _free.Clear();
}

// A binary min-heap of (score, row) pairs in two growable arrays. Ties go to the higher row at the root, so the order is
// total and a search's path does not depend on how the heap happened to be filled.
internal sealed class ScoredRowHeap
{
    private float[] _scores = new float[64];
    private int[] _rows = new int[64];

    public int Count { get; private set; }

    public float MinScore => _scores[0];

    public int MinRow => _rows[0];

    public float ScoreAt(int i) => _scores[i];

    public int RowAt(int i) => _rows[i];

    public void Clear() => Count = 0;

    public void Push(float score, int row)
    {
        if (Count == _scores.Length)
        {
            Array.Resize(ref _scores, Count * 2);
            Array.Resize(ref _rows, Count * 2);
        }

        int i = Count++;
        while (i > 0)
        {
            int parent = (i - 1) >> 1;
            if (!Below(score, row, _scores[parent], _rows[parent]))
            {
                break;
            }

            _scores[i] = _scores[parent];
            _rows[i] = _rows[parent];
            i = parent;
        }

        _scores[i] = score;
        _rows[i] = row;
    }

    public void Pop()
    {
        Debug.Assert(Count > 0);
        int last = --Count;
        if (last == 0)
        {
            return;
        }

        float score = _scores[last];
        int row = _rows[last];
        int i = 0;
        while (true)
        {
            int child = (2 * i) + 1;
            if (child >= last)
            {
                break;
            }

            if (child + 1 < last && Below(_scores[child + 1], _rows[child + 1], _scores[child], _rows[child]))
            {
                child++;
            }

            if (!Below(_scores[child], _rows[child], score, row))
            {
                break;
            }

            _scores[i] = _scores[child];
            _rows[i] = _rows[child];
            i = child;
        }

        _scores[i] = score;
        _rows[i] = row;
    }

    private static bool Below(float scoreA, int rowA, float scoreB, int rowB) => scoreA < scoreB || (scoreA == scoreB && rowA > rowB);
}
