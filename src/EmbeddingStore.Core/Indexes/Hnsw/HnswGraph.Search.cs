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
    // keeps expanding until ef accepted rows are found or the frontier cannot improve them. With `walk` the rows are scored
    // on the segment's int8 codes, so Results holds approximate scores the caller re-scores.
    public void Search(VectorSegment segment, ReadOnlySpan<float> query, int ef, IndexSearch search, HnswScratch scratch, HnswCodeWalk? walk = null)
    {
        scratch.Reset(Capacity);
        if (EntryPoint < 0)
        {
            return;
        }

        DistanceMetric metric = segment.Version.Metric;
        (int current, float currentScore) = EnterLayer0(segment, query, metric, walk);
        SearchLayer(segment, query, metric, current, currentScore, ef, 0, search, exclude: -1, scratch, walk: walk);
    }

    // The layer-0 start of every search, filtered or not: from the entry point, greedily down through the upper layers.
    private (int Row, float Score) EnterLayer0(VectorSegment segment, ReadOnlySpan<float> query, DistanceMetric metric, HnswCodeWalk? walk)
    {
        int current = EntryPoint;
        float currentScore = walk is not null ? walk.Score(current) : Score(query, segment.Row(current), metric);
        for (int layer = TopLevel; layer > 0; layer--)
        {
            Descend(segment, query, metric, layer, ref current, ref currentScore, walk: walk);
        }

        return (current, currentScore);
    }

    // Greedy search with ef = 1 on an upper layer: move to the best neighbour until none improves. The neighbours are
    // scored together (one gathered kernel call per node) and then walked in list order, so the path is the one a
    // neighbour-at-a-time loop would take.
    private void Descend(
        VectorSegment segment, ReadOnlySpan<float> query, DistanceMetric metric, int layer, ref int current, ref float currentScore, BuildScoring scoring = default,
        HnswCodeWalk? walk = null)
    {
        Span<int> links = stackalloc int[_parameters.MaxLinks0];
        Span<float> scores = stackalloc float[_parameters.MaxLinks0];
        ReadOnlySpan<float> data = segment.Data;
        bool changed = true;
        while (changed)
        {
            changed = false;
            int count = CopyNeighbours(current, layer, links);
            ScoreRows(query, data, links[..count], metric, scores, scoring, walk);

            for (int i = 0; i < count; i++)
            {
                if (scores[i] > currentScore)
                {
                    current = links[i];
                    currentScore = scores[i];
                    changed = true;
                }
            }
        }
    }

    // A row good enough for the frontier is likely to be expanded: its link list is requested now, so reading it later
    // does not stall (the vectors sit in the segment, the links here; hnswlib keeps both in one block). A hint only.
    private unsafe void PrefetchLinks(int row, int layer)
    {
        if (layer == 0 && System.Runtime.Intrinsics.X86.Sse.IsSupported)
        {
            System.Runtime.Intrinsics.X86.Sse.Prefetch0(System.Runtime.CompilerServices.Unsafe.AsPointer(ref _links0[row * _stride0]));
        }
    }

    // Algorithm 2 of the paper: best-first from `entry`, keeping the ef best accepted rows in scratch.Results (worst at the
    // root). `search` null accepts every row (construction); `exclude` is a row that must not be found (its own re-link).
    // Per expansion: the node's links are copied out (under its lock while a parallel build runs), the unvisited ones are
    // scored in one gathered kernel call, then offered in list order; nothing is allocated.
    private void SearchLayer(
        VectorSegment segment, ReadOnlySpan<float> query, DistanceMetric metric, int entry, float entryScore, int ef, int layer,
        IndexSearch? search, int exclude, HnswScratch scratch, BuildScoring scoring = default, HnswCodeWalk? walk = null)
    {
        Span<int> links = stackalloc int[_parameters.MaxLinks0];
        Span<int> fresh = stackalloc int[_parameters.MaxLinks0];
        Span<float> scores = stackalloc float[_parameters.MaxLinks0];
        ReadOnlySpan<float> data = segment.Data;
        ScoredRowHeap candidates = scratch.Candidates;
        ScoredRowHeap results = scratch.Results;
        if (exclude >= 0)
        {
            scratch.TryVisit(exclude);
        }

        // With no filter and no tombstones every row is accepted: the check (a read of the segment's item array, a cache miss
        // per result on a large segment) is skipped; the caller still takes each result's item before it returns it.
        bool acceptsAll = search is null || (search.Filter is null && search.Rows is null && segment.TombstoneCount == 0);
        scratch.TryVisit(entry);
        candidates.Push(-entryScore, entry);
        if (acceptsAll || search!.Accept(entry) is not null)
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

            int count = CopyNeighbours(best, layer, links);
            scratch.PrefetchMarks(links[..count]);
            int unvisited = 0;
            for (int i = 0; i < count; i++)
            {
                if (scratch.TryVisit(links[i]))
                {
                    fresh[unvisited++] = links[i];
                }
            }

            ScoreRows(query, data, fresh[..unvisited], metric, scores, scoring, walk);

            for (int i = 0; i < unvisited; i++)
            {
                float score = scores[i];
                if (results.Count >= ef && !(score > results.MinScore))
                {
                    continue;
                }

                int neighbour = fresh[i];
                candidates.Push(-score, neighbour);
                PrefetchLinks(neighbour, layer);

                // The filter is paid only for rows good enough to enter the results.
                if (acceptsAll || search!.Accept(neighbour) is not null)
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

    // The scores of a node's neighbours, one kernel call: on the int8 codes for a walk that has them, else on the floats
    // (turned into the centred similarities a centred build links by).
    private void ScoreRows(
        ReadOnlySpan<float> query, ReadOnlySpan<float> data, ReadOnlySpan<int> rows, DistanceMetric metric, Span<float> scores, BuildScoring scoring, HnswCodeWalk? walk)
    {
        if (walk is not null)
        {
            walk.Score(rows, scores);
            return;
        }

        VectorMath.ScoreGatheredRows(query, data, rows, metric, scores);
        if (scoring.Centred)
        {
            Rescore(scoring, rows, scores);
        }
    }
}
