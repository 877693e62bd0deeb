// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Diagnostics;
using System.Numerics.Tensors;

namespace EmbeddingStore.Core.Versioning.Internal;

/// <summary>
/// Row-major double-precision matrix products used while fitting. Fitting runs in double because the normal
/// equations square the condition number; apply-time kernels are float (see <see cref="FloatKernels"/>).
/// </summary>
internal static class DenseMatrix
{
    // Rows of the data processed per pass over a block of C: 64 rows of 384 doubles (192 KiB) plus a 32-row block of C
    // (96 KiB at 384 columns) keep the working set in L2 on current x64 parts.
    private const int SampleBlock = 64;
    private const int OutputRowBlock = 32;

    /// <summary>
    /// C (aCols × bCols) = Aᵀ B for A (rows × aCols) and B (rows × bCols), the shape of XᵀX and XᵀY. With symmetricUpper
    /// (A and B the same matrix) only the upper triangle is computed and then mirrored.
    /// </summary>
    public static void MultiplyTransposeLeft(
        ReadOnlySpan<double> a, int rows, int aCols, ReadOnlySpan<double> b, int bCols, Span<double> c, bool symmetricUpper = false)
    {
        Debug.Assert(a.Length >= rows * aCols && b.Length >= rows * bCols && c.Length >= aCols * bCols);
        Debug.Assert(!symmetricUpper || aCols == bCols);
        c[..(aCols * bCols)].Clear();
        for (int r0 = 0; r0 < rows; r0 += SampleBlock)
        {
            int r1 = Math.Min(rows, r0 + SampleBlock);
            for (int i0 = 0; i0 < aCols; i0 += OutputRowBlock)
            {
                int i1 = Math.Min(aCols, i0 + OutputRowBlock);
                for (int r = r0; r < r1; r++)
                {
                    ReadOnlySpan<double> aRow = a.Slice(r * aCols, aCols);
                    ReadOnlySpan<double> bRow = b.Slice(r * bCols, bCols);
                    for (int i = i0; i < i1; i++)
                    {
                        double s = aRow[i];
                        if (s == 0)
                        {
                            continue;
                        }

                        // Rank-1 update of one row of C; in the symmetric case only from the diagonal on.
                        int j0 = symmetricUpper ? i : 0;
                        Span<double> cRow = c.Slice((i * bCols) + j0, bCols - j0);
                        TensorPrimitives.MultiplyAdd(bRow[j0..], s, cRow, cRow);
                    }
                }
            }
        }

        if (symmetricUpper)
        {
            MirrorUpper(c, aCols);
        }
    }

    /// <summary>C (m × n) = A (m × k) B (k × n).</summary>
    public static void Multiply(ReadOnlySpan<double> a, int m, int k, ReadOnlySpan<double> b, int n, Span<double> c)
    {
        Debug.Assert(a.Length >= m * k && b.Length >= k * n && c.Length >= m * n);
        for (int i = 0; i < m; i++)
        {
            Span<double> cRow = c.Slice(i * n, n);
            cRow.Clear();
            ReadOnlySpan<double> aRow = a.Slice(i * k, k);
            for (int p = 0; p < k; p++)
            {
                double s = aRow[p];
                if (s != 0)
                {
                    TensorPrimitives.MultiplyAdd(b.Slice(p * n, n), s, cRow, cRow);
                }
            }
        }
    }

    /// <summary>C (m × n) = A (m × k) Bᵀ for B (n × k): every entry is a dot product of two contiguous rows.</summary>
    public static void MultiplyTransposeRight(ReadOnlySpan<double> a, int m, int k, ReadOnlySpan<double> b, int n, Span<double> c)
    {
        Debug.Assert(a.Length >= m * k && b.Length >= n * k && c.Length >= m * n);
        for (int i = 0; i < m; i++)
        {
            ReadOnlySpan<double> aRow = a.Slice(i * k, k);
            for (int j = 0; j < n; j++)
            {
                c[(i * n) + j] = TensorPrimitives.Dot(aRow, b.Slice(j * k, k));
            }
        }
    }

    /// <summary>Returns Aᵀ (cols × rows) for A (rows × cols).</summary>
    public static double[] Transpose(ReadOnlySpan<double> a, int rows, int cols)
    {
        var t = new double[rows * cols];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < cols; j++)
            {
                t[(j * rows) + i] = a[(i * cols) + j];
            }
        }

        return t;
    }

    /// <summary>Copies the upper triangle of a square matrix onto its lower triangle.</summary>
    public static void MirrorUpper(Span<double> c, int n)
    {
        for (int i = 1; i < n; i++)
        {
            for (int j = 0; j < i; j++)
            {
                c[(i * n) + j] = c[(j * n) + i];
            }
        }
    }

    /// <summary>Column means of A (rows × cols).</summary>
    public static double[] ColumnMeans(ReadOnlySpan<double> a, int rows, int cols)
    {
        var mean = new double[cols];
        for (int r = 0; r < rows; r++)
        {
            TensorPrimitives.Add(mean, a.Slice(r * cols, cols), mean);
        }

        if (rows > 0)
        {
            TensorPrimitives.Multiply(mean, 1.0 / rows, mean);
        }

        return mean;
    }

    /// <summary>Subtracts <paramref name="mean"/> from every row of A in place.</summary>
    public static void SubtractRow(Span<double> a, int rows, int cols, ReadOnlySpan<double> mean)
    {
        for (int r = 0; r < rows; r++)
        {
            Span<double> row = a.Slice(r * cols, cols);
            TensorPrimitives.Subtract(row, mean, row);
        }
    }

    /// <summary>Widens selected rows of a float matrix into a new double matrix (rows in the order of <paramref name="rowIndices"/>).</summary>
    public static double[] GatherRows(ReadOnlySpan<float> source, int cols, ReadOnlySpan<int> rowIndices)
    {
        var result = new double[rowIndices.Length * cols];
        for (int i = 0; i < rowIndices.Length; i++)
        {
            ReadOnlySpan<float> row = source.Slice(rowIndices[i] * cols, cols);
            Span<double> dest = result.AsSpan(i * cols, cols);
            for (int j = 0; j < cols; j++)
            {
                dest[j] = row[j];
            }
        }

        return result;
    }

    /// <summary>Narrows a double array to float for storage in a fitted bridge.</summary>
    public static float[] ToSingle(ReadOnlySpan<double> values)
    {
        var result = new float[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            result[i] = (float)values[i];
        }

        return result;
    }

    /// <summary>Mean cosine between corresponding rows of two matrices; zero rows count as cosine 0.</summary>
    public static double MeanRowCosine(ReadOnlySpan<double> predicted, ReadOnlySpan<double> truth, int rows, int cols)
    {
        if (rows == 0)
        {
            return 0;
        }

        double sum = 0;
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<double> p = predicted.Slice(r * cols, cols);
            ReadOnlySpan<double> t = truth.Slice(r * cols, cols);
            double denominator = Math.Sqrt(TensorPrimitives.Dot(p, p) * TensorPrimitives.Dot(t, t));
            sum += denominator > 0 ? TensorPrimitives.Dot(p, t) / denominator : 0;
        }

        return sum / rows;
    }
}
