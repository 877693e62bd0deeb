// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Versioning.Internal;

namespace EmbeddingStore.Core.Tests.Versioning.Internal;

public sealed class SolverTests
{
    [Theory]
    [InlineData(1, 11)]
    [InlineData(2, 12)]
    [InlineData(3, 13)]
    [InlineData(8, 14)]
    [InlineData(17, 15)]
    [InlineData(64, 16)]
    [InlineData(130, 17)]
    public void SymmetricEigen_RandomSymmetric_ReconstructsWithOrthonormalVectors(int n, int seed)
    {
        var random = new Random(seed);
        double[] a = RandomSymmetric(random, n);

        (double[] values, double[] vectors) = SymmetricEigen.Decompose(a, n);

        for (int k = 1; k < n; k++)
        {
            Assert.True(values[k] <= values[k - 1], "eigenvalues must be sorted descending");
        }

        double scale = MaxAbs(a);
        Assert.True(MaxReconstructionError(a, values, vectors, n) <= 1e-11 * scale * n, "A ≠ Z Λ Zᵀ");
        Assert.True(MaxOrthonormalityError(vectors, n, n) <= 1e-12 * n, "Zᵀ Z ≠ I");
    }

    [Fact]
    public void SymmetricEigen_RepeatedEigenvalues_ReconstructsWithOrthonormalVectors()
    {
        // Q diag(3,3,3,1,1,-2,-2,-2,0,0) Qᵀ: clusters of equal eigenvalues are the hard case for tridiagonal QR.
        const int N = 10;
        double[] q = BridgeTestData.RandomOrthogonal(new Random(21), N);
        double[] lambda = [3, 3, 3, 1, 1, -2, -2, -2, 0, 0];
        var a = new double[N * N];
        for (int i = 0; i < N; i++)
        {
            for (int j = 0; j < N; j++)
            {
                for (int k = 0; k < N; k++)
                {
                    a[(i * N) + j] += q[(k * N) + i] * lambda[k] * q[(k * N) + j];
                }
            }
        }

        (double[] values, double[] vectors) = SymmetricEigen.Decompose(a, N);

        double[] expected = [3, 3, 3, 1, 1, 0, 0, -2, -2, -2];
        for (int k = 0; k < N; k++)
        {
            Assert.Equal(expected[k], values[k], 1e-12);
        }

        Assert.True(MaxReconstructionError(a, values, vectors, N) <= 1e-12);
        Assert.True(MaxOrthonormalityError(vectors, N, N) <= 1e-12);
    }

    [Fact]
    public void SymmetricEigen_Diagonal_ReturnsDiagonalSorted()
    {
        double[] a = [2, 0, 0, 0, -1, 0, 0, 0, 5];

        (double[] values, _) = SymmetricEigen.Decompose(a, 3);

        Assert.Equal([5.0, 2.0, -1.0], values);
    }

    [Theory]
    [InlineData(1, 3, 31)]
    [InlineData(5, 2, 32)]
    [InlineData(40, 7, 33)]
    [InlineData(200, 33, 34)]
    public void Cholesky_SpdSystem_SolvesToResidualZero(int n, int m, int seed)
    {
        var random = new Random(seed);

        // A = Bᵀ B + n·I is symmetric positive definite and well conditioned.
        var b = new double[n * n];
        for (int i = 0; i < b.Length; i++)
        {
            b[i] = BridgeTestData.Gaussian(random);
        }

        var a = new double[n * n];
        DenseMatrix.MultiplyTransposeLeft(b, n, n, b, n, a, symmetricUpper: true);
        for (int i = 0; i < n; i++)
        {
            a[(i * n) + i] += n;
        }

        var rhs = new double[n * m];
        for (int i = 0; i < rhs.Length; i++)
        {
            rhs[i] = BridgeTestData.Gaussian(random);
        }

        var factor = (double[])a.Clone();
        Assert.True(Cholesky.TryFactor(factor, n));
        var x = (double[])rhs.Clone();
        Cholesky.Solve(factor, n, x, m);

        var ax = new double[n * m];
        DenseMatrix.Multiply(a, n, n, x, m, ax);
        for (int i = 0; i < ax.Length; i++)
        {
            Assert.Equal(rhs[i], ax[i], 1e-9);
        }
    }

    [Fact]
    public void Cholesky_IndefiniteMatrix_ReturnsFalse()
    {
        double[] a = [1, 2, 2, 1];

        Assert.False(Cholesky.TryFactor(a, 2));
    }

    [Theory]
    [InlineData(12, 5, 41)]
    [InlineData(5, 12, 42)]
    [InlineData(30, 30, 43)]
    [InlineData(1, 4, 44)]
    public void ThinSvd_RandomMatrix_ReconstructsWithOrthonormalFactors(int rows, int cols, int seed)
    {
        var random = new Random(seed);
        var m = new double[rows * cols];
        for (int i = 0; i < m.Length; i++)
        {
            m[i] = BridgeTestData.Gaussian(random);
        }

        (double[] s, double[] u, double[] v) = ThinSvd.Decompose(m, rows, cols);

        int r = Math.Min(rows, cols);
        Assert.Equal(r, s.Length);
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < cols; j++)
            {
                double sum = 0;
                for (int k = 0; k < r; k++)
                {
                    sum += u[(i * r) + k] * s[k] * v[(j * r) + k];
                }

                Assert.Equal(m[(i * cols) + j], sum, 1e-9);
            }
        }

        // Columns of U and V are orthonormal: check via their transposes' rows.
        Assert.True(MaxOrthonormalityError(DenseMatrix.Transpose(u, rows, r), r, rows) <= 1e-10);
        Assert.True(MaxOrthonormalityError(DenseMatrix.Transpose(v, cols, r), r, cols) <= 1e-10);
    }

    [Fact]
    public void PolarFactor_RankDeficientMatrix_IsStillOrthogonal()
    {
        // M = a bᵀ has rank 1; the polar factor is then not unique but must still be orthogonal.
        const int N = 6;
        var random = new Random(51);
        double[] a = BridgeTestData.Vector(random, N, 1);
        double[] b = BridgeTestData.Vector(random, N, 1);
        var m = new double[N * N];
        for (int i = 0; i < N; i++)
        {
            for (int j = 0; j < N; j++)
            {
                m[(i * N) + j] = a[i] * b[j];
            }
        }

        (double[] w, double trace) = ThinSvd.PolarFactor(m, N, N);

        Assert.True(MaxOrthonormalityError(w, N, N) <= 1e-10);
        double expectedTrace = Math.Sqrt(a.Sum(t => t * t) * b.Sum(t => t * t));
        Assert.Equal(expectedTrace, trace, 1e-9);
    }

    private static double[] RandomSymmetric(Random random, int n)
    {
        var a = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = i; j < n; j++)
            {
                double value = BridgeTestData.Gaussian(random);
                a[(i * n) + j] = value;
                a[(j * n) + i] = value;
            }
        }

        return a;
    }

    private static double MaxAbs(double[] values) => values.Max(Math.Abs);

    private static double MaxReconstructionError(double[] a, double[] values, double[] vectors, int n)
    {
        double max = 0;
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int k = 0; k < n; k++)
                {
                    sum += vectors[(k * n) + i] * values[k] * vectors[(k * n) + j];
                }

                max = Math.Max(max, Math.Abs(sum - a[(i * n) + j]));
            }
        }

        return max;
    }

    // Rows of q (count × length) should be orthonormal.
    internal static double MaxOrthonormalityError(double[] q, int count, int length)
    {
        double max = 0;
        for (int i = 0; i < count; i++)
        {
            for (int j = 0; j < count; j++)
            {
                double dot = 0;
                for (int t = 0; t < length; t++)
                {
                    dot += q[(i * length) + t] * q[(j * length) + t];
                }

                max = Math.Max(max, Math.Abs(dot - (i == j ? 1 : 0)));
            }
        }

        return max;
    }
}
