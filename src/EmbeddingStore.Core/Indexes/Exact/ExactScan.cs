// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using EmbeddingStore.Core.Vectors;

namespace EmbeddingStore.Core.Indexes.Exact;

// Brute-force scan of one segment: the ground truth every other index is measured against (recall 1.0).
// Callers hold the collection's read lock for the whole scan, partitions included, so rows cannot change under it.
internal static class ExactScan
{
    // Rows scored per kernel call: 256 scores fit a 1 KiB stack buffer and keep the call overhead negligible. It is also
    // how often a scan looks at its cancellation token (a volatile read per 256 rows).
    private const int BlockRows = 256;

    // Splits a large segment into `parallelism` contiguous partitions, each with its own collector, and merges them in
    // partition order. The merge is deterministic because the ranking is a total order: the result equals one pass's.
    public static void Scan(IndexSearch search, ReadOnlySpan<float> query, TopKCollector top)
    {
        if (search.Rows is { } allowed && VisitsOnly(allowed, search.Segment))
        {
            ScanRows(search, query, top, allowed.Rows);
            return;
        }

        int count = search.Segment.RowCount;
        long bytes = (long)count * search.Segment.Dimension * sizeof(float);
        int partitions = Math.Min(search.Parallelism, count / BlockRows);
        if (partitions <= 1 || bytes < search.Limits.ParallelScanMinBytes)
        {
            ScanRange(search, query, top, 0, count);
            return;
        }

        float[] shared = query.ToArray();
        var partial = new TopKCollector[partitions];
        int per = ((count / partitions) + 3) & ~3;
        Parallel.For(0, partitions, new ParallelOptions { MaxDegreeOfParallelism = partitions, CancellationToken = search.CancellationToken }, p =>
        {
            int start = Math.Min(count, p * per);
            int end = p == partitions - 1 ? count : Math.Min(count, start + per);
            var local = new TopKCollector(top.Capacity);
            ScanRange(search, shared, local, start, end);
            partial[p] = local;
        });

        foreach (TopKCollector local in partial)
        {
            top.MergeFrom(local);
        }
    }

    [SkipLocalsInit]
    private static void ScanRange(IndexSearch search, ReadOnlySpan<float> query, TopKCollector top, int begin, int end)
    {
        int dimension = search.Segment.Dimension;
        ReadOnlySpan<float> data = search.Segment.Data;
        Span<float> scores = stackalloc float[BlockRows];
        DistanceMetric metric = search.Segment.Version.Metric;
        CancellationToken cancellationToken = search.CancellationToken;
        float threshold = top.Threshold;

        for (int start = begin; start < end; start += BlockRows)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int rows = Math.Min(BlockRows, end - start);
            Span<float> block = scores[..rows];
            VectorMath.ScoreRows(query, data.Slice(start * dimension, rows * dimension), metric, block);

            // Once the collector is full most blocks hold no candidate at all: one vectorised max rejects them.
            if (TensorPrimitives.Max<float>(block) < threshold)
            {
                continue;
            }

            threshold = Offer(search, block, start, top, threshold);
        }
    }

    // A payload-index plan that leaves a small share of the rows is served by scoring only those rows (a gathered row
    // costs a few contiguous ones); a dense one by the contiguous scan, which tests the plan's bitmap per candidate.
    internal static bool VisitsOnly(Filters.RowSet rows, Collections.VectorSegment segment) => rows.Count <= segment.RowCount / 4;

    // Scores only the listed rows (ascending), in blocks, with the gathered kernel, whose scores are bitwise the contiguous
    // kernel's: the hits equal those of the full scan with the same filter.
    [SkipLocalsInit]
    internal static void ScanRows(IndexSearch search, ReadOnlySpan<float> query, TopKCollector top, int[] rows)
    {
        ReadOnlySpan<float> data = search.Segment.Data;
        DistanceMetric metric = search.Segment.Version.Metric;
        Span<float> scores = stackalloc float[BlockRows];
        float threshold = top.Threshold;
        for (int start = 0; start < rows.Length; start += BlockRows)
        {
            search.CancellationToken.ThrowIfCancellationRequested();
            ReadOnlySpan<int> block = rows.AsSpan(start, Math.Min(BlockRows, rows.Length - start));
            VectorMath.ScoreGatheredRows(query, data, block, metric, scores);
            for (int i = 0; i < block.Length; i++)
            {
                float score = scores[i];
                if (!(score >= threshold) || search.Accept(block[i]) is not { } item)
                {
                    continue;
                }

                top.Offer(score, item);
                threshold = top.Threshold;
            }
        }
    }

    // Offers one block of scores; returns the collector's new threshold. Shared with the batched and int8 scans.
    internal static float Offer(IndexSearch search, ReadOnlySpan<float> block, int start, TopKCollector top, float threshold)
    {
        for (int r = 0; r < block.Length; r++)
        {
            float score = block[r];
            if (!(score >= threshold))
            {
                continue;
            }

            // Tombstones and the filter are checked only for candidates that could enter the top-k.
            if (search.Accept(start + r) is not { } item)
            {
                continue;
            }

            top.Offer(score, item);
            threshold = top.Threshold;
        }

        return threshold;
    }
}
