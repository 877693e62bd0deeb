// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace EmbeddingStore.Core.Vectors;

public static partial class VectorMath
{
    /// <summary>
    /// Dot products of one query with <paramref name="scores"/>.Length consecutive rows of <paramref name="rows"/>
    /// (row-major, <paramref name="query"/>.Length floats each): the fused scan kernel for cosine and dot product.
    /// </summary>
    /// <remarks>
    /// One pass over the rows with the query in registers and L1: with 512-bit vectors one row at a time (one sequential
    /// stream, which the prefetchers follow at full bandwidth), with narrower ones four rows at a time (four independent
    /// accumulator chains hide the FMA latency). Each row is summed in one fixed order (full vectors, then the masked last vector,
    /// then a horizontal sum in a fixed tree), the same order <see cref="ScoreRowsBatch"/> uses, so single and batched scores are
    /// bitwise equal. The order differs from a sequential scalar sum, so results differ from one in the last bits.
    /// </remarks>
    public static void DotRows(ReadOnlySpan<float> query, ReadOnlySpan<float> rows, Span<float> scores)
    {
        ValidateRows(query.Length, rows.Length, scores.Length);
        ScoreRowsCore<DotScorer>(query, rows, scores);
    }

    // An empty query is allowed here (every score is 0, the empty sum); ScoreRows refuses it because a dimension-0
    // version cannot exist.
    private static void ValidateRows(int dimension, int rowFloats, int rowCount)
    {
        if (rowFloats < (long)rowCount * dimension)
        {
            ThrowLengthMismatch(rowFloats, rowCount * dimension);
        }
    }

    // The fused kernel: one query against rows.Length / query.Length rows, one accumulation order per width.
    private static void ScoreRowsCore<TScorer>(ReadOnlySpan<float> query, ReadOnlySpan<float> rows, Span<float> scores)
        where TScorer : struct, IRowScorer
    {
        ref float qRef = ref MemoryMarshal.GetReference(query);
        ref float rowsRef = ref MemoryMarshal.GetReference(rows);
        ref float sRef = ref MemoryMarshal.GetReference(scores);
        int dimension = query.Length;
        int count = scores.Length;
        int row = 0;

        if (Vector512.IsHardwareAccelerated && dimension >= Vector512<float>.Count)
        {
            // The last full vector overlaps what the loop did; the mask keeps only its new lanes.
            int last = dimension - Vector512<float>.Count;
            int full = dimension - (dimension % Vector512<float>.Count);
            Vector512<float> mask = Vector512.GreaterThanOrEqual(Vector512<int>.Indices, Vector512.Create(full - last)).AsSingle();
            Vector512<float> qTail = Vector512.LoadUnsafe(ref qRef, (nuint)last) & mask;
            bool hasTail = full < dimension;

            // One row at a time, front to back: the loads stay one sequential stream, which the hardware prefetchers
            // follow at full bandwidth. Four rows interleaved (one stream per row, advancing together) with 512-bit loads
            // read at under half the bandwidth on AMD Zen 4 (docs/bench/issue-13.md step 6; the 256-bit path below,
            // interleaved, reaches 86 % there), and out-of-order execution overlaps consecutive rows' accumulator chains
            // anyway (each row's chain is independent of the next), so the cached case loses nothing either.
            for (; row < count; row++)
            {
                ref float r0 = ref Unsafe.Add(ref rowsRef, (nint)row * dimension);
                Vector512<float> a0 = Vector512<float>.Zero;
                int i = 0;
                do
                {
                    a0 = TScorer.Accumulate(Vector512.LoadUnsafe(ref qRef, (nuint)i), Vector512.LoadUnsafe(ref r0, (nuint)i), a0);
                    i += Vector512<float>.Count;
                }
                while (i <= last);

                if (hasTail)
                {
                    a0 = TScorer.Accumulate(qTail, Vector512.LoadUnsafe(ref r0, (nuint)last) & mask, a0);
                }

                Unsafe.Add(ref sRef, row) = TScorer.Finish(ReduceLanes(a0));
            }

            return;
        }

        if (Vector256.IsHardwareAccelerated && dimension >= Vector256<float>.Count)
        {
            int last = dimension - Vector256<float>.Count;
            int full = dimension - (dimension % Vector256<float>.Count);
            Vector256<float> mask = Vector256.GreaterThanOrEqual(Vector256<int>.Indices, Vector256.Create(full - last)).AsSingle();
            Vector256<float> qTail = Vector256.LoadUnsafe(ref qRef, (nuint)last) & mask;
            bool hasTail = full < dimension;

            for (; row <= count - 4; row += 4)
            {
                ref float r0 = ref Unsafe.Add(ref rowsRef, (nint)row * dimension);
                ref float r1 = ref Unsafe.Add(ref r0, dimension);
                ref float r2 = ref Unsafe.Add(ref r1, dimension);
                ref float r3 = ref Unsafe.Add(ref r2, dimension);
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
                    // Process the last vector, masking what was done already.
                    a0 = TScorer.Accumulate(qTail, Vector256.LoadUnsafe(ref r0, (nuint)last) & mask, a0);
                    a1 = TScorer.Accumulate(qTail, Vector256.LoadUnsafe(ref r1, (nuint)last) & mask, a1);
                    a2 = TScorer.Accumulate(qTail, Vector256.LoadUnsafe(ref r2, (nuint)last) & mask, a2);
                    a3 = TScorer.Accumulate(qTail, Vector256.LoadUnsafe(ref r3, (nuint)last) & mask, a3);
                }

                Unsafe.Add(ref sRef, row) = TScorer.Finish(Vector256.Sum(a0));
                Unsafe.Add(ref sRef, row + 1) = TScorer.Finish(Vector256.Sum(a1));
                Unsafe.Add(ref sRef, row + 2) = TScorer.Finish(Vector256.Sum(a2));
                Unsafe.Add(ref sRef, row + 3) = TScorer.Finish(Vector256.Sum(a3));
            }

            for (; row < count; row++)
            {
                ref float r0 = ref Unsafe.Add(ref rowsRef, (nint)row * dimension);
                Vector256<float> a0 = Vector256<float>.Zero;
                int i = 0;
                do
                {
                    a0 = TScorer.Accumulate(Vector256.LoadUnsafe(ref qRef, (nuint)i), Vector256.LoadUnsafe(ref r0, (nuint)i), a0);
                    i += Vector256<float>.Count;
                }
                while (i <= last);

                if (hasTail)
                {
                    a0 = TScorer.Accumulate(qTail, Vector256.LoadUnsafe(ref r0, (nuint)last) & mask, a0);
                }

                Unsafe.Add(ref sRef, row) = TScorer.Finish(Vector256.Sum(a0));
            }

            return;
        }

        if (Vector128.IsHardwareAccelerated && dimension >= Vector128<float>.Count)
        {
            int last = dimension - Vector128<float>.Count;
            int full = dimension - (dimension % Vector128<float>.Count);
            Vector128<float> mask = Vector128.GreaterThanOrEqual(Vector128<int>.Indices, Vector128.Create(full - last)).AsSingle();
            Vector128<float> qTail = Vector128.LoadUnsafe(ref qRef, (nuint)last) & mask;
            bool hasTail = full < dimension;
            for (; row < count; row++)
            {
                ref float r0 = ref Unsafe.Add(ref rowsRef, (nint)row * dimension);
                Vector128<float> a0 = Vector128<float>.Zero;
                int i = 0;
                do
                {
                    a0 = TScorer.Accumulate(Vector128.LoadUnsafe(ref qRef, (nuint)i), Vector128.LoadUnsafe(ref r0, (nuint)i), a0);
                    i += Vector128<float>.Count;
                }
                while (i <= last);

                if (hasTail)
                {
                    // Process the last vector, masking what was done already.
                    a0 = TScorer.Accumulate(qTail, Vector128.LoadUnsafe(ref r0, (nuint)last) & mask, a0);
                }

                Unsafe.Add(ref sRef, row) = TScorer.Finish(Vector128.Sum(a0));
            }

            return;
        }

        // Rows shorter than one vector (or no SIMD at all): a sequential scalar sum per row.
        for (; row < count; row++)
        {
            ref float r0 = ref Unsafe.Add(ref rowsRef, (nint)row * dimension);
            float sum = 0f;
            for (int i = 0; i < dimension; i++)
            {
                sum = TScorer.Accumulate(Unsafe.Add(ref qRef, i), Unsafe.Add(ref r0, i), sum);
            }

            Unsafe.Add(ref sRef, row) = TScorer.Finish(sum);
        }
    }
}
