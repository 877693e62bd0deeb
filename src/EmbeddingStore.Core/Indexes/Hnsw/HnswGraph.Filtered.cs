// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Vectors;

namespace EmbeddingStore.Core.Indexes.Hnsw;

// The filtered read side, after ACORN (Patel et al., SIGMOD 2024): the layer-0 search walks the subgraph of rows that
// pass the predicate, and a neighbour that fails it is not a dead end but a bridge: its own neighbours that pass are
// taken instead (the two-hop neighbourhood). Only passing rows are scored and queued, so a selective filter costs
// distance computations in proportion to the matches the search needs, not to every row it walks past, and the frontier
// never fills with rows that can never be returned. Tombstones fail the predicate, so they are bridges too and never
// results. The graph is the ordinary one (ACORN-1: no denser build); the upper layers are descended unfiltered, which
// only chooses where layer 0 starts.
internal sealed partial class HnswGraph
{
    // Fills scratch.Results with up to `ef` rows that pass `search` (best first in heap order), walking only passing rows.
    // With `walk` the rows are scored on the segment's int8 codes, as the unfiltered search does.
    public void SearchFiltered(VectorSegment segment, ReadOnlySpan<float> query, int ef, IndexSearch search, HnswScratch scratch, HnswCodeWalk? walk = null)
    {
        scratch.Reset(Capacity);
        if (EntryPoint < 0)
        {
            return;
        }

        DistanceMetric metric = segment.Version.Metric;
        (int current, float currentScore) = EnterLayer0(segment, query, metric, walk);
        SearchLayerFiltered(segment, query, metric, current, currentScore, ef, search, scratch, walk);
    }

    // Best-first over passing rows. The entry may fail the predicate: it is queued (it is where the walk starts) but never
    // enters the results. Per expansion the node's passing neighbours come first, then, while there is room, the passing
    // neighbours of its failing ones; the gathered list is capped at MaxLinks0 rows, so one expansion scores at most what
    // an unfiltered one does. A failing neighbour is marked visited only once its whole neighbourhood was taken, so a cap
    // that cut it short leaves it to be expanded again from elsewhere.
    private void SearchLayerFiltered(
        VectorSegment segment, ReadOnlySpan<float> query, DistanceMetric metric, int entry, float entryScore, int ef, IndexSearch search, HnswScratch scratch,
        HnswCodeWalk? walk)
    {
        int cap = _parameters.MaxLinks0;
        Span<int> links = stackalloc int[cap];
        Span<int> hops = stackalloc int[cap];
        Span<int> fresh = stackalloc int[cap];
        Span<float> scores = stackalloc float[cap];
        ReadOnlySpan<float> data = segment.Data;
        ScoredRowHeap candidates = scratch.Candidates;
        ScoredRowHeap results = scratch.Results;

        // A payload filter is memoised per query; a bitmap (a payload index answered the filter) is cheaper to test again.
        bool memoise = search.Filter is not null;

        scratch.Visit(entry);
        candidates.Push(-entryScore, entry);
        if (Passes(entry))
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
            if (++expansions % CancellationStride == 0)
            {
                search.CancellationToken.ThrowIfCancellationRequested();
            }

            int count = CopyNeighbours(best, 0, links);
            int taken = 0;

            // One hop: the neighbours that pass.
            for (int i = 0; i < count && taken < cap; i++)
            {
                int neighbour = links[i];
                if (!scratch.IsVisited(neighbour) && Passes(neighbour))
                {
                    scratch.Visit(neighbour);
                    fresh[taken++] = neighbour;
                }
            }

            // Two hops: through each failing neighbour not yet expanded, to its neighbours that pass.
            for (int i = 0; i < count && taken < cap; i++)
            {
                int bridge = links[i];
                if (scratch.IsVisited(bridge) || Passes(bridge))
                {
                    continue;
                }

                int hopCount = CopyNeighbours(bridge, 0, hops);
                bool complete = true;
                for (int j = 0; j < hopCount; j++)
                {
                    int next = hops[j];
                    if (scratch.IsVisited(next) || !Passes(next))
                    {
                        continue;
                    }

                    if (taken == cap)
                    {
                        complete = false;
                        break;
                    }

                    scratch.Visit(next);
                    fresh[taken++] = next;
                }

                if (complete)
                {
                    scratch.Visit(bridge);
                }
            }

            ScoreRows(query, data, fresh[..taken], metric, scores, default, walk);
            for (int i = 0; i < taken; i++)
            {
                float score = scores[i];
                if (results.Count >= ef && !(score > results.MinScore))
                {
                    continue;
                }

                candidates.Push(-score, fresh[i]);
                results.Push(score, fresh[i]);
                if (results.Count > ef)
                {
                    results.Pop();
                }
            }
        }

        bool Passes(int row) => memoise ? scratch.Passes(search, row) : search.Passes(row);
    }
}
