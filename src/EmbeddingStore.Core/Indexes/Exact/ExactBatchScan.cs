// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using EmbeddingStore.Core.Vectors;

namespace EmbeddingStore.Core.Indexes.Exact;

// Exact search for many queries at once. Cache blocking: the segment is walked in row blocks small enough to stay in
// L2 while every block of VectorMath.BatchQueryBlock queries passes over them, so each row is read from memory once
// per batch (not once per query) and the kernel's register blocking makes it feed four FMAs per load. Scores and the
// collectors' rules are those of ExactScan, so every query's hits equal a single search's exactly.
internal static class ExactBatchScan
{
    // Row-block budget: a quarter of a typical 1-2 MiB L2, leaving room for the queries and the collectors.
    private const int RowBlockBytes = 256 * 1024;

    private const int MaxRowBlock = 512;

    // Below this many queries per thread the packing (one pass over each row block) costs more than the packed kernel
    // saves; the row-major kernel serves them.
    private const int MinPackedQueries = 4;

    // Packed row blocks: a multiple of the packed kernel's 32-row tile, sized like the row-major blocks.
    private const int PackedRowBlockRows = 256;

    // Splits the queries (in whole blocks) across up to `parallelism` threads; each query is scanned by one thread only,
    // so the result does not depend on the split.
    public static void Scan(IndexSearch search, float[] queries, TopKCollector[] tops)
    {
        if (search.Rows is { } allowed && ExactScan.VisitsOnly(allowed, search.Segment))
        {
            // Few rows: each query scores just them (they stay in cache across queries), one query per thread.
            int dimension = search.Segment.Dimension;
            int[] rows = allowed.Rows;
            Parallel.For(0, tops.Length, new ParallelOptions { MaxDegreeOfParallelism = search.Parallelism, CancellationToken = search.CancellationToken }, i =>
                ExactScan.ScanRows(search, queries.AsSpan(i * dimension, dimension), tops[i], rows));
            return;
        }

        int queryCount = tops.Length;
        int blocks = (queryCount + VectorMath.BatchQueryBlock - 1) / VectorMath.BatchQueryBlock;
        int workers = Math.Min(search.Parallelism, blocks);
        if (workers <= 1)
        {
            ScanQueries(search, queries, tops, 0, queryCount);
            return;
        }

        int perWorker = (blocks + workers - 1) / workers * VectorMath.BatchQueryBlock;
        Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers, CancellationToken = search.CancellationToken }, w =>
        {
            int first = Math.Min(queryCount, w * perWorker);
            int end = Math.Min(queryCount, first + perWorker);
            ScanQueries(search, queries, tops, first, end);
        });
    }

    [SkipLocalsInit]
    private static void ScanQueries(IndexSearch search, float[] queries, TopKCollector[] tops, int first, int end)
    {
        int dimension = search.Segment.Dimension;
        if (VectorMath.PackedKernelAvailable(dimension) && end - first >= MinPackedQueries)
        {
            ScanQueriesPacked(search, queries, tops, first, end);
            return;
        }

        int count = search.Segment.RowCount;
        DistanceMetric metric = search.Segment.Version.Metric;
        ReadOnlySpan<float> data = search.Segment.Data;
        int rowBlock = Math.Clamp(RowBlockBytes / (dimension * sizeof(float)), 2, MaxRowBlock) & ~1;
        Span<float> scores = stackalloc float[VectorMath.BatchQueryBlock * MaxRowBlock];

        for (int start = 0; start < count; start += rowBlock)
        {
            search.CancellationToken.ThrowIfCancellationRequested();
            int rows = Math.Min(rowBlock, count - start);
            ReadOnlySpan<float> block = data.Slice(start * dimension, rows * dimension);
            for (int q = first; q < end; q += VectorMath.BatchQueryBlock)
            {
                int n = Math.Min(VectorMath.BatchQueryBlock, end - q);
                VectorMath.ScoreRowsBatch(queries.AsSpan(q * dimension, n * dimension), dimension, block, rows, metric, scores[..(n * rows)]);
                for (int j = 0; j < n; j++)
                {
                    TopKCollector top = tops[q + j];
                    ReadOnlySpan<float> own = scores.Slice(j * rows, rows);
                    float threshold = top.Threshold;
                    if (TensorPrimitives.Max(own) < threshold)
                    {
                        continue;
                    }

                    ExactScan.Offer(search, own, start, top, threshold);
                }
            }
        }
    }

    // The GEMM-shaped path: the thread's queries are packed once, each row block once, and every tile of 8 queries
    // passes over the packed block while it sits in L2.
    private static void ScanQueriesPacked(IndexSearch search, float[] queries, TopKCollector[] tops, int first, int end)
    {
        int dimension = search.Segment.Dimension;
        int count = search.Segment.RowCount;
        DistanceMetric metric = search.Segment.Version.Metric;
        ReadOnlySpan<float> data = search.Segment.Data;
        int queryCount = end - first;
        int rowBlock = Math.Max(32, Math.Min(PackedRowBlockRows, RowBlockBytes / (dimension * sizeof(float))) & ~31);
        int tileFloats = VectorMath.PackedDimension(dimension) * VectorMath.PackedQueryTile;
        float[] packedQueries = ArrayPool<float>.Shared.Rent(VectorMath.PackedQueriesLength(dimension, queryCount));
        float[] packedRows = ArrayPool<float>.Shared.Rent(VectorMath.PackedRowsLength(dimension, rowBlock));
        float[] scores = ArrayPool<float>.Shared.Rent(VectorMath.PackedQueryTile * rowBlock);
        Span<float> thresholds = stackalloc float[VectorMath.PackedQueryTile];
        Span<ushort> panelMasks = stackalloc ushort[VectorMath.PackedQueryTile * VectorMath.PanelMaskStride(rowBlock)];
        try
        {
            VectorMath.PackQueries(queries.AsSpan(first * dimension, queryCount * dimension), dimension, queryCount, packedQueries);
            for (int start = 0; start < count; start += rowBlock)
            {
                search.CancellationToken.ThrowIfCancellationRequested();
                int rows = Math.Min(rowBlock, count - start);
                int maskStride = VectorMath.PanelMaskStride(rows);
                VectorMath.PackRows(data.Slice(start * dimension, rows * dimension), dimension, rows, packedRows);
                for (int q = 0; q < queryCount; q += VectorMath.PackedQueryTile)
                {
                    int n = Math.Min(VectorMath.PackedQueryTile, queryCount - q);
                    for (int j = 0; j < n; j++)
                    {
                        thresholds[j] = tops[first + q + j].Threshold;
                    }

                    int reached = VectorMath.ScorePackedTile(
                        packedQueries.AsSpan(q / VectorMath.PackedQueryTile * tileFloats, tileFloats), dimension, n, packedRows, rows, metric, scores, rows,
                        thresholds[..n], panelMasks);
                    for (; reached != 0; reached &= reached - 1)
                    {
                        int j = BitOperations.TrailingZeroCount(reached);
                        OfferMasked(search, scores.AsSpan(j * rows, rows), panelMasks.Slice(j * maskStride, maskStride), start, tops[first + q + j]);
                    }
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(scores);
            ArrayPool<float>.Shared.Return(packedRows);
            ArrayPool<float>.Shared.Return(packedQueries);
        }
    }

    // ExactScan.Offer restricted to the rows the kernel marked as at or above the collector's threshold when it scored
    // them. The threshold only rises while offering, so every unmarked row would fail Offer's test anyway: the rows
    // offered, in the same ascending order, and so the hits, are exactly Offer's.
    private static void OfferMasked(IndexSearch search, ReadOnlySpan<float> block, ReadOnlySpan<ushort> panelMasks, int start, TopKCollector top)
    {
        float threshold = top.Threshold;
        for (int p = 0; p < panelMasks.Length; p++)
        {
            for (uint bits = panelMasks[p]; bits != 0; bits &= bits - 1)
            {
                int r = (p * VectorMath.PanelRows) + BitOperations.TrailingZeroCount(bits);
                float score = block[r];
                if (!(score >= threshold) || search.Accept(start + r) is not { } item)
                {
                    continue;
                }

                top.Offer(score, item);
                threshold = top.Threshold;
            }
        }
    }
}
