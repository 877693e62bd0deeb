// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace EmbeddingStore.Core.Vectors;

public static partial class VectorMath
{
    /// <summary>
    /// The largest query code <see cref="DotGatheredCodes"/> accepts: with |q| ≤ 63 two adjacent products sum to at most
    /// 2 × 255 × 63 = 32,130, inside a 16-bit lane, so the AVX2 byte multiply (<c>vpmaddubsw</c>, which saturates) is exact.
    /// </summary>
    internal const int GatheredCodeQueryLimit = 63;

    // Integer dot products of one signed 8-bit query (every code within ±GatheredCodeQueryLimit) with scattered rows of
    // unsigned 8-bit codes (query.Length bytes each): the kernel of a graph walk on int8 codes, which scores a node's
    // unvisited neighbours. Every row's first line is requested up front, as the float gathered kernel does, so the
    // misses of one neighbour list overlap. Integer sums are exact, so every path (VNNI, AVX2, portable) returns the
    // scalar loop's result on every platform.
    internal static void DotGatheredCodes(ReadOnlySpan<sbyte> query, ReadOnlySpan<byte> codes, ReadOnlySpan<int> rows, Span<int> dots)
    {
        int dimension = query.Length;
        if (dimension == 0 || dots.Length < rows.Length)
        {
            ThrowLengthMismatch(dots.Length, rows.Length);
        }

        long limit = codes.Length - (long)dimension;
        foreach (int row in rows)
        {
            if (row < 0 || (long)row * dimension > limit)
            {
                ThrowLengthMismatch(codes.Length, (row + 1) * dimension);
            }
        }

        AssertQueryWithinLimit(query);
        DotGatheredCodesCore(query, codes, rows, dots);
    }

    private static unsafe void DotGatheredCodesCore(ReadOnlySpan<sbyte> query, ReadOnlySpan<byte> codes, ReadOnlySpan<int> rows, Span<int> dots)
    {
        ref sbyte qRef = ref MemoryMarshal.GetReference(query);
        ref byte codesRef = ref MemoryMarshal.GetReference(codes);
        ref int dRef = ref MemoryMarshal.GetReference(dots);
        int dimension = query.Length;
        int count = rows.Length;

        if (Sse.IsSupported)
        {
            foreach (int r in rows)
            {
                Sse.Prefetch0(Unsafe.AsPointer(ref Unsafe.Add(ref codesRef, (nint)r * dimension)));
            }
        }

        if (Avx2.IsSupported && dimension >= Vector256<byte>.Count)
        {
            // Masking the query's already-done lanes to zero makes the overlapping last vector add only new products.
            int last = dimension - Vector256<byte>.Count;
            int full = dimension - (dimension % Vector256<byte>.Count);
            Vector256<sbyte> mask = Vector256.GreaterThanOrEqual(Vector256<sbyte>.Indices, Vector256.Create((sbyte)(full - last)));
            Vector256<sbyte> qTail = Vector256.LoadUnsafe(ref qRef, (nuint)last) & mask;
            bool hasTail = full < dimension;
            bool vnni = AvxVnni.IsSupported;
            Vector256<short> ones = Vector256.Create((short)1);
            int next = 0;
            for (; next <= count - 2; next += 2)
            {
                // Two rows per pass: two independent chains, and both rows' misses in flight together.
                ref byte r0 = ref Unsafe.Add(ref codesRef, (nint)rows[next] * dimension);
                ref byte r1 = ref Unsafe.Add(ref codesRef, (nint)rows[next + 1] * dimension);
                Vector256<int> a0 = Vector256<int>.Zero;
                Vector256<int> a1 = Vector256<int>.Zero;
                int i = 0;
                for (; i <= last; i += Vector256<byte>.Count)
                {
                    Vector256<sbyte> q = Vector256.LoadUnsafe(ref qRef, (nuint)i);
                    a0 = CodeStep(a0, Vector256.LoadUnsafe(ref r0, (nuint)i), q, ones, vnni);
                    a1 = CodeStep(a1, Vector256.LoadUnsafe(ref r1, (nuint)i), q, ones, vnni);
                }

                if (hasTail)
                {
                    a0 = CodeStep(a0, Vector256.LoadUnsafe(ref r0, (nuint)last), qTail, ones, vnni);
                    a1 = CodeStep(a1, Vector256.LoadUnsafe(ref r1, (nuint)last), qTail, ones, vnni);
                }

                Unsafe.Add(ref dRef, next) = Vector256.Sum(a0);
                Unsafe.Add(ref dRef, next + 1) = Vector256.Sum(a1);
            }

            for (; next < count; next++)
            {
                ref byte r0 = ref Unsafe.Add(ref codesRef, (nint)rows[next] * dimension);
                Vector256<int> a0 = Vector256<int>.Zero;
                for (int i = 0; i <= last; i += Vector256<byte>.Count)
                {
                    a0 = CodeStep(a0, Vector256.LoadUnsafe(ref r0, (nuint)i), Vector256.LoadUnsafe(ref qRef, (nuint)i), ones, vnni);
                }

                if (hasTail)
                {
                    a0 = CodeStep(a0, Vector256.LoadUnsafe(ref r0, (nuint)last), qTail, ones, vnni);
                }

                Unsafe.Add(ref dRef, next) = Vector256.Sum(a0);
            }

            return;
        }

        // Without AVX2 (or rows shorter than one vector): the contiguous int8 kernel, one row at a time; the same sums.
        for (int next = 0; next < count; next++)
        {
            DotRowsInt8Core(query, codes.Slice(rows[next] * dimension, dimension), dots.Slice(next, 1));
        }
    }

    // One 32-byte step: u8 × s8 products summed into the eight 32-bit lanes. VNNI does it in one instruction; AVX2 sums
    // adjacent pairs into 16 bits (exact for |q| ≤ 63) and then adjacent 16-bit pairs into 32 bits.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> CodeStep(Vector256<int> acc, Vector256<byte> codes, Vector256<sbyte> query, Vector256<short> ones, bool vnni)
    {
        if (vnni)
        {
            return AvxVnni.MultiplyWideningAndAdd(acc, codes, query);
        }

        return acc + Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(codes, query), ones);
    }

    [Conditional("DEBUG")]
    private static void AssertQueryWithinLimit(ReadOnlySpan<sbyte> query)
    {
        foreach (sbyte q in query)
        {
            Debug.Assert(q >= -GatheredCodeQueryLimit && q <= GatheredCodeQueryLimit, "query codes are prepared within the gathered kernel's limit");
        }
    }
}
