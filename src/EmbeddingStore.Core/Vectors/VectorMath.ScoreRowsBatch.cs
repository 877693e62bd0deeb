// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace EmbeddingStore.Core.Vectors;

public static partial class VectorMath
{
    /// <summary>Queries scored together per pass over the rows by <see cref="ScoreRowsBatch"/>.</summary>
    public const int BatchQueryBlock = 4;

    /// <summary>
    /// Scores several queries against the same block of rows, writing <c>scores[q * rowCount + r]</c> as
    /// <see cref="ScoreRows"/> would for query <c>q</c> and row <c>r</c>, bitwise equal.
    /// </summary>
    /// <param name="queries">Row-major queries, <paramref name="dimension"/> floats each.</param>
    /// <param name="dimension">The vector dimension.</param>
    /// <param name="rows">Row-major rows, at least <paramref name="rowCount"/> × <paramref name="dimension"/> floats.</param>
    /// <param name="rowCount">Rows to score.</param>
    /// <param name="metric">The metric; raw scores are higher-is-closer as in <see cref="ScoreRows"/>.</param>
    /// <param name="scores">At least (queries.Length / dimension) × <paramref name="rowCount"/> scores.</param>
    /// <remarks>
    /// On 512-bit machines the rows and queries are packed into panels and scored by the GEMM-shaped kernel in
    /// VectorMath.PackedBatch.cs: 8 queries × 32 rows per register tile, one broadcast query element feeding two FMAs and
    /// no horizontal sum per pair. Elsewhere <see cref="BatchQueryBlock"/> queries × 2 rows are accumulated at once, so
    /// every row vector loaded feeds four FMAs. Callers keep <paramref name="rows"/> small enough to stay in cache while
    /// every query block passes over it (cache blocking). Each (query, row) pair is summed in the same order as the
    /// single-query kernel, hence bitwise equal results.
    /// </remarks>
    public static void ScoreRowsBatch(ReadOnlySpan<float> queries, int dimension, ReadOnlySpan<float> rows, int rowCount, DistanceMetric metric, Span<float> scores)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(rowCount);
        if (queries.Length % dimension != 0)
        {
            ThrowLengthMismatch(queries.Length, (queries.Length / dimension) * dimension);
        }

        int queryCount = queries.Length / dimension;
        ValidateRows(dimension, rows.Length, rowCount);
        if (scores.Length < (long)queryCount * rowCount)
        {
            ThrowLengthMismatch(scores.Length, queryCount * rowCount);
        }

        if (PackedKernelAvailable(dimension) && queryCount > 0 && rowCount > 0)
        {
            ScoreRowsBatchPacked(queries, dimension, queryCount, rows, rowCount, metric, scores);
            return;
        }

        switch (metric)
        {
            case DistanceMetric.CosineSimilarity:
            case DistanceMetric.DotProduct:
                ScoreRowsBatchCore<DotScorer>(queries, dimension, queryCount, rows, rowCount, scores);
                break;
            case DistanceMetric.Manhattan:
                ScoreRowsBatchCore<NegatedManhattanScorer>(queries, dimension, queryCount, rows, rowCount, scores);
                break;
            case DistanceMetric.Euclidean:
                ScoreRowsBatchCore<NegatedSquaredEuclideanScorer>(queries, dimension, queryCount, rows, rowCount, scores);
                break;
            default:
                ScoreMapping.ThrowUnknownMetric(metric);
                break;
        }
    }

    // Packs the rows and queries once, then scores tile by tile (see VectorMath.PackedBatch.cs).
    private static void ScoreRowsBatchPacked(
        ReadOnlySpan<float> queries, int dimension, int queryCount, ReadOnlySpan<float> rows, int rowCount, DistanceMetric metric, Span<float> scores)
    {
        float[] packedRows = System.Buffers.ArrayPool<float>.Shared.Rent(PackedRowsLength(dimension, rowCount));
        float[] packedQueries = System.Buffers.ArrayPool<float>.Shared.Rent(PackedQueriesLength(dimension, queryCount));
        try
        {
            PackRows(rows, dimension, rowCount, packedRows);
            PackQueries(queries, dimension, queryCount, packedQueries);
            int tileFloats = PackedDimension(dimension) * PackedQueryTile;
            for (int q = 0; q < queryCount; q += PackedQueryTile)
            {
                ScorePackedTile(
                    packedQueries.AsSpan(q / PackedQueryTile * tileFloats, tileFloats), dimension, Math.Min(PackedQueryTile, queryCount - q),
                    packedRows, rowCount, metric, scores[(q * rowCount)..], rowCount, thresholds: default, panelMasks: default);
            }
        }
        finally
        {
            System.Buffers.ArrayPool<float>.Shared.Return(packedQueries);
            System.Buffers.ArrayPool<float>.Shared.Return(packedRows);
        }
    }

    private static void ScoreRowsBatchCore<TScorer>(
        ReadOnlySpan<float> queries, int dimension, int queryCount, ReadOnlySpan<float> rows, int rowCount, Span<float> scores)
        where TScorer : struct, IRowScorer
    {
        int q = 0;
        if (Vector256.IsHardwareAccelerated && dimension >= Vector256<float>.Count)
        {
            for (; q <= queryCount - BatchQueryBlock; q += BatchQueryBlock)
            {
                Block256<TScorer>(queries.Slice(q * dimension, BatchQueryBlock * dimension), dimension, rows, rowCount, scores.Slice(q * rowCount));
            }
        }

        // Queries after the last full block: the single-query kernel, which sums in the same order.
        for (; q < queryCount; q++)
        {
            ScoreRowsCore<TScorer>(queries.Slice(q * dimension, dimension), rows, scores.Slice(q * rowCount, rowCount));
        }
    }

    // Four queries against rowCount rows on machines without 512-bit vectors: 4 × 2 accumulators per step, each row
    // vector loaded once for four queries.
    private static void Block256<TScorer>(ReadOnlySpan<float> queries, int dimension, ReadOnlySpan<float> rows, int rowCount, Span<float> scores)
        where TScorer : struct, IRowScorer
    {
        ref float q0 = ref MemoryMarshal.GetReference(queries);
        ref float q1 = ref Unsafe.Add(ref q0, dimension);
        ref float q2 = ref Unsafe.Add(ref q1, dimension);
        ref float q3 = ref Unsafe.Add(ref q2, dimension);
        ref float rowsRef = ref MemoryMarshal.GetReference(rows);
        ref float s0 = ref MemoryMarshal.GetReference(scores);
        ref float s1 = ref Unsafe.Add(ref s0, rowCount);
        ref float s2 = ref Unsafe.Add(ref s1, rowCount);
        ref float s3 = ref Unsafe.Add(ref s2, rowCount);

        int last = dimension - Vector256<float>.Count;
        int full = dimension - (dimension % Vector256<float>.Count);
        bool hasTail = full < dimension;
        Vector256<float> mask = Vector256.GreaterThanOrEqual(Vector256<int>.Indices, Vector256.Create(full - last)).AsSingle();
        Vector256<float> t0 = Vector256.LoadUnsafe(ref q0, (nuint)last) & mask;
        Vector256<float> t1 = Vector256.LoadUnsafe(ref q1, (nuint)last) & mask;
        Vector256<float> t2 = Vector256.LoadUnsafe(ref q2, (nuint)last) & mask;
        Vector256<float> t3 = Vector256.LoadUnsafe(ref q3, (nuint)last) & mask;

        int row = 0;
        for (; row <= rowCount - 2; row += 2)
        {
            ref float ra = ref Unsafe.Add(ref rowsRef, (nint)row * dimension);
            ref float rb = ref Unsafe.Add(ref ra, dimension);
            Vector256<float> a0 = Vector256<float>.Zero, a1 = Vector256<float>.Zero, a2 = Vector256<float>.Zero, a3 = Vector256<float>.Zero;
            Vector256<float> b0 = Vector256<float>.Zero, b1 = Vector256<float>.Zero, b2 = Vector256<float>.Zero, b3 = Vector256<float>.Zero;
            int i = 0;
            do
            {
                Vector256<float> x = Vector256.LoadUnsafe(ref ra, (nuint)i);
                Vector256<float> y = Vector256.LoadUnsafe(ref rb, (nuint)i);
                Vector256<float> v = Vector256.LoadUnsafe(ref q0, (nuint)i);
                a0 = TScorer.Accumulate(v, x, a0);
                b0 = TScorer.Accumulate(v, y, b0);
                v = Vector256.LoadUnsafe(ref q1, (nuint)i);
                a1 = TScorer.Accumulate(v, x, a1);
                b1 = TScorer.Accumulate(v, y, b1);
                v = Vector256.LoadUnsafe(ref q2, (nuint)i);
                a2 = TScorer.Accumulate(v, x, a2);
                b2 = TScorer.Accumulate(v, y, b2);
                v = Vector256.LoadUnsafe(ref q3, (nuint)i);
                a3 = TScorer.Accumulate(v, x, a3);
                b3 = TScorer.Accumulate(v, y, b3);
                i += Vector256<float>.Count;
            }
            while (i <= last);

            if (hasTail)
            {
                // Process the last vector, masking what was done already.
                Vector256<float> x = Vector256.LoadUnsafe(ref ra, (nuint)last) & mask;
                Vector256<float> y = Vector256.LoadUnsafe(ref rb, (nuint)last) & mask;
                a0 = TScorer.Accumulate(t0, x, a0);
                b0 = TScorer.Accumulate(t0, y, b0);
                a1 = TScorer.Accumulate(t1, x, a1);
                b1 = TScorer.Accumulate(t1, y, b1);
                a2 = TScorer.Accumulate(t2, x, a2);
                b2 = TScorer.Accumulate(t2, y, b2);
                a3 = TScorer.Accumulate(t3, x, a3);
                b3 = TScorer.Accumulate(t3, y, b3);
            }

            Unsafe.Add(ref s0, row) = TScorer.Finish(Vector256.Sum(a0));
            Unsafe.Add(ref s0, row + 1) = TScorer.Finish(Vector256.Sum(b0));
            Unsafe.Add(ref s1, row) = TScorer.Finish(Vector256.Sum(a1));
            Unsafe.Add(ref s1, row + 1) = TScorer.Finish(Vector256.Sum(b1));
            Unsafe.Add(ref s2, row) = TScorer.Finish(Vector256.Sum(a2));
            Unsafe.Add(ref s2, row + 1) = TScorer.Finish(Vector256.Sum(b2));
            Unsafe.Add(ref s3, row) = TScorer.Finish(Vector256.Sum(a3));
            Unsafe.Add(ref s3, row + 1) = TScorer.Finish(Vector256.Sum(b3));
        }

        if (row < rowCount)
        {
            ref float ra = ref Unsafe.Add(ref rowsRef, (nint)row * dimension);
            Vector256<float> a0 = Vector256<float>.Zero, a1 = Vector256<float>.Zero, a2 = Vector256<float>.Zero, a3 = Vector256<float>.Zero;
            int i = 0;
            do
            {
                Vector256<float> x = Vector256.LoadUnsafe(ref ra, (nuint)i);
                a0 = TScorer.Accumulate(Vector256.LoadUnsafe(ref q0, (nuint)i), x, a0);
                a1 = TScorer.Accumulate(Vector256.LoadUnsafe(ref q1, (nuint)i), x, a1);
                a2 = TScorer.Accumulate(Vector256.LoadUnsafe(ref q2, (nuint)i), x, a2);
                a3 = TScorer.Accumulate(Vector256.LoadUnsafe(ref q3, (nuint)i), x, a3);
                i += Vector256<float>.Count;
            }
            while (i <= last);

            if (hasTail)
            {
                Vector256<float> x = Vector256.LoadUnsafe(ref ra, (nuint)last) & mask;
                a0 = TScorer.Accumulate(t0, x, a0);
                a1 = TScorer.Accumulate(t1, x, a1);
                a2 = TScorer.Accumulate(t2, x, a2);
                a3 = TScorer.Accumulate(t3, x, a3);
            }

            Unsafe.Add(ref s0, row) = TScorer.Finish(Vector256.Sum(a0));
            Unsafe.Add(ref s1, row) = TScorer.Finish(Vector256.Sum(a1));
            Unsafe.Add(ref s2, row) = TScorer.Finish(Vector256.Sum(a2));
            Unsafe.Add(ref s3, row) = TScorer.Finish(Vector256.Sum(a3));
        }
    }
}
