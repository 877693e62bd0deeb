// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Diagnostics;
using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Vectors;

namespace EmbeddingStore.Core.Indexes.Hnsw;

// The write side: Algorithm 1 (insert) with Algorithm 4 (the heuristic neighbour selection). By default as hnswlib does
// it: no extended candidates, no kept pruned connections, M links chosen per layer and a neighbour's list re-pruned by
// the same heuristic when a back link overflows it. With KeepPrunedConnections as pgvector does it: a new row chooses 2M
// links on layer 0, and every selection fills its list to the limit with the nearest rows the heuristic refused.
internal sealed partial class HnswGraph
{
    // Row stripes of the link-list locks of a parallel build: enough that two threads rarely want the same one.
    private const int LockStripes = 1024;

    // Inserts `row` (its vector already in the segment), or re-links it when it is already a node: an overwrite keeps the
    // row and its level, drops its own links and finds new ones. Back links other rows hold to it stay until their lists are
    // next pruned; they still point at a live row, so traversal stays correct, only a little less direct.
    public void Insert(VectorSegment segment, int row, HnswScratch scratch)
    {
        EnsureCapacity(row + 1);
        TakeOffset(segment, row);
        int level;
        int start = EntryPoint;
        if (_levels[row] >= 0)
        {
            level = _levels[row];
            if (start == row)
            {
                start = AnyNeighbour(row);
            }

            for (int layer = 0; layer <= level; layer++)
            {
                Block(row, layer)[0] = 0;
            }
        }
        else
        {
            level = AddNode(row);
        }

        Link(segment, row, level, start, TopLevel, scratch);
        AssertLinks(row);
    }

    // Links every live row of `segment` (none of them a node yet) on `threads` threads, hnswlib's scheme: levels and link
    // blocks are assigned first, on this thread; then the threads take rows in row order from a shared counter, each
    // with its own scratch, reading and writing a row's links only under its stripe lock, and holding the entry-point
    // lock for the whole insert of a row that raises the top level. The graph is as good as a sequential build's but not
    // the same graph: which rows exist when a row is linked depends on thread timing. `threads` is bounded by the caller.
    public void LinkConcurrently(VectorSegment segment, int threads, HnswScratchPool pool, CancellationToken cancellationToken) =>
        LinkConcurrently(segment, threads, pool, cancellationToken, 0, segment.RowCount);

    // The same for the rows in [fromRow, toRow) only: one chunk of a background build.
    public void LinkConcurrently(VectorSegment segment, int threads, HnswScratchPool pool, CancellationToken cancellationToken, int fromRow, int toRow)
    {
        EnsureCapacity(segment.RowCount);
        List<int> rows = new(toRow - fromRow);
        for (int row = fromRow; row < toRow; row++)
        {
            if (segment.ItemAt(row) is not null && _levels[row] < 0)
            {
                AddNode(row);
                TakeOffset(segment, row);
                rows.Add(row);
            }
        }

        var stripes = new object[LockStripes];
        for (int i = 0; i < stripes.Length; i++)
        {
            stripes[i] = new object();
        }

        _stripes = stripes;
        int next = -1;
        try
        {
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads, CancellationToken = cancellationToken }, _ =>
            {
                HnswScratch scratch = pool.Rent();
                try
                {
                    int i;
                    while ((i = Interlocked.Increment(ref next)) < rows.Count)
                    {
                        if ((i & 255) == 0)
                        {
                            cancellationToken.ThrowIfCancellationRequested();
                        }

                        LinkUnderEntryLock(segment, rows[i], scratch);
                    }
                }
                finally
                {
                    pool.Return(scratch);
                }
            });
        }
        finally
        {
            _stripes = null;
        }
    }

    // Assigns a new node its level and its upper-layer link blocks. Single-threaded (the blocks array is not shared safely).
    private int AddNode(int row)
    {
        int level = LevelOf(row);
        _levels[row] = level;
        if (level > 0)
        {
            _upper[row] = new int[level * _strideUpper];
            _upperBytes += level * _strideUpper * (long)sizeof(int);
        }

        NodeCount++;
        return level;
    }

    private void LinkUnderEntryLock(VectorSegment segment, int row, HnswScratch scratch)
    {
        int level = _levels[row];
        Monitor.Enter(_entryLock);
        int start = EntryPoint;
        int top = TopLevel;
        bool raisesTop = level > top;
        if (!raisesTop)
        {
            Monitor.Exit(_entryLock);
        }

        try
        {
            Link(segment, row, level, start, top, scratch);
        }
        finally
        {
            if (raisesTop)
            {
                Monitor.Exit(_entryLock);
            }
        }
    }

    // Algorithm 1 from `start` (the entry point as of `top`): greedy descent to the row's level, then on each of its
    // layers an efConstruction search, the heuristic choice of M links, and the back links.
    private void Link(VectorSegment segment, int row, int level, int start, int top, HnswScratch scratch)
    {
        DistanceMetric metric = segment.Version.Metric;
        if (start < 0)
        {
            // The first node (or a re-linked node with nothing left to link to).
            if (EntryPoint < 0)
            {
                EntryPoint = row;
                TopLevel = level;
            }

            return;
        }

        // The searches score rows against this one and take them to the build's similarities (raw unless centred).
        ReadOnlySpan<float> vector = segment.Row(row);
        BuildScoring scoring = ScoringFor(row);
        int current = start;
        float currentScore = Rescore(scoring, current, Score(vector, segment.Row(current), metric));
        for (int layer = top; layer > level; layer--)
        {
            Descend(segment, vector, metric, layer, ref current, ref currentScore, scoring);
        }

        Span<int> chosen = stackalloc int[_parameters.MaxLinks0];
        for (int layer = Math.Min(level, top); layer >= 0; layer--)
        {
            if (_levels[current] < layer)
            {
                // Only when re-linking the entry point from a lower neighbour: it has no list on this layer to search.
                continue;
            }

            scratch.Reset(Capacity);
            SearchLayer(segment, vector, metric, current, currentScore, _parameters.EfConstruction, layer, search: null, exclude: row, scratch, scoring);

            // The next layer down starts from the best row found on this one.
            List<(float Score, int Row)> selection = scratch.Selection;
            selection.Clear();
            ScoredRowHeap results = scratch.Results;
            for (int i = 0; i < results.Count; i++)
            {
                selection.Add((results.ScoreAt(i), results.RowAt(i)));
            }

            if (selection.Count == 0)
            {
                continue;
            }

            SortBestFirst(selection);
            current = selection[0].Row;
            currentScore = selection[0].Score;

            SelectNeighbours(segment, metric, selection, layer == 0 && _parameters.KeepPrunedConnections ? _parameters.MaxLinks0 : _parameters.M, scratch.Chosen);

            // Copied out first: linking back reuses the selection buffers.
            int chosenCount = scratch.Chosen.Count;
            scratch.Chosen.CopyTo(chosen);
            WriteLinks(row, layer, chosen[..chosenCount]);
            foreach (int neighbour in chosen[..chosenCount])
            {
                if (_stripes is { } stripes)
                {
                    lock (stripes[neighbour & (stripes.Length - 1)])
                    {
                        LinkBack(segment, metric, neighbour, row, layer, scratch);
                    }
                }
                else
                {
                    LinkBack(segment, metric, neighbour, row, layer, scratch);
                }
            }
        }

        if (level > top)
        {
            EntryPoint = row;
            TopLevel = level;
        }
    }

    private void WriteLinks(int row, int layer, ReadOnlySpan<int> links)
    {
        if (_stripes is { } stripes)
        {
            lock (stripes[row & (stripes.Length - 1)])
            {
                WriteBlock(Block(row, layer), links);
            }
        }
        else
        {
            WriteBlock(Block(row, layer), links);
        }

        static void WriteBlock(Span<int> block, ReadOnlySpan<int> links)
        {
            links.CopyTo(block[1..]);
            block[0] = links.Length;
        }
    }

    // Algorithm 4: walk the candidates best first and keep one only when it is closer to the base than to every row kept
    // so far, so the links spread in different directions instead of bunching in the nearest cluster. With kept pruned
    // connections the refused rows, best first, then fill what the heuristic left free.
    private void SelectNeighbours(VectorSegment segment, DistanceMetric metric, List<(float Score, int Row)> sortedBestFirst, int m, List<int> chosen)
    {
        chosen.Clear();
        Span<int> refused = _parameters.KeepPrunedConnections ? stackalloc int[m] : default;
        int refusedCount = 0;
        foreach ((float score, int candidate) in sortedBestFirst)
        {
            if (chosen.Count >= m)
            {
                break;
            }

            bool keep = true;
            foreach (int kept in chosen)
            {
                if (Similarity(segment, candidate, kept, metric) > score)
                {
                    keep = false;
                    break;
                }
            }

            if (keep)
            {
                chosen.Add(candidate);
            }
            else if (refusedCount < refused.Length)
            {
                refused[refusedCount++] = candidate;
            }
        }

        for (int i = 0; i < refusedCount && chosen.Count < m; i++)
        {
            chosen.Add(refused[i]);
        }
    }

    // Adds the back link neighbour -> row, re-pruning the neighbour's list with the heuristic when it is full. The caller
    // holds the neighbour's stripe lock during a parallel build.
    private void LinkBack(VectorSegment segment, DistanceMetric metric, int neighbour, int row, int layer, HnswScratch scratch)
    {
        Span<int> block = Block(neighbour, layer);
        int count = block[0];
        int max = layer == 0 ? _parameters.MaxLinks0 : _parameters.M;
        for (int i = 1; i <= count; i++)
        {
            if (block[i] == row)
            {
                return;
            }
        }

        if (count < max)
        {
            block[count + 1] = row;
            block[0] = count + 1;
            return;
        }

        ReadOnlySpan<float> baseVector = segment.Row(neighbour);
        List<(float Score, int Row)> selection = scratch.Selection;
        selection.Clear();
        Span<float> scores = stackalloc float[count];
        VectorMath.ScoreGatheredRows(baseVector, segment.Data, block.Slice(1, count), metric, scores);
        Rescore(ScoringFor(neighbour), block.Slice(1, count), scores);
        for (int i = 0; i < count; i++)
        {
            selection.Add((scores[i], block[1 + i]));
        }

        selection.Add((Similarity(segment, neighbour, row, metric), row));
        SortBestFirst(selection);
        SelectNeighbours(segment, metric, selection, max, scratch.Chosen);
        block[0] = scratch.Chosen.Count;
        for (int i = 0; i < scratch.Chosen.Count; i++)
        {
            block[1 + i] = scratch.Chosen[i];
        }
    }

    // A row to start a re-link of the entry point from: its first neighbour on its highest layer that has one.
    private int AnyNeighbour(int row)
    {
        for (int layer = _levels[row]; layer >= 0; layer--)
        {
            ReadOnlySpan<int> neighbours = Neighbours(row, layer);
            if (neighbours.Length > 0)
            {
                Debug.Assert(_levels[neighbours[0]] >= 0);
                return neighbours[0];
            }
        }

        return -1;
    }

    // Best first; ties to the lower row, so the order (and so the graph) does not depend on the heap's layout.
    private static void SortBestFirst(List<(float Score, int Row)> selection) =>
        selection.Sort(static (a, b) => a.Score != b.Score ? b.Score.CompareTo(a.Score) : a.Row.CompareTo(b.Row));
}
