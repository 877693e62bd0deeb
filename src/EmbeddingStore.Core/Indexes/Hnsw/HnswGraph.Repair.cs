// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Vectors;

namespace EmbeddingStore.Core.Indexes.Hnsw;

// Removing nodes and renumbering rows, for compaction (tombstones dropped, rows shifted down) and for a loaded file
// (rows matched to the segment by item id, in whatever order storage returned them). A removed node's in-neighbours
// would lose a path through it, so each list that pointed at a removed node is chosen again by the heuristic from its
// surviving links plus the removed node's surviving links on that layer (the two-hop candidates a search would have
// reached through it), as FreshDiskANN's delete consolidation does for its graph. Nodes left with no layer-0 link are
// re-inserted. Only the floats of surviving rows are read, so this works after the segment has moved its rows.
internal sealed partial class HnswGraph
{
    // A new graph over `segment`'s rows: old row r becomes oldToNew[r] (or is removed at -1); levels are kept, so a
    // renumbered node stays on the layers it was linked on. Single-threaded, on the write side.
    public HnswGraph Remap(ReadOnlySpan<int> oldToNew, VectorSegment segment, HnswScratch scratch)
    {
        var graph = new HnswGraph(_parameters);
        graph.EnsureCapacity(segment.RowCount);
        int limit = Math.Min(Capacity, oldToNew.Length);
        for (int row = 0; row < limit; row++)
        {
            int now = oldToNew[row];
            if (_levels[row] < 0 || now < 0)
            {
                continue;
            }

            int level = _levels[row];
            graph._levels[now] = level;
            if (level > 0)
            {
                graph._upper[now] = new int[level * _strideUpper];
                graph._upperBytes += level * _strideUpper * (long)sizeof(int);
            }

            graph.NodeCount++;
        }

        // The same centre; the surviving nodes take their floats at their new rows.
        graph.SetCentre(_centre, segment);
        DistanceMetric metric = segment.Version.Metric;
        var candidates = new HashSet<int>();
        List<(float Score, int Row)> selection = scratch.Selection;
        var orphans = new List<int>();
        for (int row = 0; row < limit; row++)
        {
            int now = oldToNew[row];
            if (_levels[row] < 0 || now < 0)
            {
                continue;
            }

            for (int layer = 0; layer <= _levels[row]; layer++)
            {
                ReadOnlySpan<int> links = Neighbours(row, layer);
                Span<int> block = graph.Block(now, layer);
                bool lost = false;
                int count = 0;
                foreach (int link in links)
                {
                    int mapped = link < limit ? oldToNew[link] : -1;
                    if (mapped < 0)
                    {
                        lost = true;
                    }
                    else
                    {
                        block[1 + count++] = mapped;
                    }
                }

                block[0] = count;
                if (lost)
                {
                    RepairList(graph, segment, metric, row, now, layer, oldToNew[..limit], candidates, selection, scratch.Chosen);
                }

                if (layer == 0 && block[0] == 0 && graph.NodeCount > 1)
                {
                    orphans.Add(now);
                }
            }
        }

        int entry = EntryPoint >= 0 && EntryPoint < limit ? oldToNew[EntryPoint] : -1;
        if (entry < 0)
        {
            for (int row = 0; row < graph.Capacity; row++)
            {
                if (graph._levels[row] >= 0 && (entry < 0 || graph._levels[row] > graph._levels[entry]))
                {
                    entry = row;
                }
            }
        }

        graph.EntryPoint = entry;
        graph.TopLevel = entry < 0 ? -1 : graph._levels[entry];
        foreach (int orphan in orphans)
        {
            if (graph.Block(orphan, 0)[0] == 0)
            {
                graph.Relink(segment, orphan, scratch);
            }
        }

        return graph;
    }

    // The new list of `now` (old `oldRow`) on `layer` in `target`: its surviving links plus the surviving links of each
    // removed neighbour in this (the old) graph, chosen by the heuristic up to the layer's bound (the rule LinkBack prunes
    // a full list by).
    private void RepairList(
        HnswGraph target, VectorSegment segment, DistanceMetric metric, int oldRow, int now, int layer, ReadOnlySpan<int> oldToNew,
        HashSet<int> candidates, List<(float Score, int Row)> selection, List<int> chosen)
    {
        Span<int> block = target.Block(now, layer);
        candidates.Clear();
        foreach (int kept in block.Slice(1, block[0]))
        {
            candidates.Add(kept);
        }

        foreach (int link in Neighbours(oldRow, layer))
        {
            if (link < oldToNew.Length && oldToNew[link] >= 0)
            {
                continue;
            }

            // The removed node was on this layer (the file's links were range-checked), so it has a list here.
            foreach (int twoHop in Neighbours(link, layer))
            {
                int mapped = twoHop < oldToNew.Length ? oldToNew[twoHop] : -1;
                if (mapped >= 0 && mapped != now && twoHop != oldRow)
                {
                    candidates.Add(mapped);
                }
            }
        }

        selection.Clear();
        foreach (int candidate in candidates)
        {
            selection.Add((target.Similarity(segment, now, candidate, metric), candidate));
        }

        SortBestFirst(selection);
        int max = layer == 0 ? _parameters.MaxLinks0 : _parameters.M;
        target.SelectNeighbours(segment, metric, selection, max, chosen);
        block[0] = chosen.Count;
        for (int i = 0; i < chosen.Count; i++)
        {
            block[1 + i] = chosen[i];
        }
    }

    // Re-links an existing node from the entry point (or, when it is the entry point, from any node): used for a node a
    // remap left with no links at all.
    private void Relink(VectorSegment segment, int row, HnswScratch scratch)
    {
        if (EntryPoint == row)
        {
            int other = -1;
            for (int candidate = 0; candidate < Capacity && other < 0; candidate++)
            {
                other = candidate != row && _levels[candidate] >= 0 ? candidate : -1;
            }

            if (other < 0)
            {
                return;
            }

            for (int layer = 0; layer <= _levels[row]; layer++)
            {
                Block(row, layer)[0] = 0;
            }

            Link(segment, row, _levels[row], other, _levels[other], scratch);
            return;
        }

        Insert(segment, row, scratch);
    }
}
