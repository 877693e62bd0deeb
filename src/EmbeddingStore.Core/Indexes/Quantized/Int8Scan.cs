// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Indexes.Exact;
using EmbeddingStore.Core.Vectors;

namespace EmbeddingStore.Core.Indexes.Quantized;

// Int8 search: scan the codes for the best k × oversampling candidates by approximate score, then re-score those with
// the float vectors through the exact kernel. Returned scores are therefore exactly the exact scan's scores; only the
// candidate set is approximate. Large segments are scanned in parallel partitions like ExactScan; candidates are merged
// under the same total order (score, then id), so the result does not depend on the partitioning. Callers hold the
// collection's read lock.
internal static class Int8Scan
{
    private const int BlockRows = 256;

    public static void Search(IndexSearch search, Int8Segment codes, ReadOnlySpan<float> query, TopKCollector top, int oversampling, int parallelism)
    {
        VectorSegment segment = search.Segment;
        int dimension = segment.Dimension;
        int count = codes.Count;
        DistanceMetric metric = segment.Version.Metric;

        // One query-sized buffer per search (not per candidate).
        var prepared = new sbyte[dimension];
        codes.Quantizer.PrepareQuery(query, prepared, out float scale, out float offset);
        var candidates = new TopKCollector((int)Math.Max(1, Math.Min(count, (long)top.Capacity * oversampling)));

        int partitions = Math.Min(parallelism, count / BlockRows);
        if (search.Rows is { } allowed && ExactScan.VisitsOnly(allowed, segment))
        {
            ScanListedCodes(search, codes, prepared, scale, offset, candidates, allowed.Rows);
        }
        else if (partitions <= 1 || (long)count * dimension < search.Limits.ParallelScanMinBytes)
        {
            ScanCodes(search, codes, prepared, scale, offset, candidates, 0, count);
        }
        else
        {
            var partial = new TopKCollector[partitions];
            int per = ((count / partitions) + 3) & ~3;
            Parallel.For(0, partitions, new ParallelOptions { MaxDegreeOfParallelism = partitions, CancellationToken = search.CancellationToken }, p =>
            {
                int start = Math.Min(count, p * per);
                int end = p == partitions - 1 ? count : Math.Min(count, start + per);
                var local = new TopKCollector(candidates.Capacity);
                ScanCodes(search, codes, prepared, scale, offset, local, start, end);
                partial[p] = local;
            });

            foreach (TopKCollector local in partial)
            {
                candidates.MergeFrom(local);
            }
        }

        // Re-score the candidates with the same kernel as the exact scan, so scores match it bit for bit.
        Span<float> exact = stackalloc float[1];
        for (int i = 0; i < candidates.Count; i++)
        {
            ItemEntry item = candidates.ItemAt(i);
            VectorMath.ScoreRows(query, segment.Row(item.RowIn(segment)), metric, exact);
            top.Offer(exact[0], item);
        }
    }

    [SkipLocalsInit]
    private static void ScanCodes(
        IndexSearch search, Int8Segment codes, ReadOnlySpan<sbyte> q, float scale, float offset, TopKCollector candidates, int begin, int end)
    {
        int dimension = search.Segment.Dimension;
        bool euclidean = search.Segment.Version.Metric == DistanceMetric.Euclidean;
        Span<int> dots = stackalloc int[BlockRows];
        Span<float> approx = stackalloc float[BlockRows];
        ReadOnlySpan<byte> data = codes.Codes;
        ReadOnlySpan<float> norms = codes.SquaredNorms;
        float threshold = candidates.Threshold;

        for (int start = begin; start < end; start += BlockRows)
        {
            search.CancellationToken.ThrowIfCancellationRequested();
            int rows = Math.Min(BlockRows, end - start);
            Span<int> blockDots = dots[..rows];
            Span<float> block = approx[..rows];
            VectorMath.DotRowsInt8(q, data.Slice(start * dimension, rows * dimension), blockDots);

            if (!euclidean)
            {
                // Dot and cosine: the approximate score offset + scale · dot grows with the integer dot (scale > 0),
                // so whole blocks are rejected on integers, and only rows that may enter are converted to floats.
                int minDot = MinDotFor(threshold, offset, scale);
                if (TensorPrimitives.Max<int>(blockDots) < minDot)
                {
                    continue;
                }

                for (int r = 0; r < rows; r++)
                {
                    block[r] = blockDots[r] >= minDot ? offset + (scale * blockDots[r]) : float.NegativeInfinity;
                }
            }
            else
            {
                // L2: rank by 2 q·x - ‖x‖², which orders like -‖q - x‖²; the norms differ per row.
                for (int r = 0; r < rows; r++)
                {
                    block[r] = (2f * (offset + (scale * blockDots[r]))) - norms[start + r];
                }

                if (TensorPrimitives.Max<float>(block) < threshold)
                {
                    continue;
                }
            }

            threshold = ExactScan.Offer(search, block, start, candidates, threshold);
        }
    }

    // The codes of the listed rows only (a payload-index plan), scored as ScanCodes scores them, so the candidates (and
    // with them the answer) are those of the full code scan with the same filter.
    private static void ScanListedCodes(
        IndexSearch search, Int8Segment codes, ReadOnlySpan<sbyte> q, float scale, float offset, TopKCollector candidates, int[] rows)
    {
        int dimension = search.Segment.Dimension;
        bool euclidean = search.Segment.Version.Metric == DistanceMetric.Euclidean;
        ReadOnlySpan<byte> data = codes.Codes;
        ReadOnlySpan<float> norms = codes.SquaredNorms;
        Span<int> dot = stackalloc int[1];
        for (int i = 0; i < rows.Length; i++)
        {
            int row = rows[i];
            if ((i & (BlockRows - 1)) == 0)
            {
                search.CancellationToken.ThrowIfCancellationRequested();
            }

            if (row >= codes.Count)
            {
                continue;
            }

            VectorMath.DotRowsInt8(q, data.Slice(row * dimension, dimension), dot);
            float approx = euclidean ? (2f * (offset + (scale * dot[0]))) - norms[row] : offset + (scale * dot[0]);
            if (approx >= candidates.Threshold && search.Accept(row) is { } item)
            {
                candidates.Offer(approx, item);
            }
        }
    }

    // The smallest integer dot whose approximate score could reach `threshold`, one below the exact bound so float
    // rounding can only admit a row too many, never reject one that belongs.
    private static int MinDotFor(float threshold, float offset, float scale)
    {
        if (float.IsNegativeInfinity(threshold))
        {
            return int.MinValue;
        }

        double bound = Math.Floor((threshold - (double)offset) / scale) - 1;
        return bound <= int.MinValue ? int.MinValue : bound >= int.MaxValue ? int.MaxValue : (int)bound;
    }
}
