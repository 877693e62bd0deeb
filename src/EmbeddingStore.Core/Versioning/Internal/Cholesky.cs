// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Diagnostics;
using System.Numerics.Tensors;

namespace EmbeddingStore.Core.Versioning.Internal;

/// <summary>
/// Cholesky factorisation A = L Lᵀ and the matching multi-right-hand-side solve, for ridge normal equations
/// (XᵀX + λI is symmetric positive definite for λ &gt; 0, so no pivoting is needed).
/// </summary>
internal static class Cholesky
{
    /// <summary>
    /// Factors the symmetric matrix in place: afterwards the lower triangle (diagonal included) holds L. Only the lower
    /// triangle is read. Returns false when the matrix is not numerically positive definite.
    /// </summary>
    public static bool TryFactor(Span<double> a, int n)
    {
        Debug.Assert(a.Length >= n * n);
        for (int i = 0; i < n; i++)
        {
            Span<double> rowI = a.Slice(i * n, n);

            // Left-looking: each entry is a dot product of two contiguous row prefixes.
            for (int j = 0; j < i; j++)
            {
                ReadOnlySpan<double> rowJ = a.Slice(j * n, j);
                rowI[j] = (rowI[j] - TensorPrimitives.Dot(rowI[..j], rowJ)) / a[(j * n) + j];
            }

            double pivot = rowI[i] - TensorPrimitives.Dot(rowI[..i], rowI[..i]);
            if (!(pivot > 0) || !double.IsFinite(pivot))
            {
                return false;
            }

            rowI[i] = Math.Sqrt(pivot);
        }

        return true;
    }

    /// <summary>Solves (L Lᵀ) X = B in place for B (n × m, row-major), given the factor from <see cref="TryFactor"/>.</summary>
    public static void Solve(ReadOnlySpan<double> factor, int n, Span<double> b, int m)
    {
        Debug.Assert(factor.Length >= n * n && b.Length >= n * m);

        // Forward substitution L Z = B; each step is an axpy over whole right-hand-side rows.
        for (int i = 0; i < n; i++)
        {
            Span<double> rowI = b.Slice(i * m, m);
            for (int j = 0; j < i; j++)
            {
                double l = factor[(i * n) + j];
                if (l != 0)
                {
                    TensorPrimitives.MultiplyAdd(b.Slice(j * m, m), -l, rowI, rowI);
                }
            }

            TensorPrimitives.Multiply(rowI, 1.0 / factor[(i * n) + i], rowI);
        }

        // Back substitution Lᵀ X = Z.
        for (int i = n - 1; i >= 0; i--)
        {
            Span<double> rowI = b.Slice(i * m, m);
            for (int j = i + 1; j < n; j++)
            {
                double l = factor[(j * n) + i];
                if (l != 0)
                {
                    TensorPrimitives.MultiplyAdd(b.Slice(j * m, m), -l, rowI, rowI);
                }
            }

            TensorPrimitives.Multiply(rowI, 1.0 / factor[(i * n) + i], rowI);
        }
    }
}
