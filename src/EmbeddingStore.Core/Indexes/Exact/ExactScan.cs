// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Runtime.CompilerServices;
using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Vectors;

namespace EmbeddingStore.Core.Indexes.Exact;

// Brute-force scan of one segment: the ground truth every other index is measured against (recall 1.0).
internal static class ExactScan
{
    // Rows scored per kernel call: 256 scores fit a 1 KiB stack buffer and keep the call overhead negligible.
    private const int BlockRows = 256;

    [SkipLocalsInit]
    public static void Scan(VectorSegment segment, ReadOnlySpan<float> query, PayloadFilter? filter, TopKCollector top)
    {
        int dimension = segment.Dimension;
        int count = segment.Count;
        ReadOnlySpan<float> data = segment.Data;
        Span<float> scores = stackalloc float[BlockRows];
        DistanceMetric metric = segment.Version.Metric;

        for (int start = 0; start < count; start += BlockRows)
        {
            int rows = Math.Min(BlockRows, count - start);
            Span<float> block = scores[..rows];
            VectorMath.ScoreRows(query, data.Slice(start * dimension, rows * dimension), metric, block);
            for (int r = 0; r < rows; r++)
            {
                float score = block[r];
                if (!top.Admits(score))
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
            }
        }
    }
}
