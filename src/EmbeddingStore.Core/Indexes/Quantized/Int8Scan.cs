// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Buffers;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Indexes.Exact;
using EmbeddingStore.Core.Vectors;

namespace EmbeddingStore.Core.Indexes.Quantized;

// Int8 search: scan the codes for the best k × oversampling candidates by approximate score, then re-score those with
// the float vectors through the exact kernel. Returned scores are therefore exactly the exact scan's scores; only the
// candidate set is approximate. Callers hold the collection's read lock.
internal static class Int8Scan
{
    private const int BlockRows = 256;

    // Queries up to this dimension keep their codes on the stack.
    private const int StackDimension = 4_096;

    [SkipLocalsInit]
    public static void Search(VectorSegment segment, Int8Segment codes, ReadOnlySpan<float> query, PayloadFilter? filter, TopKCollector top, int oversampling)
    {
        int dimension = segment.Dimension;
        int count = codes.Count;
        DistanceMetric metric = segment.Version.Metric;
        bool euclidean = metric == DistanceMetric.Euclidean;

        sbyte[]? rented = null;
        Span<sbyte> q = dimension <= StackDimension
            ? stackalloc sbyte[dimension]
            : (rented = ArrayPool<sbyte>.Shared.Rent(dimension)).AsSpan(0, dimension);
        try
        {
            codes.Quantizer.PrepareQuery(query, q, out float scale, out float offset);
            var candidates = new TopKCollector((int)Math.Min(count, (long)top.Capacity * oversampling));
            Span<int> dots = stackalloc int[BlockRows];
            Span<float> approx = stackalloc float[BlockRows];
            ReadOnlySpan<byte> data = codes.Codes;
            ReadOnlySpan<float> norms = codes.SquaredNorms;
            float threshold = float.NegativeInfinity;

            for (int start = 0; start < count; start += BlockRows)
            {
                int rows = Math.Min(BlockRows, count - start);
                Span<int> blockDots = dots[..rows];
                Span<float> block = approx[..rows];
                VectorMath.DotRowsInt8(q, data.Slice(start * dimension, rows * dimension), blockDots);

                // Approximate q·x; for L2 rank by 2 q·x - ‖x‖², which orders like -‖q - x‖².
                for (int r = 0; r < rows; r++)
                {
                    float dot = offset + (scale * blockDots[r]);
                    block[r] = euclidean ? (2f * dot) - norms[start + r] : dot;
                }

                if (TensorPrimitives.Max<float>(block) < threshold)
                {
                    continue;
                }

                threshold = ExactScan.Offer(segment, block, start, filter, candidates, threshold);
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
        finally
        {
            if (rented is not null)
            {
                ArrayPool<sbyte>.Shared.Return(rented);
            }
        }
    }
}
