// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace EmbeddingStore.Core.Vectors;

public static partial class VectorMath
{
    /// <summary>
    /// Integer dot products of one signed 8-bit query with <paramref name="scores"/>.Length rows of unsigned 8-bit
    /// codes, <paramref name="query"/>.Length codes per row: the scan kernel of int8 quantised search.
    /// </summary>
    /// <remarks>
    /// Unsigned codes times signed query codes is the shape of the VNNI instruction (<c>vpdpbusd</c>), which multiplies and
    /// sums four byte pairs into each 32-bit lane in one step; without it the bytes are widened to 16 bits. Products are at
    /// most 255 × 128, so sums cannot overflow below 65,000 dimensions. Integer sums are exact: every path returns the same
    /// result as a scalar loop, on every platform.
    /// </remarks>
    public static void DotRowsInt8(ReadOnlySpan<sbyte> query, ReadOnlySpan<byte> rows, Span<int> scores)
    {
        if (rows.Length < (long)scores.Length * query.Length)
        {
            ThrowLengthMismatch(rows.Length, scores.Length * query.Length);
        }

        DotRowsInt8Core(query, rows, scores);
    }

    private static void DotRowsInt8Core(ReadOnlySpan<sbyte> query, ReadOnlySpan<byte> rows, Span<int> scores)
    {
        ref sbyte qRef = ref MemoryMarshal.GetReference(query);
        ref byte rowsRef = ref MemoryMarshal.GetReference(rows);
        ref int sRef = ref MemoryMarshal.GetReference(scores);
        int length = query.Length;
        int count = scores.Length;
        int row = 0;

        if (AvxVnni.IsSupported && length >= Vector256<byte>.Count)
        {
            // Masking the query's already-done lanes to zero makes the overlapping last vector add only new products.
            int last = length - Vector256<byte>.Count;
            int full = length - (length % Vector256<byte>.Count);
            Vector256<sbyte> mask = Vector256.GreaterThanOrEqual(Vector256<sbyte>.Indices, Vector256.Create((sbyte)(full - last)));
            Vector256<sbyte> qTail = Vector256.LoadUnsafe(ref qRef, (nuint)last) & mask;
            bool hasTail = full < length;

            for (; row <= count - 4; row += 4)
            {
                ref byte r0 = ref Unsafe.Add(ref rowsRef, (nint)row * length);
                ref byte r1 = ref Unsafe.Add(ref r0, length);
                ref byte r2 = ref Unsafe.Add(ref r1, length);
                ref byte r3 = ref Unsafe.Add(ref r2, length);
                // Two accumulators per row: vpdpbusd has a latency of about five cycles, so eight independent chains
                // are needed to issue one or two per cycle. Integer sums do not depend on the order.
                Vector256<int> a0 = Vector256<int>.Zero, b0 = Vector256<int>.Zero;
                Vector256<int> a1 = Vector256<int>.Zero, b1 = Vector256<int>.Zero;
                Vector256<int> a2 = Vector256<int>.Zero, b2 = Vector256<int>.Zero;
                Vector256<int> a3 = Vector256<int>.Zero, b3 = Vector256<int>.Zero;
                int i = 0;
                for (; i <= last - Vector256<byte>.Count; i += 2 * Vector256<byte>.Count)
                {
                    nuint j = (nuint)(i + Vector256<byte>.Count);
                    Vector256<sbyte> q = Vector256.LoadUnsafe(ref qRef, (nuint)i);
                    Vector256<sbyte> p = Vector256.LoadUnsafe(ref qRef, j);
                    a0 = AvxVnni.MultiplyWideningAndAdd(a0, Vector256.LoadUnsafe(ref r0, (nuint)i), q);
                    b0 = AvxVnni.MultiplyWideningAndAdd(b0, Vector256.LoadUnsafe(ref r0, j), p);
                    a1 = AvxVnni.MultiplyWideningAndAdd(a1, Vector256.LoadUnsafe(ref r1, (nuint)i), q);
                    b1 = AvxVnni.MultiplyWideningAndAdd(b1, Vector256.LoadUnsafe(ref r1, j), p);
                    a2 = AvxVnni.MultiplyWideningAndAdd(a2, Vector256.LoadUnsafe(ref r2, (nuint)i), q);
                    b2 = AvxVnni.MultiplyWideningAndAdd(b2, Vector256.LoadUnsafe(ref r2, j), p);
                    a3 = AvxVnni.MultiplyWideningAndAdd(a3, Vector256.LoadUnsafe(ref r3, (nuint)i), q);
                    b3 = AvxVnni.MultiplyWideningAndAdd(b3, Vector256.LoadUnsafe(ref r3, j), p);
                }

                if (i <= last)
                {
                    Vector256<sbyte> q = Vector256.LoadUnsafe(ref qRef, (nuint)i);
                    a0 = AvxVnni.MultiplyWideningAndAdd(a0, Vector256.LoadUnsafe(ref r0, (nuint)i), q);
                    a1 = AvxVnni.MultiplyWideningAndAdd(a1, Vector256.LoadUnsafe(ref r1, (nuint)i), q);
                    a2 = AvxVnni.MultiplyWideningAndAdd(a2, Vector256.LoadUnsafe(ref r2, (nuint)i), q);
                    a3 = AvxVnni.MultiplyWideningAndAdd(a3, Vector256.LoadUnsafe(ref r3, (nuint)i), q);
                }

                a0 += b0;
                a1 += b1;
                a2 += b2;
                a3 += b3;

                if (hasTail)
                {
                    // Process the last vector, masking what was done already.
                    a0 = AvxVnni.MultiplyWideningAndAdd(a0, Vector256.LoadUnsafe(ref r0, (nuint)last), qTail);
                    a1 = AvxVnni.MultiplyWideningAndAdd(a1, Vector256.LoadUnsafe(ref r1, (nuint)last), qTail);
                    a2 = AvxVnni.MultiplyWideningAndAdd(a2, Vector256.LoadUnsafe(ref r2, (nuint)last), qTail);
                    a3 = AvxVnni.MultiplyWideningAndAdd(a3, Vector256.LoadUnsafe(ref r3, (nuint)last), qTail);
                }

                Unsafe.Add(ref sRef, row) = Vector256.Sum(a0);
                Unsafe.Add(ref sRef, row + 1) = Vector256.Sum(a1);
                Unsafe.Add(ref sRef, row + 2) = Vector256.Sum(a2);
                Unsafe.Add(ref sRef, row + 3) = Vector256.Sum(a3);
            }

            for (; row < count; row++)
            {
                ref byte r0 = ref Unsafe.Add(ref rowsRef, (nint)row * length);
                Vector256<int> a0 = Vector256<int>.Zero;
                int i = 0;
                do
                {
                    a0 = AvxVnni.MultiplyWideningAndAdd(a0, Vector256.LoadUnsafe(ref r0, (nuint)i), Vector256.LoadUnsafe(ref qRef, (nuint)i));
                    i += Vector256<byte>.Count;
                }
                while (i <= last);

                if (hasTail)
                {
                    a0 = AvxVnni.MultiplyWideningAndAdd(a0, Vector256.LoadUnsafe(ref r0, (nuint)last), qTail);
                }

                Unsafe.Add(ref sRef, row) = Vector256.Sum(a0);
            }

            return;
        }

        if (Vector256.IsHardwareAccelerated && length >= Vector256<byte>.Count)
        {
            int last = length - Vector256<byte>.Count;
            int full = length - (length % Vector256<byte>.Count);
            Vector256<sbyte> mask = Vector256.GreaterThanOrEqual(Vector256<sbyte>.Indices, Vector256.Create((sbyte)(full - last)));
            Vector256<sbyte> qTail = Vector256.LoadUnsafe(ref qRef, (nuint)last) & mask;
            bool hasTail = full < length;
            for (; row < count; row++)
            {
                ref byte r0 = ref Unsafe.Add(ref rowsRef, (nint)row * length);
                Vector256<int> acc = Vector256<int>.Zero;
                int i = 0;
                do
                {
                    acc = WidenMultiplyAdd(acc, Vector256.LoadUnsafe(ref r0, (nuint)i), Vector256.LoadUnsafe(ref qRef, (nuint)i));
                    i += Vector256<byte>.Count;
                }
                while (i <= last);

                if (hasTail)
                {
                    // Process the last vector, masking what was done already.
                    acc = WidenMultiplyAdd(acc, Vector256.LoadUnsafe(ref r0, (nuint)last), qTail);
                }

                Unsafe.Add(ref sRef, row) = Vector256.Sum(acc);
            }

            return;
        }

        if (Vector128.IsHardwareAccelerated && length >= Vector128<byte>.Count)
        {
            int last = length - Vector128<byte>.Count;
            int full = length - (length % Vector128<byte>.Count);
            Vector128<sbyte> mask = Vector128.GreaterThanOrEqual(Vector128<sbyte>.Indices, Vector128.Create((sbyte)(full - last)));
            Vector128<sbyte> qTail = Vector128.LoadUnsafe(ref qRef, (nuint)last) & mask;
            bool hasTail = full < length;
            for (; row < count; row++)
            {
                ref byte r0 = ref Unsafe.Add(ref rowsRef, (nint)row * length);
                Vector128<int> acc = Vector128<int>.Zero;
                int i = 0;
                do
                {
                    acc = WidenMultiplyAdd(acc, Vector128.LoadUnsafe(ref r0, (nuint)i), Vector128.LoadUnsafe(ref qRef, (nuint)i));
                    i += Vector128<byte>.Count;
                }
                while (i <= last);

                if (hasTail)
                {
                    // Process the last vector, masking what was done already.
                    acc = WidenMultiplyAdd(acc, Vector128.LoadUnsafe(ref r0, (nuint)last), qTail);
                }

                Unsafe.Add(ref sRef, row) = Vector128.Sum(acc);
            }

            return;
        }

        // Rows shorter than one vector (or no SIMD at all).
        for (; row < count; row++)
        {
            ref byte r0 = ref Unsafe.Add(ref rowsRef, (nint)row * length);
            int sum = 0;
            for (int i = 0; i < length; i++)
            {
                sum += Unsafe.Add(ref r0, i) * Unsafe.Add(ref qRef, i);
            }

            Unsafe.Add(ref sRef, row) = sum;
        }
    }

    // Portable u8 × s8 step: widen both to 16 bits (|product| ≤ 255 × 128 fits), multiply, widen the products to 32 bits.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> WidenMultiplyAdd(Vector256<int> acc, Vector256<byte> codes, Vector256<sbyte> query)
    {
        (Vector256<ushort> cLo, Vector256<ushort> cHi) = Vector256.Widen(codes);
        (Vector256<short> qLo, Vector256<short> qHi) = Vector256.Widen(query);
        Vector256<short> pLo = cLo.AsInt16() * qLo;
        Vector256<short> pHi = cHi.AsInt16() * qHi;
        (Vector256<int> p0, Vector256<int> p1) = Vector256.Widen(pLo);
        (Vector256<int> p2, Vector256<int> p3) = Vector256.Widen(pHi);
        return acc + ((p0 + p1) + (p2 + p3));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> WidenMultiplyAdd(Vector128<int> acc, Vector128<byte> codes, Vector128<sbyte> query)
    {
        (Vector128<ushort> cLo, Vector128<ushort> cHi) = Vector128.Widen(codes);
        (Vector128<short> qLo, Vector128<short> qHi) = Vector128.Widen(query);
        Vector128<short> pLo = cLo.AsInt16() * qLo;
        Vector128<short> pHi = cHi.AsInt16() * qHi;
        (Vector128<int> p0, Vector128<int> p1) = Vector128.Widen(pLo);
        (Vector128<int> p2, Vector128<int> p3) = Vector128.Widen(pHi);
        return acc + ((p0 + p1) + (p2 + p3));
    }
}
