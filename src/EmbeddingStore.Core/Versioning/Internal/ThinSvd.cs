// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Numerics.Tensors;

namespace EmbeddingStore.Core.Versioning.Internal;

/// <summary>
/// Thin singular value decomposition M = U diag(S) Vᵀ through the eigen-decomposition of the smaller Gram matrix,
/// and the orthogonal polar factor U Vᵀ that orthogonal Procrustes needs.
/// </summary>
/// <remarks>
/// Squaring M loses relative accuracy in singular values below about 1e-8 of the largest. Procrustes only needs the
/// polar factor, whose columns for such tiny singular values barely change the objective, so U is re-orthogonalised
/// (and completed where M is rank-deficient) instead of being trusted: the result is orthogonal to rounding error
/// whatever the conditioning.
/// </remarks>
internal static class ThinSvd
{
    /// <summary>
    /// Decomposes M (rows × cols). Returns r = min(rows, cols) singular values in descending order, U (rows × r) and
    /// V (cols × r), both row-major, with M ≈ U diag(S) Vᵀ.
    /// </summary>
    public static (double[] S, double[] U, double[] V) Decompose(ReadOnlySpan<double> m, int rows, int cols)
    {
        if (rows < cols)
        {
            // Decompose Mᵀ and swap the roles of U and V.
            double[] mt = DenseMatrix.Transpose(m, rows, cols);
            (double[] s, double[] u, double[] v) = Decompose(mt, cols, rows);
            return (s, v, u);
        }

        (double[] singular, double[] ut, double[] vt) = DecomposeTall(m, rows, cols);
        return (singular, DenseMatrix.Transpose(ut, cols, rows), DenseMatrix.Transpose(vt, cols, cols));
    }

    /// <summary>
    /// The semi-orthogonal W (rows × cols) closest to M in Frobenius norm, W = U Vᵀ; WᵀW = I when rows ≥ cols and
    /// W Wᵀ = I otherwise. Also returns the sum of singular values, trace(Wᵀ M), which scaled Procrustes needs.
    /// </summary>
    public static (double[] W, double TraceSigma) PolarFactor(ReadOnlySpan<double> m, int rows, int cols)
    {
        if (rows < cols)
        {
            double[] mt = DenseMatrix.Transpose(m, rows, cols);
            (double[] wt, double trace) = PolarFactor(mt, cols, rows);
            return (DenseMatrix.Transpose(wt, cols, rows), trace);
        }

        (_, double[] ut, double[] vt) = DecomposeTall(m, rows, cols);
        var w = new double[rows * cols];

        // W = Σ_k u_k v_kᵀ = Utᵀ Vt.
        DenseMatrix.MultiplyTransposeLeft(ut, cols, rows, vt, cols, w);
        // trace(Wᵀ M) = Σσ, computed from W rather than as Σ√λ, which would add √(rounding noise) for every zero σ.
        double traceSigma = TensorPrimitives.Dot(w, m[..(rows * cols)]);
        return (w, traceSigma);
    }

    // rows ≥ cols. Returns S, Uᵀ (cols × rows: row k is u_k) and Vᵀ (cols × cols: row k is v_k).
    private static (double[] S, double[] Ut, double[] Vt) DecomposeTall(ReadOnlySpan<double> m, int rows, int cols)
    {
        var gram = new double[cols * cols];
        DenseMatrix.MultiplyTransposeLeft(m, rows, cols, m, cols, gram, symmetricUpper: true);
        (double[] values, double[] vt) = SymmetricEigen.Decompose(gram, cols);
        var singular = new double[cols];
        for (int k = 0; k < cols; k++)
        {
            singular[k] = Math.Sqrt(Math.Max(values[k], 0));
        }

        // Row k of Ut is M v_k (= σ_k u_k), then orthonormalised in order of decreasing σ.
        var ut = new double[cols * rows];
        DenseMatrix.MultiplyTransposeRight(vt, cols, cols, m, rows, ut);
        Orthonormalize(ut, cols, rows, singular.Length > 0 ? singular[0] : 0);
        return (singular, ut, vt);
    }

    // Modified Gram-Schmidt (two passes) over the rows of q (count × length); a row that collapses is replaced by the
    // first canonical basis vector that is not yet (numerically) spanned, so the result is always orthonormal.
    private static void Orthonormalize(double[] q, int count, int length, double scale)
    {
        double collapse = Math.Max(scale, 1e-300) * 1e-10;
        int nextBasis = 0;
        for (int k = 0; k < count; k++)
        {
            Span<double> row = q.AsSpan(k * length, length);
            double norm = OrthogonalizeAgainstPrevious(q, k, length, row);
            while (norm <= collapse)
            {
                if (nextBasis >= length)
                {
                    throw new ArithmeticException("Could not complete an orthonormal basis.");
                }

                row.Clear();
                row[nextBasis++] = 1;
                norm = OrthogonalizeAgainstPrevious(q, k, length, row);
                collapse = 1e-3;
            }

            collapse = Math.Max(scale, 1e-300) * 1e-10;
            TensorPrimitives.Multiply(row, 1.0 / norm, row);
        }
    }

    private static double OrthogonalizeAgainstPrevious(double[] q, int k, int length, Span<double> row)
    {
        for (int pass = 0; pass < 2; pass++)
        {
            for (int j = 0; j < k; j++)
            {
                ReadOnlySpan<double> previous = q.AsSpan(j * length, length);
                TensorPrimitives.MultiplyAdd(previous, -TensorPrimitives.Dot(previous, row), row, row);
            }
        }

        return Math.Sqrt(TensorPrimitives.Dot(row, row));
    }
}
