// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Vectors;

namespace EmbeddingStore.Core.Indexes.Exact;

// Brute-force scan of one segment: the ground truth every other index is measured against (recall 1.0).
// Callers hold the collection's read lock for the whole scan, partitions included, so rows cannot move under it.
internal static class ExactScan
{
    // Rows scored per kernel call: 256 scores fit a 1 KiB stack buffer and keep the call overhead negligible.
    private const int BlockRows = 256;

    [SkipLocalsInit]
    public static void Scan(VectorSegment segment, ReadOnlySpan<float> query, PayloadFilter? filter, TopKCollector top) =>
        ScanRange(segment, query, filter, top, 0, segment.Count);

    // Splits a large segment into `parallelism` contiguous partitions, each with its own collector, and merges them in
    // partition order. The merge is deterministic because the ranking is a total order: the result equals Scan's.
    public static void ScanParallel(VectorSegment segment, float[] query, PayloadFilter? filter, TopKCollector top, int parallelism, long minBytes)
    {
        int count = segment.Count;
        long bytes = (long)count * segment.Dimension * sizeof(float);
        int partitions = Math.Min(parallelism, count / BlockRows);
        if (partitions <= 1 || bytes < minBytes)
        {
            ScanRange(segment, query, filter, top, 0, count);
            return;
        }

        var partial = new TopKCollector[partitions];
        int per = ((count / partitions) + 3) & ~3;
        Parallel.For(0, partitions, new ParallelOptions { MaxDegreeOfParallelism = partitions }, p =>
        {
            int start = Math.Min(count, p * per);
            int end = p == partitions - 1 ? count : Math.Min(count, start + per);
            var local = new TopKCollector(top.Capacity);
            ScanRange(segment, query, filter, local, start, end);
            partial[p] = local;
        });

        foreach (TopKCollector local in partial)
        {
            top.MergeFrom(local);
        }
    }

    [SkipLocalsInit]
    private static void ScanRange(VectorSegment segment, ReadOnlySpan<float> query, PayloadFilter? filter, TopKCollector top, int begin, int end)
    {
        int dimension = segment.Dimension;
        ReadOnlySpan<float> data = segment.Data;
        Span<float> scores = stackalloc float[BlockRows];
        DistanceMetric metric = segment.Version.Metric;
        float threshold = top.Threshold;

        for (int start = begin; start < end; start += BlockRows)
        {
            int rows = Math.Min(BlockRows, end - start);
            Span<float> block = scores[..rows];
            VectorMath.ScoreRows(query, data.Slice(start * dimension, rows * dimension), metric, block);

            // Once the collector is full most blocks hold no candidate at all: one vectorised max rejects them.
            if (TensorPrimitives.Max<float>(block) < threshold)
            {
                continue;
            }

            threshold = Offer(segment, block, start, filter, top, threshold);
        }
    }

    // Offers one block of scores; returns the collector's new threshold. Shared with the batched scan.
    internal static float Offer(VectorSegment segment, ReadOnlySpan<float> block, int start, PayloadFilter? filter, TopKCollector top, float threshold)
    {
        for (int r = 0; r < block.Length; r++)
        {
            float score = block[r];
            if (!(score >= threshold))
            {
                continue;
            }

            // The filter runs only for candidates that could enter the top-k.
            ItemEntry item = segment.ItemAt(start + r);
            if (filter is not null && !filter.Matches(item.Payload))
            {
                continue;
            }

            top.Offer(score, item);
            threshold = top.Threshold;
        }

        return threshold;
    }
}
