// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace EmbeddingStore.Core.Versioning.Internal;

/// <summary>
/// Eigen-decomposition of a real symmetric matrix: Householder reduction to tridiagonal form, then implicit
/// symmetric QR steps with Wilkinson shifts (Golub and Van Loan, Matrix Computations, §8.3).
/// </summary>
/// <remarks>
/// Cyclic Jacobi would be simpler but costs several n³ per sweep with strided column updates; this path is about
/// 9n³ flops in total and every inner loop runs over contiguous rows, so 384×384 takes tens of milliseconds.
/// Eigenvectors are kept as the rows of Zᵀ so each Givens rotation touches two contiguous rows.
/// </remarks>
internal static class SymmetricEigen
{
    /// <summary>
    /// Decomposes A = Z diag(values) Zᵀ. Returns eigenvalues in descending order and the matching eigenvectors as the
    /// rows of <c>vectors</c> (row k is the unit eigenvector of values[k]). Only the upper triangle of A is read.
    /// </summary>
    public static (double[] Values, double[] Vectors) Decompose(ReadOnlySpan<double> matrix, int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        if (matrix.Length < n * n)
        {
            throw new ArgumentException($"A {n}×{n} matrix needs {n * n} values but {matrix.Length} were given.", nameof(matrix));
        }

        if (n == 0)
        {
            return ([], []);
        }

        var a = new double[n * n];
        matrix[..(n * n)].CopyTo(a);
        DenseMatrix.MirrorUpper(a, n);

        var diagonal = new double[n];
        var offDiagonal = new double[Math.Max(n - 1, 1)];
        double[] zt = Tridiagonalize(a, n, diagonal, offDiagonal);
        if (!TridiagonalQr(diagonal, offDiagonal, zt, n))
        {
            throw new ArithmeticException($"The symmetric eigen-solver did not converge for a {n}×{n} matrix (non-finite input?).");
        }

        // Sort descending; ties keep the solver's order so the result is deterministic.
        var order = new int[n];
        for (int i = 0; i < n; i++)
        {
            order[i] = i;
        }

        Array.Sort(order, (x, y) =>
        {
            int byValue = diagonal[y].CompareTo(diagonal[x]);
            return byValue != 0 ? byValue : x.CompareTo(y);
        });

        var values = new double[n];
        var vectors = new double[n * n];
        for (int k = 0; k < n; k++)
        {
            values[k] = diagonal[order[k]];
            zt.AsSpan(order[k] * n, n).CopyTo(vectors.AsSpan(k * n, n));
        }

        return (values, vectors);
    }

    // Reduces A (full symmetric, destroyed) to T = Qᵀ A Q and returns Qᵀ (row k of Qᵀ is column k of Q).
    private static double[] Tridiagonalize(double[] a, int n, double[] diagonal, double[] offDiagonal)
    {
        var reflectors = new double[n * n];
        var betas = new double[n];
        var p = new double[n];
        var w = new double[n];
        for (int k = 0; k < n - 2; k++)
        {
            int m = n - k - 1;
            Span<double> x = a.AsSpan((k * n) + k + 1, m);

            // Householder vector v with (I - β v vᵀ) x = α e₁; skip when x already has that shape.
            double tailNorm2 = TensorPrimitives.Dot(x[1..], x[1..]);
            if (tailNorm2 == 0)
            {
                betas[k] = 0;
                continue;
            }

            double norm = Math.Sqrt((x[0] * x[0]) + tailNorm2);
            double alpha = x[0] > 0 ? -norm : norm;
            Span<double> v = reflectors.AsSpan(k * n, m);
            x.CopyTo(v);
            v[0] -= alpha;
            double beta = 2.0 / TensorPrimitives.Dot(v, v);
            betas[k] = beta;

            // p = β S v over the trailing block S, then w = p - (β/2)(pᵀv) v.
            Span<double> pk = p.AsSpan(0, m);
            for (int i = 0; i < m; i++)
            {
                pk[i] = beta * TensorPrimitives.Dot(a.AsSpan(((k + 1 + i) * n) + k + 1, m), v);
            }

            double half = 0.5 * beta * TensorPrimitives.Dot(pk, v);
            Span<double> wk = w.AsSpan(0, m);
            TensorPrimitives.MultiplyAdd(v, -half, pk, wk);

            // S -= v wᵀ + w vᵀ, one contiguous row at a time.
            for (int i = 0; i < m; i++)
            {
                Span<double> row = a.AsSpan(((k + 1 + i) * n) + k + 1, m);
                TensorPrimitives.MultiplyAdd(wk, -v[i], row, row);
                TensorPrimitives.MultiplyAdd(v, -wk[i], row, row);
            }

            // Column k below the sub-diagonal is now α e₁.
            a[(k * n) + k + 1] = alpha;
            a[((k + 1) * n) + k] = alpha;
        }

        for (int i = 0; i < n; i++)
        {
            diagonal[i] = a[(i * n) + i];
            if (i < n - 1)
            {
                offDiagonal[i] = a[(i * n) + i + 1];
            }
        }

        // Q = H₀ H₁ … H_{n-3}, accumulated backwards so each step only touches the trailing block.
        var q = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            q[(i * n) + i] = 1;
        }

        var u = new double[n];
        for (int k = n - 3; k >= 0; k--)
        {
            double beta = betas[k];
            if (beta == 0)
            {
                continue;
            }

            int m = n - k - 1;
            ReadOnlySpan<double> v = reflectors.AsSpan(k * n, m);
            Span<double> uk = u.AsSpan(0, m);
            uk.Clear();
            for (int i = 0; i < m; i++)
            {
                TensorPrimitives.MultiplyAdd(q.AsSpan(((k + 1 + i) * n) + k + 1, m), v[i], uk, uk);
            }

            for (int i = 0; i < m; i++)
            {
                Span<double> row = q.AsSpan(((k + 1 + i) * n) + k + 1, m);
                TensorPrimitives.MultiplyAdd(uk, -beta * v[i], row, row);
            }
        }

        return DenseMatrix.Transpose(q, n, n);
    }

    // Implicit symmetric QR on (diagonal, offDiagonal), accumulating rotations into the rows of zt.
    private static bool TridiagonalQr(double[] d, double[] e, double[] zt, int n)
    {
        int maxSteps = 60 * n;
        int steps = 0;
        int hi = n - 1;
        while (hi > 0)
        {
            // Deflate negligible couplings from the bottom up.
            if (Math.Abs(e[hi - 1]) <= double.Epsilon + (2.2e-16 * (Math.Abs(d[hi - 1]) + Math.Abs(d[hi]))))
            {
                e[hi - 1] = 0;
                hi--;
                continue;
            }

            int lo = hi - 1;
            while (lo > 0 && Math.Abs(e[lo - 1]) > double.Epsilon + (2.2e-16 * (Math.Abs(d[lo - 1]) + Math.Abs(d[lo]))))
            {
                lo--;
            }

            if (lo > 0)
            {
                e[lo - 1] = 0;
            }

            if (++steps > maxSteps || !double.IsFinite(d[hi]) || !double.IsFinite(e[hi - 1]))
            {
                return false;
            }

            QrStep(d, e, zt, n, lo, hi);
        }

        return true;
    }

    private static void QrStep(double[] d, double[] e, double[] zt, int n, int lo, int hi)
    {
        // Wilkinson shift: the eigenvalue of the trailing 2×2 block closer to its last diagonal entry.
        double delta = (d[hi - 1] - d[hi]) / 2;
        double coupling = e[hi - 1];
        double radius = Math.Sqrt((delta * delta) + (coupling * coupling));
        double shift = d[hi] - (coupling * coupling / (delta + (delta >= 0 ? radius : -radius)));

        double x = d[lo] - shift;
        double z = e[lo];
        for (int k = lo; k < hi; k++)
        {
            // Rotation in the (k, k+1) plane with c·x + s·z = r and -s·x + c·z = 0.
            double r = Math.Sqrt((x * x) + (z * z));
            double c = r == 0 ? 1 : x / r;
            double s = r == 0 ? 0 : z / r;
            if (k > lo)
            {
                e[k - 1] = r;
            }

            double a = d[k];
            double b = e[k];
            double dd = d[k + 1];
            d[k] = (c * c * a) + (2 * c * s * b) + (s * s * dd);
            d[k + 1] = (s * s * a) - (2 * c * s * b) + (c * c * dd);
            e[k] = (c * s * (dd - a)) + (((c * c) - (s * s)) * b);
            if (k < hi - 1)
            {
                // The bulge created below the band, chased down by the next rotation.
                z = s * e[k + 1];
                e[k + 1] *= c;
                x = e[k];
            }

            RotateRows(zt.AsSpan(k * n, n), zt.AsSpan((k + 1) * n, n), c, s);
        }
    }

    // (p, q) ← (c p + s q, -s p + c q) on two contiguous rows; this loop dominates the QR phase.
    private static void RotateRows(Span<double> p, Span<double> q, double c, double s)
    {
        int j = 0;
        ref double pRef = ref MemoryMarshal.GetReference(p);
        ref double qRef = ref MemoryMarshal.GetReference(q);
        if (Vector512.IsHardwareAccelerated && p.Length >= Vector512<double>.Count)
        {
            Vector512<double> cv = Vector512.Create(c);
            Vector512<double> sv = Vector512.Create(s);
            for (; j <= p.Length - Vector512<double>.Count; j += Vector512<double>.Count)
            {
                Vector512<double> pv = Vector512.LoadUnsafe(ref pRef, (nuint)j);
                Vector512<double> qv = Vector512.LoadUnsafe(ref qRef, (nuint)j);
                ((cv * pv) + (sv * qv)).StoreUnsafe(ref pRef, (nuint)j);
                ((cv * qv) - (sv * pv)).StoreUnsafe(ref qRef, (nuint)j);
            }
        }
        else if (Vector256.IsHardwareAccelerated && p.Length >= Vector256<double>.Count)
        {
            Vector256<double> cv = Vector256.Create(c);
            Vector256<double> sv = Vector256.Create(s);
            for (; j <= p.Length - Vector256<double>.Count; j += Vector256<double>.Count)
            {
                Vector256<double> pv = Vector256.LoadUnsafe(ref pRef, (nuint)j);
                Vector256<double> qv = Vector256.LoadUnsafe(ref qRef, (nuint)j);
                ((cv * pv) + (sv * qv)).StoreUnsafe(ref pRef, (nuint)j);
                ((cv * qv) - (sv * pv)).StoreUnsafe(ref qRef, (nuint)j);
            }
        }

        // Scalar remainder.
        for (; j < p.Length; j++)
        {
            double pj = p[j];
            double qj = q[j];
            p[j] = (c * pj) + (s * qj);
            q[j] = (c * qj) - (s * pj);
        }
    }
}
