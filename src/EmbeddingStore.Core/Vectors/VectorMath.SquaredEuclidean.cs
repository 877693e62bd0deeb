// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace EmbeddingStore.Core.Vectors;

public static partial class VectorMath
{
    // Fused (x - y)² accumulation: TensorPrimitives.Distance would add a square root per row that the scan does not need.
    private static float SquaredEuclideanCore(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        ref float xRef = ref MemoryMarshal.GetReference(x);
        ref float yRef = ref MemoryMarshal.GetReference(y);
        int length = x.Length;

        if (Vector512.IsHardwareAccelerated && length >= Vector512<float>.Count)
        {
            // Two accumulators hide the add latency; the last full vector is reloaded with a mask for the remainder.
            Vector512<float> acc0 = Vector512<float>.Zero;
            Vector512<float> acc1 = Vector512<float>.Zero;
            int i = 0;
            int last = length - Vector512<float>.Count;
            while (i <= last - Vector512<float>.Count)
            {
                Vector512<float> d0 = Vector512.LoadUnsafe(ref xRef, (nuint)i) - Vector512.LoadUnsafe(ref yRef, (nuint)i);
                Vector512<float> d1 = Vector512.LoadUnsafe(ref xRef, (nuint)(i + Vector512<float>.Count))
                    - Vector512.LoadUnsafe(ref yRef, (nuint)(i + Vector512<float>.Count));
                acc0 = Vector512.FusedMultiplyAdd(d0, d0, acc0);
                acc1 = Vector512.FusedMultiplyAdd(d1, d1, acc1);
                i += 2 * Vector512<float>.Count;
            }

            if (i <= last)
            {
                Vector512<float> d = Vector512.LoadUnsafe(ref xRef, (nuint)i) - Vector512.LoadUnsafe(ref yRef, (nuint)i);
                acc0 = Vector512.FusedMultiplyAdd(d, d, acc0);
                i += Vector512<float>.Count;
            }

            if (i < length)
            {
                // Process the last vector, masking what was done already.
                Vector512<float> d = Vector512.LoadUnsafe(ref xRef, (nuint)last) - Vector512.LoadUnsafe(ref yRef, (nuint)last);
                Vector512<float> mask = Vector512.GreaterThanOrEqual(Vector512<int>.Indices, Vector512.Create(i - last)).AsSingle();
                d = Vector512.BitwiseAnd(d, mask);
                acc1 = Vector512.FusedMultiplyAdd(d, d, acc1);
            }

            return Vector512.Sum(acc0 + acc1);
        }

        if (Vector256.IsHardwareAccelerated && length >= Vector256<float>.Count)
        {
            Vector256<float> acc0 = Vector256<float>.Zero;
            Vector256<float> acc1 = Vector256<float>.Zero;
            int i = 0;
            int last = length - Vector256<float>.Count;
            while (i <= last - Vector256<float>.Count)
            {
                Vector256<float> d0 = Vector256.LoadUnsafe(ref xRef, (nuint)i) - Vector256.LoadUnsafe(ref yRef, (nuint)i);
                Vector256<float> d1 = Vector256.LoadUnsafe(ref xRef, (nuint)(i + Vector256<float>.Count))
                    - Vector256.LoadUnsafe(ref yRef, (nuint)(i + Vector256<float>.Count));
                acc0 = Vector256.FusedMultiplyAdd(d0, d0, acc0);
                acc1 = Vector256.FusedMultiplyAdd(d1, d1, acc1);
                i += 2 * Vector256<float>.Count;
            }

            if (i <= last)
            {
                Vector256<float> d = Vector256.LoadUnsafe(ref xRef, (nuint)i) - Vector256.LoadUnsafe(ref yRef, (nuint)i);
                acc0 = Vector256.FusedMultiplyAdd(d, d, acc0);
                i += Vector256<float>.Count;
            }

            if (i < length)
            {
                // Process the last vector, masking what was done already.
                Vector256<float> d = Vector256.LoadUnsafe(ref xRef, (nuint)last) - Vector256.LoadUnsafe(ref yRef, (nuint)last);
                Vector256<float> mask = Vector256.GreaterThanOrEqual(Vector256<int>.Indices, Vector256.Create(i - last)).AsSingle();
                d = Vector256.BitwiseAnd(d, mask);
                acc1 = Vector256.FusedMultiplyAdd(d, d, acc1);
            }

            return Vector256.Sum(acc0 + acc1);
        }

        if (Vector128.IsHardwareAccelerated && length >= Vector128<float>.Count)
        {
            Vector128<float> acc = Vector128<float>.Zero;
            int i = 0;
            int last = length - Vector128<float>.Count;
            while (i <= last)
            {
                Vector128<float> d = Vector128.LoadUnsafe(ref xRef, (nuint)i) - Vector128.LoadUnsafe(ref yRef, (nuint)i);
                acc = Vector128.FusedMultiplyAdd(d, d, acc);
                i += Vector128<float>.Count;
            }

            if (i < length)
            {
                // Process the last vector, masking what was done already.
                Vector128<float> d = Vector128.LoadUnsafe(ref xRef, (nuint)last) - Vector128.LoadUnsafe(ref yRef, (nuint)last);
                Vector128<float> mask = Vector128.GreaterThanOrEqual(Vector128<int>.Indices, Vector128.Create(i - last)).AsSingle();
                d = Vector128.BitwiseAnd(d, mask);
                acc = Vector128.FusedMultiplyAdd(d, d, acc);
            }

            return Vector128.Sum(acc);
        }

        // Inputs shorter than one vector (or no SIMD at all).
        float sum = 0f;
        for (int i = 0; i < length; i++)
        {
            float d = Unsafe.Add(ref xRef, i) - Unsafe.Add(ref yRef, i);
            sum += d * d;
        }

        return sum;
    }
}
