// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Diagnostics;
using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Vectors;

namespace EmbeddingStore.Core.Indexes.Hnsw;

// The write side: Algorithm 1 (insert) with Algorithm 4 (the heuristic neighbour selection), as hnswlib does it: no
// extended candidates, no kept pruned connections, M links chosen per layer and a neighbour's list re-pruned by the same
// heuristic when a back link overflows it.
internal sealed partial class HnswGraph
{
    // Inserts `row` (its vector already in the segment), or re-links it when it is already a node: an overwrite keeps the
    // row and its level, drops its own links and finds new ones. Back links other rows hold to it stay until their lists are
    // next pruned; they still point at a live row, so traversal stays correct, only a little less direct.
    public void Insert(VectorSegment segment, int row, HnswScratch scratch)
    {
        EnsureCapacity(row + 1);
        DistanceMetric metric = segment.Version.Metric;
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
            level = LevelOf(row);
            _levels[row] = level;
            if (level > 0)
            {
                _upper[row] = new int[level * _strideUpper];
                _upperBytes += level * _strideUpper * (long)sizeof(int);
            }

            NodeCount++;
        }

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

        ReadOnlySpan<float> vector = segment.Row(row);
        int current = start;
        float currentScore = Score(vector, segment.Row(current), metric);
        for (int layer = TopLevel; layer > level; layer--)
        {
            Descend(segment, vector, metric, layer, ref current, ref currentScore);
        }

        Span<int> chosen = stackalloc int[_parameters.MaxLinks0];
        for (int layer = Math.Min(level, TopLevel); layer >= 0; layer--)
        {
            if (_levels[current] < layer)
            {
                // Only when re-linking the entry point from a lower neighbour: it has no list on this layer to search.
                continue;
            }

            scratch.Reset(Capacity);
            SearchLayer(segment, vector, metric, current, currentScore, _parameters.EfConstruction, layer, search: null, exclude: row, scratch);

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

            SelectNeighbours(segment, metric, selection, _parameters.M, scratch.Chosen);
            Span<int> block = Block(row, layer);
            block[0] = scratch.Chosen.Count;
            for (int i = 0; i < scratch.Chosen.Count; i++)
            {
                block[1 + i] = scratch.Chosen[i];
            }

            // Copied out first: linking back reuses the selection buffers.
            int chosenCount = scratch.Chosen.Count;
            scratch.Chosen.CopyTo(chosen);
            foreach (int neighbour in chosen[..chosenCount])
            {
                LinkBack(segment, metric, neighbour, row, layer, scratch);
            }
        }

        if (level > TopLevel)
        {
            EntryPoint = row;
            TopLevel = level;
        }

        AssertLinks(row);
    }

    // Algorithm 4: walk the candidates best first and keep one only when it is closer to the base than to every row kept
    // so far, so the links spread in different directions instead of bunching in the nearest cluster.
    private static void SelectNeighbours(VectorSegment segment, DistanceMetric metric, List<(float Score, int Row)> sortedBestFirst, int m, List<int> chosen)
    {
        chosen.Clear();
        foreach ((float score, int candidate) in sortedBestFirst)
        {
            if (chosen.Count >= m)
            {
                break;
            }

            ReadOnlySpan<float> candidateVector = segment.Row(candidate);
            bool keep = true;
            foreach (int kept in chosen)
            {
                if (Score(candidateVector, segment.Row(kept), metric) > score)
                {
                    keep = false;
                    break;
                }
            }

            if (keep)
            {
                chosen.Add(candidate);
            }
        }
    }

    // Adds the back link neighbour -> row, re-pruning the neighbour's list with the heuristic when it is full.
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
        for (int i = 1; i <= count; i++)
        {
            selection.Add((Score(baseVector, segment.Row(block[i]), metric), block[i]));
        }

        selection.Add((Score(baseVector, segment.Row(row), metric), row));
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
