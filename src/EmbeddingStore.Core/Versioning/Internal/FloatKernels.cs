// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace EmbeddingStore.Core.Versioning.Internal;

/// <summary>
/// The float matrix product behind every bridge's Apply (m = 1) and the evaluator's score matrices (m = queries).
/// </summary>
/// <remarks>
/// TensorPrimitives has no matrix product, and an axpy per row of B reloads and re-stores the output on every step.
/// This kernel keeps a 4-row × 4-vector tile of C in registers while it walks k, so each element of B is loaded
/// once per 4 rows of A and the output is written once. Column blocks are the outer loop so the k × 64 panel of B
/// stays in L2 while all rows of A pass over it.
/// Results use fused multiply-add where the hardware has it, so they may differ in the last bit between machines,
/// but are identical between calls on one machine.
/// </remarks>
internal static class FloatKernels
{
    /// <summary>
    /// C (m × n) = init + A (m × k) · B (k × n), all row-major. init is C itself when <paramref name="accumulate"/> is
    /// set, else <paramref name="bias"/> broadcast to every row (length n), else zero.
    /// </summary>
    public static void MultiplyAdd(
        ReadOnlySpan<float> a, int m, int k, ReadOnlySpan<float> b, int n, ReadOnlySpan<float> bias, Span<float> c, bool accumulate = false)
    {
        Debug.Assert(a.Length >= m * k && b.Length >= k * n && c.Length >= m * n);
        Debug.Assert(bias.IsEmpty || bias.Length >= n);
        if (m == 0 || n == 0)
        {
            return;
        }

        if (!accumulate)
        {
            for (int i = 0; i < m; i++)
            {
                Span<float> row = c.Slice(i * n, n);
                if (bias.IsEmpty)
                {
                    row.Clear();
                }
                else
                {
                    bias[..n].CopyTo(row);
                }
            }
        }

        int done = 0;
        if (Vector512.IsHardwareAccelerated && n >= Vector512<float>.Count)
        {
            done = m < 4 ? MultiplyRows512(a, m, k, b, n, c) : Multiply512(a, m, k, b, n, c);
        }
        else if (Vector256.IsHardwareAccelerated && n >= Vector256<float>.Count)
        {
            done = Multiply256(a, m, k, b, n, c);
        }

        // Columns left over after the last full vector: scalar.
        for (int i = 0; i < m; i++)
        {
            ReadOnlySpan<float> aRow = a.Slice(i * k, k);
            Span<float> cRow = c.Slice(i * n, n);
            for (int j = done; j < n; j++)
            {
                float sum = cRow[j];
                for (int p = 0; p < k; p++)
                {
                    sum += aRow[p] * b[(p * n) + j];
                }

                cRow[j] = sum;
            }
        }
    }

    // Returns the number of leading columns it completed (a multiple of the vector width).
    private static int Multiply512(ReadOnlySpan<float> a, int m, int k, ReadOnlySpan<float> b, int n, Span<float> c)
    {
        const int W = 16;
        ref float aRef = ref MemoryMarshal.GetReference(a);
        ref float bRef = ref MemoryMarshal.GetReference(b);
        ref float cRef = ref MemoryMarshal.GetReference(c);
        int j0 = 0;

        // Panels of four vectors (64 columns).
        for (; j0 <= n - (4 * W); j0 += 4 * W)
        {
            int i = 0;
            for (; i <= m - 4; i += 4)
            {
                ref float c0 = ref Unsafe.Add(ref cRef, (i * n) + j0);
                ref float c1 = ref Unsafe.Add(ref c0, n);
                ref float c2 = ref Unsafe.Add(ref c1, n);
                ref float c3 = ref Unsafe.Add(ref c2, n);
                Vector512<float> s00 = Vector512.LoadUnsafe(ref c0), s01 = Vector512.LoadUnsafe(ref c0, W);
                Vector512<float> s02 = Vector512.LoadUnsafe(ref c0, 2 * W), s03 = Vector512.LoadUnsafe(ref c0, 3 * W);
                Vector512<float> s10 = Vector512.LoadUnsafe(ref c1), s11 = Vector512.LoadUnsafe(ref c1, W);
                Vector512<float> s12 = Vector512.LoadUnsafe(ref c1, 2 * W), s13 = Vector512.LoadUnsafe(ref c1, 3 * W);
                Vector512<float> s20 = Vector512.LoadUnsafe(ref c2), s21 = Vector512.LoadUnsafe(ref c2, W);
                Vector512<float> s22 = Vector512.LoadUnsafe(ref c2, 2 * W), s23 = Vector512.LoadUnsafe(ref c2, 3 * W);
                Vector512<float> s30 = Vector512.LoadUnsafe(ref c3), s31 = Vector512.LoadUnsafe(ref c3, W);
                Vector512<float> s32 = Vector512.LoadUnsafe(ref c3, 2 * W), s33 = Vector512.LoadUnsafe(ref c3, 3 * W);
                ref float a0 = ref Unsafe.Add(ref aRef, i * k);
                for (int p = 0; p < k; p++)
                {
                    // One row of the B panel, four broadcast coefficients, sixteen fused multiply-adds.
                    ref float bp = ref Unsafe.Add(ref bRef, (p * n) + j0);
                    Vector512<float> b0 = Vector512.LoadUnsafe(ref bp), b1 = Vector512.LoadUnsafe(ref bp, W);
                    Vector512<float> b2 = Vector512.LoadUnsafe(ref bp, 2 * W), b3 = Vector512.LoadUnsafe(ref bp, 3 * W);
                    Vector512<float> x0 = Vector512.Create(Unsafe.Add(ref a0, p));
                    Vector512<float> x1 = Vector512.Create(Unsafe.Add(ref a0, k + p));
                    Vector512<float> x2 = Vector512.Create(Unsafe.Add(ref a0, (2 * k) + p));
                    Vector512<float> x3 = Vector512.Create(Unsafe.Add(ref a0, (3 * k) + p));
                    s00 = Vector512.MultiplyAddEstimate(x0, b0, s00); s01 = Vector512.MultiplyAddEstimate(x0, b1, s01);
                    s02 = Vector512.MultiplyAddEstimate(x0, b2, s02); s03 = Vector512.MultiplyAddEstimate(x0, b3, s03);
                    s10 = Vector512.MultiplyAddEstimate(x1, b0, s10); s11 = Vector512.MultiplyAddEstimate(x1, b1, s11);
                    s12 = Vector512.MultiplyAddEstimate(x1, b2, s12); s13 = Vector512.MultiplyAddEstimate(x1, b3, s13);
                    s20 = Vector512.MultiplyAddEstimate(x2, b0, s20); s21 = Vector512.MultiplyAddEstimate(x2, b1, s21);
                    s22 = Vector512.MultiplyAddEstimate(x2, b2, s22); s23 = Vector512.MultiplyAddEstimate(x2, b3, s23);
                    s30 = Vector512.MultiplyAddEstimate(x3, b0, s30); s31 = Vector512.MultiplyAddEstimate(x3, b1, s31);
                    s32 = Vector512.MultiplyAddEstimate(x3, b2, s32); s33 = Vector512.MultiplyAddEstimate(x3, b3, s33);
                }

                s00.StoreUnsafe(ref c0); s01.StoreUnsafe(ref c0, W); s02.StoreUnsafe(ref c0, 2 * W); s03.StoreUnsafe(ref c0, 3 * W);
                s10.StoreUnsafe(ref c1); s11.StoreUnsafe(ref c1, W); s12.StoreUnsafe(ref c1, 2 * W); s13.StoreUnsafe(ref c1, 3 * W);
                s20.StoreUnsafe(ref c2); s21.StoreUnsafe(ref c2, W); s22.StoreUnsafe(ref c2, 2 * W); s23.StoreUnsafe(ref c2, 3 * W);
                s30.StoreUnsafe(ref c3); s31.StoreUnsafe(ref c3, W); s32.StoreUnsafe(ref c3, 2 * W); s33.StoreUnsafe(ref c3, 3 * W);
            }

            // Rows left over after the last group of four: one row at a time.
            for (; i < m; i++)
            {
                ref float c0 = ref Unsafe.Add(ref cRef, (i * n) + j0);
                Vector512<float> s0 = Vector512.LoadUnsafe(ref c0), s1 = Vector512.LoadUnsafe(ref c0, W);
                Vector512<float> s2 = Vector512.LoadUnsafe(ref c0, 2 * W), s3 = Vector512.LoadUnsafe(ref c0, 3 * W);
                ref float a0 = ref Unsafe.Add(ref aRef, i * k);
                for (int p = 0; p < k; p++)
                {
                    ref float bp = ref Unsafe.Add(ref bRef, (p * n) + j0);
                    Vector512<float> x = Vector512.Create(Unsafe.Add(ref a0, p));
                    s0 = Vector512.MultiplyAddEstimate(x, Vector512.LoadUnsafe(ref bp), s0);
                    s1 = Vector512.MultiplyAddEstimate(x, Vector512.LoadUnsafe(ref bp, W), s1);
                    s2 = Vector512.MultiplyAddEstimate(x, Vector512.LoadUnsafe(ref bp, 2 * W), s2);
                    s3 = Vector512.MultiplyAddEstimate(x, Vector512.LoadUnsafe(ref bp, 3 * W), s3);
                }

                s0.StoreUnsafe(ref c0); s1.StoreUnsafe(ref c0, W); s2.StoreUnsafe(ref c0, 2 * W); s3.StoreUnsafe(ref c0, 3 * W);
            }
        }

        // Single-vector panels for the columns that do not fill four vectors.
        for (; j0 <= n - W; j0 += W)
        {
            for (int i = 0; i < m; i++)
            {
                ref float c0 = ref Unsafe.Add(ref cRef, (i * n) + j0);
                Vector512<float> s0 = Vector512.LoadUnsafe(ref c0);
                ref float a0 = ref Unsafe.Add(ref aRef, i * k);
                for (int p = 0; p < k; p++)
                {
                    s0 = Vector512.MultiplyAddEstimate(
                        Vector512.Create(Unsafe.Add(ref a0, p)), Vector512.LoadUnsafe(ref bRef, (nuint)((p * n) + j0)), s0);
                }

                s0.StoreUnsafe(ref c0);
            }
        }

        return j0;
    }

    // Fewer than four rows (a bridge's Apply is one row): eight independent accumulators per row instead of a 4 × 4 tile,
    // so the multiply-adds of one row are not serialised on the FMA latency. Each output element is still accumulated in
    // the same order as in the tiled path, so single and batched applies give identical bits.
    private static int MultiplyRows512(ReadOnlySpan<float> a, int m, int k, ReadOnlySpan<float> b, int n, Span<float> c)
    {
        const int W = 16;
        ref float aRef = ref MemoryMarshal.GetReference(a);
        ref float bRef = ref MemoryMarshal.GetReference(b);
        ref float cRef = ref MemoryMarshal.GetReference(c);
        int j0 = 0;
        for (; j0 <= n - (8 * W); j0 += 8 * W)
        {
            for (int i = 0; i < m; i++)
            {
                ref float c0 = ref Unsafe.Add(ref cRef, (i * n) + j0);
                Vector512<float> s0 = Vector512.LoadUnsafe(ref c0), s1 = Vector512.LoadUnsafe(ref c0, W);
                Vector512<float> s2 = Vector512.LoadUnsafe(ref c0, 2 * W), s3 = Vector512.LoadUnsafe(ref c0, 3 * W);
                Vector512<float> s4 = Vector512.LoadUnsafe(ref c0, 4 * W), s5 = Vector512.LoadUnsafe(ref c0, 5 * W);
                Vector512<float> s6 = Vector512.LoadUnsafe(ref c0, 6 * W), s7 = Vector512.LoadUnsafe(ref c0, 7 * W);
                ref float a0 = ref Unsafe.Add(ref aRef, i * k);
                for (int p = 0; p < k; p++)
                {
                    ref float bp = ref Unsafe.Add(ref bRef, (p * n) + j0);
                    Vector512<float> x = Vector512.Create(Unsafe.Add(ref a0, p));
                    s0 = Vector512.MultiplyAddEstimate(x, Vector512.LoadUnsafe(ref bp), s0);
                    s1 = Vector512.MultiplyAddEstimate(x, Vector512.LoadUnsafe(ref bp, W), s1);
                    s2 = Vector512.MultiplyAddEstimate(x, Vector512.LoadUnsafe(ref bp, 2 * W), s2);
                    s3 = Vector512.MultiplyAddEstimate(x, Vector512.LoadUnsafe(ref bp, 3 * W), s3);
                    s4 = Vector512.MultiplyAddEstimate(x, Vector512.LoadUnsafe(ref bp, 4 * W), s4);
                    s5 = Vector512.MultiplyAddEstimate(x, Vector512.LoadUnsafe(ref bp, 5 * W), s5);
                    s6 = Vector512.MultiplyAddEstimate(x, Vector512.LoadUnsafe(ref bp, 6 * W), s6);
                    s7 = Vector512.MultiplyAddEstimate(x, Vector512.LoadUnsafe(ref bp, 7 * W), s7);
                }

                s0.StoreUnsafe(ref c0); s1.StoreUnsafe(ref c0, W); s2.StoreUnsafe(ref c0, 2 * W); s3.StoreUnsafe(ref c0, 3 * W);
                s4.StoreUnsafe(ref c0, 4 * W); s5.StoreUnsafe(ref c0, 5 * W); s6.StoreUnsafe(ref c0, 6 * W); s7.StoreUnsafe(ref c0, 7 * W);
            }
        }

        // Remaining whole vectors, one accumulator each.
        for (; j0 <= n - W; j0 += W)
        {
            for (int i = 0; i < m; i++)
            {
                ref float c0 = ref Unsafe.Add(ref cRef, (i * n) + j0);
                Vector512<float> s0 = Vector512.LoadUnsafe(ref c0);
                ref float a0 = ref Unsafe.Add(ref aRef, i * k);
                for (int p = 0; p < k; p++)
                {
                    s0 = Vector512.MultiplyAddEstimate(
                        Vector512.Create(Unsafe.Add(ref a0, p)), Vector512.LoadUnsafe(ref bRef, (nuint)((p * n) + j0)), s0);
                }

                s0.StoreUnsafe(ref c0);
            }
        }

        return j0;
    }

    // The same tiling with 256-bit vectors, for hardware without AVX-512.
    private static int Multiply256(ReadOnlySpan<float> a, int m, int k, ReadOnlySpan<float> b, int n, Span<float> c)
    {
        const int W = 8;
        ref float aRef = ref MemoryMarshal.GetReference(a);
        ref float bRef = ref MemoryMarshal.GetReference(b);
        ref float cRef = ref MemoryMarshal.GetReference(c);
        int j0 = 0;
        for (; j0 <= n - (4 * W); j0 += 4 * W)
        {
            int i = 0;
            for (; i <= m - 4; i += 4)
            {
                ref float c0 = ref Unsafe.Add(ref cRef, (i * n) + j0);
                ref float c1 = ref Unsafe.Add(ref c0, n);
                ref float c2 = ref Unsafe.Add(ref c1, n);
                ref float c3 = ref Unsafe.Add(ref c2, n);
                Vector256<float> s00 = Vector256.LoadUnsafe(ref c0), s01 = Vector256.LoadUnsafe(ref c0, W);
                Vector256<float> s02 = Vector256.LoadUnsafe(ref c0, 2 * W), s03 = Vector256.LoadUnsafe(ref c0, 3 * W);
                Vector256<float> s10 = Vector256.LoadUnsafe(ref c1), s11 = Vector256.LoadUnsafe(ref c1, W);
                Vector256<float> s12 = Vector256.LoadUnsafe(ref c1, 2 * W), s13 = Vector256.LoadUnsafe(ref c1, 3 * W);
                Vector256<float> s20 = Vector256.LoadUnsafe(ref c2), s21 = Vector256.LoadUnsafe(ref c2, W);
                Vector256<float> s22 = Vector256.LoadUnsafe(ref c2, 2 * W), s23 = Vector256.LoadUnsafe(ref c2, 3 * W);
                Vector256<float> s30 = Vector256.LoadUnsafe(ref c3), s31 = Vector256.LoadUnsafe(ref c3, W);
                Vector256<float> s32 = Vector256.LoadUnsafe(ref c3, 2 * W), s33 = Vector256.LoadUnsafe(ref c3, 3 * W);
                ref float a0 = ref Unsafe.Add(ref aRef, i * k);
                for (int p = 0; p < k; p++)
                {
                    ref float bp = ref Unsafe.Add(ref bRef, (p * n) + j0);
                    Vector256<float> b0 = Vector256.LoadUnsafe(ref bp), b1 = Vector256.LoadUnsafe(ref bp, W);
                    Vector256<float> b2 = Vector256.LoadUnsafe(ref bp, 2 * W), b3 = Vector256.LoadUnsafe(ref bp, 3 * W);
                    Vector256<float> x0 = Vector256.Create(Unsafe.Add(ref a0, p));
                    Vector256<float> x1 = Vector256.Create(Unsafe.Add(ref a0, k + p));
                    Vector256<float> x2 = Vector256.Create(Unsafe.Add(ref a0, (2 * k) + p));
                    Vector256<float> x3 = Vector256.Create(Unsafe.Add(ref a0, (3 * k) + p));
                    s00 = Vector256.MultiplyAddEstimate(x0, b0, s00); s01 = Vector256.MultiplyAddEstimate(x0, b1, s01);
                    s02 = Vector256.MultiplyAddEstimate(x0, b2, s02); s03 = Vector256.MultiplyAddEstimate(x0, b3, s03);
                    s10 = Vector256.MultiplyAddEstimate(x1, b0, s10); s11 = Vector256.MultiplyAddEstimate(x1, b1, s11);
                    s12 = Vector256.MultiplyAddEstimate(x1, b2, s12); s13 = Vector256.MultiplyAddEstimate(x1, b3, s13);
                    s20 = Vector256.MultiplyAddEstimate(x2, b0, s20); s21 = Vector256.MultiplyAddEstimate(x2, b1, s21);
                    s22 = Vector256.MultiplyAddEstimate(x2, b2, s22); s23 = Vector256.MultiplyAddEstimate(x2, b3, s23);
                    s30 = Vector256.MultiplyAddEstimate(x3, b0, s30); s31 = Vector256.MultiplyAddEstimate(x3, b1, s31);
                    s32 = Vector256.MultiplyAddEstimate(x3, b2, s32); s33 = Vector256.MultiplyAddEstimate(x3, b3, s33);
                }

                s00.StoreUnsafe(ref c0); s01.StoreUnsafe(ref c0, W); s02.StoreUnsafe(ref c0, 2 * W); s03.StoreUnsafe(ref c0, 3 * W);
                s10.StoreUnsafe(ref c1); s11.StoreUnsafe(ref c1, W); s12.StoreUnsafe(ref c1, 2 * W); s13.StoreUnsafe(ref c1, 3 * W);
                s20.StoreUnsafe(ref c2); s21.StoreUnsafe(ref c2, W); s22.StoreUnsafe(ref c2, 2 * W); s23.StoreUnsafe(ref c2, 3 * W);
                s30.StoreUnsafe(ref c3); s31.StoreUnsafe(ref c3, W); s32.StoreUnsafe(ref c3, 2 * W); s33.StoreUnsafe(ref c3, 3 * W);
            }

            for (; i < m; i++)
            {
                ref float c0 = ref Unsafe.Add(ref cRef, (i * n) + j0);
                Vector256<float> s0 = Vector256.LoadUnsafe(ref c0), s1 = Vector256.LoadUnsafe(ref c0, W);
                Vector256<float> s2 = Vector256.LoadUnsafe(ref c0, 2 * W), s3 = Vector256.LoadUnsafe(ref c0, 3 * W);
                ref float a0 = ref Unsafe.Add(ref aRef, i * k);
                for (int p = 0; p < k; p++)
                {
                    ref float bp = ref Unsafe.Add(ref bRef, (p * n) + j0);
                    Vector256<float> x = Vector256.Create(Unsafe.Add(ref a0, p));
                    s0 = Vector256.MultiplyAddEstimate(x, Vector256.LoadUnsafe(ref bp), s0);
                    s1 = Vector256.MultiplyAddEstimate(x, Vector256.LoadUnsafe(ref bp, W), s1);
                    s2 = Vector256.MultiplyAddEstimate(x, Vector256.LoadUnsafe(ref bp, 2 * W), s2);
                    s3 = Vector256.MultiplyAddEstimate(x, Vector256.LoadUnsafe(ref bp, 3 * W), s3);
                }

                s0.StoreUnsafe(ref c0); s1.StoreUnsafe(ref c0, W); s2.StoreUnsafe(ref c0, 2 * W); s3.StoreUnsafe(ref c0, 3 * W);
            }
        }

        for (; j0 <= n - W; j0 += W)
        {
            for (int i = 0; i < m; i++)
            {
                ref float c0 = ref Unsafe.Add(ref cRef, (i * n) + j0);
                Vector256<float> s0 = Vector256.LoadUnsafe(ref c0);
                ref float a0 = ref Unsafe.Add(ref aRef, i * k);
                for (int p = 0; p < k; p++)
                {
                    s0 = Vector256.MultiplyAddEstimate(
                        Vector256.Create(Unsafe.Add(ref a0, p)), Vector256.LoadUnsafe(ref bRef, (nuint)((p * n) + j0)), s0);
                }

                s0.StoreUnsafe(ref c0);
            }
        }

        return j0;
    }
}
