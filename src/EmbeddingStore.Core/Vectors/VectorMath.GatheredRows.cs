// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace EmbeddingStore.Core.Vectors;

public static partial class VectorMath
{
    // Scores one query against scattered rows of `data` (row-major, query.Length floats each): the kernel of a graph
    // search, which scores a node's unvisited neighbours, rows that are nowhere near each other in memory. Four rows per
    // pass, as the contiguous kernel does, so four independent accumulator chains hide the FMA latency and four cache-miss
    // streams overlap instead of queueing. Each row is summed in exactly the order ScoreRows uses (full vectors, the masked
    // last vector, a horizontal sum), so a gathered score is bitwise the score the exact scan gives the same row.
    internal static void ScoreGatheredRows(ReadOnlySpan<float> query, ReadOnlySpan<float> data, ReadOnlySpan<int> rows, DistanceMetric metric, Span<float> scores)
    {
        int dimension = query.Length;
        if (dimension == 0 || scores.Length < rows.Length)
        {
            ThrowLengthMismatch(scores.Length, rows.Length);
        }

        long limit = data.Length - (long)dimension;
        foreach (int row in rows)
        {
            if (row < 0 || (long)row * dimension > limit)
            {
                ThrowLengthMismatch(data.Length, (row + 1) * dimension);
            }
        }

        switch (metric)
        {
            case DistanceMetric.CosineSimilarity:
            case DistanceMetric.DotProduct:
                ScoreGatheredCore<DotScorer>(query, data, rows, scores);
                break;
            case DistanceMetric.Manhattan:
                ScoreGatheredCore<NegatedManhattanScorer>(query, data, rows, scores);
                break;
            case DistanceMetric.Euclidean:
                ScoreGatheredCore<NegatedSquaredEuclideanScorer>(query, data, rows, scores);
                break;
            default:
                ScoreMapping.ThrowUnknownMetric(metric);
                break;
        }
    }

    private static unsafe void ScoreGatheredCore<TScorer>(ReadOnlySpan<float> query, ReadOnlySpan<float> data, ReadOnlySpan<int> rows, Span<float> scores)
        where TScorer : struct, IRowScorer
    {
        ref float qRef = ref MemoryMarshal.GetReference(query);
        ref float dataRef = ref MemoryMarshal.GetReference(data);
        ref float sRef = ref MemoryMarshal.GetReference(scores);
        int dimension = query.Length;
        int count = rows.Length;

        // Every row's first line is requested up front, so the misses of the whole neighbour list are in flight together
        // and the hardware prefetcher follows each row from there. A hint only: it changes no result.
        if (Sse.IsSupported)
        {
            foreach (int r in rows)
            {
                Sse.Prefetch0(Unsafe.AsPointer(ref Unsafe.Add(ref dataRef, (nint)r * dimension)));
            }
        }

        int next = 0;
        if (Vector512.IsHardwareAccelerated && dimension >= Vector512<float>.Count)
        {
            int last = dimension - Vector512<float>.Count;
            int full = dimension - (dimension % Vector512<float>.Count);
            Vector512<float> mask = Vector512.GreaterThanOrEqual(Vector512<int>.Indices, Vector512.Create(full - last)).AsSingle();
            Vector512<float> qTail = Vector512.LoadUnsafe(ref qRef, (nuint)last) & mask;
            bool hasTail = full < dimension;
            for (; next <= count - 4; next += 4)
            {
                ref float r0 = ref Unsafe.Add(ref dataRef, (nint)rows[next] * dimension);
                ref float r1 = ref Unsafe.Add(ref dataRef, (nint)rows[next + 1] * dimension);
                ref float r2 = ref Unsafe.Add(ref dataRef, (nint)rows[next + 2] * dimension);
                ref float r3 = ref Unsafe.Add(ref dataRef, (nint)rows[next + 3] * dimension);
                Vector512<float> a0 = Vector512<float>.Zero;
                Vector512<float> a1 = Vector512<float>.Zero;
                Vector512<float> a2 = Vector512<float>.Zero;
                Vector512<float> a3 = Vector512<float>.Zero;
                int i = 0;
                do
                {
                    Vector512<float> q = Vector512.LoadUnsafe(ref qRef, (nuint)i);
                    a0 = TScorer.Accumulate(q, Vector512.LoadUnsafe(ref r0, (nuint)i), a0);
                    a1 = TScorer.Accumulate(q, Vector512.LoadUnsafe(ref r1, (nuint)i), a1);
                    a2 = TScorer.Accumulate(q, Vector512.LoadUnsafe(ref r2, (nuint)i), a2);
                    a3 = TScorer.Accumulate(q, Vector512.LoadUnsafe(ref r3, (nuint)i), a3);
                    i += Vector512<float>.Count;
                }
                while (i <= last);

                if (hasTail)
                {
                    a0 = TScorer.Accumulate(qTail, Vector512.LoadUnsafe(ref r0, (nuint)last) & mask, a0);
                    a1 = TScorer.Accumulate(qTail, Vector512.LoadUnsafe(ref r1, (nuint)last) & mask, a1);
                    a2 = TScorer.Accumulate(qTail, Vector512.LoadUnsafe(ref r2, (nuint)last) & mask, a2);
                    a3 = TScorer.Accumulate(qTail, Vector512.LoadUnsafe(ref r3, (nuint)last) & mask, a3);
                }

                Unsafe.Add(ref sRef, next) = TScorer.Finish(ReduceLanes(a0));
                Unsafe.Add(ref sRef, next + 1) = TScorer.Finish(ReduceLanes(a1));
                Unsafe.Add(ref sRef, next + 2) = TScorer.Finish(ReduceLanes(a2));
                Unsafe.Add(ref sRef, next + 3) = TScorer.Finish(ReduceLanes(a3));
            }
        }
        else if (Vector256.IsHardwareAccelerated && dimension >= Vector256<float>.Count)
        {
            int last = dimension - Vector256<float>.Count;
            int full = dimension - (dimension % Vector256<float>.Count);
            Vector256<float> mask = Vector256.GreaterThanOrEqual(Vector256<int>.Indices, Vector256.Create(full - last)).AsSingle();
            Vector256<float> qTail = Vector256.LoadUnsafe(ref qRef, (nuint)last) & mask;
            bool hasTail = full < dimension;
            for (; next <= count - 4; next += 4)
            {
                ref float r0 = ref Unsafe.Add(ref dataRef, (nint)rows[next] * dimension);
                ref float r1 = ref Unsafe.Add(ref dataRef, (nint)rows[next + 1] * dimension);
                ref float r2 = ref Unsafe.Add(ref dataRef, (nint)rows[next + 2] * dimension);
                ref float r3 = ref Unsafe.Add(ref dataRef, (nint)rows[next + 3] * dimension);
                Vector256<float> a0 = Vector256<float>.Zero;
                Vector256<float> a1 = Vector256<float>.Zero;
                Vector256<float> a2 = Vector256<float>.Zero;
                Vector256<float> a3 = Vector256<float>.Zero;
                int i = 0;
                do
                {
                    Vector256<float> q = Vector256.LoadUnsafe(ref qRef, (nuint)i);
                    a0 = TScorer.Accumulate(q, Vector256.LoadUnsafe(ref r0, (nuint)i), a0);
                    a1 = TScorer.Accumulate(q, Vector256.LoadUnsafe(ref r1, (nuint)i), a1);
                    a2 = TScorer.Accumulate(q, Vector256.LoadUnsafe(ref r2, (nuint)i), a2);
                    a3 = TScorer.Accumulate(q, Vector256.LoadUnsafe(ref r3, (nuint)i), a3);
                    i += Vector256<float>.Count;
                }
                while (i <= last);

                if (hasTail)
                {
                    a0 = TScorer.Accumulate(qTail, Vector256.LoadUnsafe(ref r0, (nuint)last) & mask, a0);
                    a1 = TScorer.Accumulate(qTail, Vector256.LoadUnsafe(ref r1, (nuint)last) & mask, a1);
                    a2 = TScorer.Accumulate(qTail, Vector256.LoadUnsafe(ref r2, (nuint)last) & mask, a2);
                    a3 = TScorer.Accumulate(qTail, Vector256.LoadUnsafe(ref r3, (nuint)last) & mask, a3);
                }

                Unsafe.Add(ref sRef, next) = TScorer.Finish(Vector256.Sum(a0));
                Unsafe.Add(ref sRef, next + 1) = TScorer.Finish(Vector256.Sum(a1));
                Unsafe.Add(ref sRef, next + 2) = TScorer.Finish(Vector256.Sum(a2));
                Unsafe.Add(ref sRef, next + 3) = TScorer.Finish(Vector256.Sum(a3));
            }
        }

        // The last rows (and every row on hardware without those widths): the contiguous kernel, one row at a time, which
        // sums in the same order.
        for (; next < count; next++)
        {
            ScoreRowsCore<TScorer>(query, data.Slice(rows[next] * dimension, dimension), scores.Slice(next, 1));
        }
    }

    // One row's score through the same kernel: the graph's pairwise distances (neighbour selection) without the public
    // entry's checks on every call.
    internal static float ScoreRow(ReadOnlySpan<float> query, ReadOnlySpan<float> row, DistanceMetric metric)
    {
        float score = 0;
        ScoreRowsCore(query, row, metric, new Span<float>(ref score));
        return score;
    }
}
