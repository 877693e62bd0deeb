// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Vectors;

namespace EmbeddingStore.Core.Indexes.Hnsw;

// The read side: greedy descent through the upper layers, then the ef-bounded best-first search of layer 0.
internal sealed partial class HnswGraph
{
    // How many expansions pass between looks at the cancellation token.
    private const int CancellationStride = 64;

    // Fills scratch.Results with up to `ef` rows that `search` accepts (live and passing the filter), best first in heap
    // order. Rejected rows are still traversed, so tombstones and a selective filter do not cut the graph apart: the search
    // keeps expanding until ef accepted rows are found or the frontier cannot improve them.
    public void Search(VectorSegment segment, ReadOnlySpan<float> query, int ef, IndexSearch search, HnswScratch scratch)
    {
        scratch.Reset(Capacity);
        if (EntryPoint < 0)
        {
            return;
        }

        DistanceMetric metric = segment.Version.Metric;
        int current = EntryPoint;
        float currentScore = Score(query, segment.Row(current), metric);
        for (int layer = TopLevel; layer > 0; layer--)
        {
            Descend(segment, query, metric, layer, ref current, ref currentScore);
        }

        SearchLayer(segment, query, metric, current, currentScore, ef, 0, search, exclude: -1, scratch);
    }

    // Greedy search with ef = 1 on an upper layer: move to the best neighbour until none improves.
    private void Descend(VectorSegment segment, ReadOnlySpan<float> query, DistanceMetric metric, int layer, ref int current, ref float currentScore)
    {
        bool changed = true;
        while (changed)
        {
            changed = false;
            foreach (int neighbour in Neighbours(current, layer))
            {
                float score = Score(query, segment.Row(neighbour), metric);
                if (score > currentScore)
                {
                    current = neighbour;
                    currentScore = score;
                    changed = true;
                }
            }
        }
    }

    // Algorithm 2 of the paper: best-first from `entry`, keeping the ef best accepted rows in scratch.Results (worst at the
    // root). `search` null accepts every row (construction); `exclude` is a row that must not be found (its own re-link).
    private void SearchLayer(
        VectorSegment segment, ReadOnlySpan<float> query, DistanceMetric metric, int entry, float entryScore, int ef, int layer,
        IndexSearch? search, int exclude, HnswScratch scratch)
    {
        ScoredRowHeap candidates = scratch.Candidates;
        ScoredRowHeap results = scratch.Results;
        if (exclude >= 0)
        {
            scratch.TryVisit(exclude);
        }

        scratch.TryVisit(entry);
        candidates.Push(-entryScore, entry);
        if (search is null || search.Accept(entry) is not null)
        {
            results.Push(entryScore, entry);
        }

        int expansions = 0;
        while (candidates.Count > 0)
        {
            float bestScore = -candidates.MinScore;
            int best = candidates.MinRow;
            if (results.Count >= ef && bestScore < results.MinScore)
            {
                break;
            }

            candidates.Pop();
            if (search is not null && ++expansions % CancellationStride == 0)
            {
                search.CancellationToken.ThrowIfCancellationRequested();
            }

            foreach (int neighbour in Neighbours(best, layer))
            {
                if (!scratch.TryVisit(neighbour))
                {
                    continue;
                }

                float score = Score(query, segment.Row(neighbour), metric);
                if (results.Count >= ef && !(score > results.MinScore))
                {
                    continue;
                }

                candidates.Push(-score, neighbour);

                // The filter is paid only for rows good enough to enter the results.
                if (search is null || search.Accept(neighbour) is not null)
                {
                    results.Push(score, neighbour);
                    if (results.Count > ef)
                    {
                        results.Pop();
                    }
                }
            }
        }
    }
}
