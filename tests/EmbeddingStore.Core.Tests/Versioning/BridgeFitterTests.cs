// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Tests.Versioning.Internal;
using EmbeddingStore.Core.Versioning;

namespace EmbeddingStore.Core.Tests.Versioning;

public sealed class BridgeFitterTests
{
    public static TheoryData<BridgeKind> FittedKinds() =>
    [
        BridgeKind.Procrustes, BridgeKind.ScaledProcrustes, BridgeKind.Ridge, BridgeKind.LowRankAffine, BridgeKind.RandomFourierRidge,
    ];

    [Theory]
    [InlineData(BridgeKind.Procrustes, 1.0, 101)]
    [InlineData(BridgeKind.ScaledProcrustes, 1.0, 102)]
    [InlineData(BridgeKind.ScaledProcrustes, 0.37, 103)]
    [InlineData(BridgeKind.ScaledProcrustes, 2.5, 104)]
    public void Fit_RotatedShiftedScaledCloud_RecoversTheMap(BridgeKind kind, double scale, int seed)
    {
        const int N = 400;
        const int D = 24;
        var random = new Random(seed);
        float[] x = BridgeTestData.Cloud(random, N, D);
        double[] rotation = BridgeTestData.RandomOrthogonal(random, D);
        double[] shift = BridgeTestData.Vector(random, D, 3.0);
        float[] y = BridgeTestData.Transform(x, N, D, rotation, D, scale, shift);

        VectorBridge bridge = BridgeFitter.Fit(kind, x, D, y, D);
        float[] mapped = BridgeTestData.ApplyAll(bridge, x, N);

        double tolerance = 1e-4 * Math.Max(1, scale) * 10;
        Assert.True(BridgeTestData.MaxAbsDifference(mapped, y) <= tolerance, $"max error {BridgeTestData.MaxAbsDifference(mapped, y)}");
        var orthogonal = Assert.IsType<OrthogonalBridge>(bridge);
        Assert.Equal(scale, orthogonal.Scale, 1e-5);
    }

    [Theory]
    [InlineData(16, 16, 111)]
    [InlineData(32, 20, 112)]
    [InlineData(20, 32, 113)]
    public void Fit_Procrustes_RotationIsOrthogonal(int ds, int dt, int seed)
    {
        var random = new Random(seed);
        float[] x = BridgeTestData.Cloud(random, 300, ds);
        float[] y = BridgeTestData.Cloud(random, 300, dt);

        var bridge = (OrthogonalBridge)BridgeFitter.Fit(BridgeKind.Procrustes, x, ds, y, dt);

        // QᵀQ = I when ds ≥ dt (orthonormal columns), Q Qᵀ = I otherwise (orthonormal rows).
        double[] w = [.. bridge.Rotation.ToArray().Select(v => (double)v)];
        double error = ds >= dt
            ? SolverTests.MaxOrthonormalityError(EmbeddingStore.Core.Versioning.Internal.DenseMatrix.Transpose(w, ds, dt), dt, ds)
            : SolverTests.MaxOrthonormalityError(w, ds, dt);
        Assert.True(error <= 1e-5, $"orthonormality error {error}");
    }

    [Theory]
    [MemberData(nameof(FittedKinds))]
    public void Fit_AnyKind_ResidualNoWorseThanIdentity(BridgeKind kind)
    {
        const int N = 300;
        const int D = 12;
        var random = new Random(121 + (int)kind);
        float[] x = BridgeTestData.Cloud(random, N, D);

        // A noisy, mildly non-linear relation, so no kind fits it exactly.
        float[] y = new float[N * D];
        for (int i = 0; i < N; i++)
        {
            for (int j = 0; j < D; j++)
            {
                float a = x[(i * D) + j];
                float b = x[(i * D) + ((j + 1) % D)];
                y[(i * D) + j] = (0.8f * a) + (0.3f * b) + (0.2f * MathF.Sin(a)) + (0.1f * (float)BridgeTestData.Gaussian(random)) + 0.5f;
            }
        }

        var options = new BridgeFitOptions { FourierFeatures = 64 };
        VectorBridge bridge = BridgeFitter.Fit(kind, x, D, y, D, options);

        double fitted = BridgeTestData.SumSquaredError(BridgeTestData.ApplyAll(bridge, x, N), y);
        double identity = BridgeTestData.SumSquaredError(x, y);
        Assert.True(fitted <= identity, $"{kind}: residual {fitted} exceeds identity residual {identity}");
    }

    [Fact]
    public void Fit_RidgeWithZeroLambda_EqualsOrdinaryLeastSquares()
    {
        const int N = 200;
        const int Ds = 6;
        const int Dt = 4;
        var random = new Random(131);
        float[] x = BridgeTestData.Cloud(random, N, Ds);
        float[] y = BridgeTestData.Cloud(random, N, Dt);

        VectorBridge bridge = BridgeFitter.Fit(BridgeKind.Ridge, x, Ds, y, Dt, new BridgeFitOptions { RidgeLambdas = [0] });

        // Reference OLS with an intercept column, by Gauss-Jordan elimination on the normal equations.
        double[,] beta = OrdinaryLeastSquares(x, N, Ds, y, Dt);
        float[] mapped = BridgeTestData.ApplyAll(bridge, x, N);
        for (int i = 0; i < N; i++)
        {
            for (int j = 0; j < Dt; j++)
            {
                double expected = beta[Ds, j];
                for (int p = 0; p < Ds; p++)
                {
                    expected += x[(i * Ds) + p] * beta[p, j];
                }

                Assert.Equal(expected, mapped[(i * Dt) + j], 1e-4);
            }
        }
    }

    [Fact]
    public void Fit_RidgeGrid_ChoosesLambdaFromGrid()
    {
        var random = new Random(141);
        float[] x = BridgeTestData.Cloud(random, 200, 8);
        float[] y = BridgeTestData.Cloud(random, 200, 8);
        double[] grid = [0.01, 0.5, 3.0];

        var bridge = (AffineBridge)BridgeFitter.Fit(BridgeKind.Ridge, x, 8, y, 8, new BridgeFitOptions { RidgeLambdas = grid });

        Assert.Contains(bridge.Lambda, grid);
    }

    [Fact]
    public void Fit_LowRankOnRankTwoRelation_ChoosesRankAndFits()
    {
        const int N = 300;
        const int D = 10;
        var random = new Random(151);
        float[] x = BridgeTestData.Cloud(random, N, D);

        // y depends on x only through two directions, so a rank-2 map is exact.
        double[] m = new double[D * D];
        double[] u1 = BridgeTestData.Vector(random, D, 1);
        double[] u2 = BridgeTestData.Vector(random, D, 1);
        double[] v1 = BridgeTestData.Vector(random, D, 1);
        double[] v2 = BridgeTestData.Vector(random, D, 1);
        for (int i = 0; i < D; i++)
        {
            for (int j = 0; j < D; j++)
            {
                m[(i * D) + j] = (u1[i] * v1[j]) + (u2[i] * v2[j]);
            }
        }

        float[] y = BridgeTestData.Transform(x, N, D, m, D, 1, new double[D]);

        var bridge = (LowRankAffineBridge)BridgeFitter.Fit(BridgeKind.LowRankAffine, x, D, y, D, new BridgeFitOptions { Rank = 2, RidgeLambdas = [0] });

        Assert.Equal(2, bridge.Rank);
        Assert.True(BridgeTestData.MaxAbsDifference(BridgeTestData.ApplyAll(bridge, x, N), y) <= 1e-3);
    }

    [Fact]
    public void Fit_SameSeed_GivesIdenticalBridge()
    {
        var random = new Random(161);
        float[] x = BridgeTestData.Cloud(random, 150, 8);
        float[] y = BridgeTestData.Cloud(random, 150, 8);
        var options = new BridgeFitOptions { FourierFeatures = 32, Seed = 7 };

        byte[] first = BridgeFitter.Fit(BridgeKind.RandomFourierRidge, x, 8, y, 8, options).Serialize();
        byte[] second = BridgeFitter.Fit(BridgeKind.RandomFourierRidge, x, 8, y, 8, options).Serialize();

        Assert.Equal(first, second);
    }

    [Fact]
    public void Fit_RowCountMismatch_ThrowsNamingBothCounts()
    {
        var exception = Assert.Throws<ArgumentException>(() => BridgeFitter.Fit(BridgeKind.Ridge, new float[30], 3, new float[16], 2));

        Assert.Contains("10", exception.Message, StringComparison.Ordinal);
        Assert.Contains("8", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fit_IdentityWithDifferentDimensions_Throws()
    {
        var exception = Assert.Throws<ArgumentException>(() => BridgeFitter.Fit(BridgeKind.Identity, new float[30], 3, new float[20], 2));

        Assert.Contains("3", exception.Message, StringComparison.Ordinal);
        Assert.Contains("2", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fit_NormalizeOutput_ProducesUnitVectors()
    {
        var random = new Random(171);
        float[] x = BridgeTestData.Cloud(random, 100, 6);
        float[] y = BridgeTestData.Cloud(random, 100, 5);

        VectorBridge bridge = BridgeFitter.Fit(BridgeKind.Ridge, x, 6, y, 5, new BridgeFitOptions { NormalizeOutput = true });
        float[] mapped = BridgeTestData.ApplyAll(bridge, x, 100);

        for (int i = 0; i < 100; i++)
        {
            double norm = Math.Sqrt(mapped.AsSpan(i * 5, 5).ToArray().Sum(v => (double)v * v));
            Assert.Equal(1.0, norm, 1e-5);
        }
    }

    private static double[,] OrdinaryLeastSquares(float[] x, int n, int ds, float[] y, int dt)
    {
        int p = ds + 1;
        var a = new double[p, p + dt];
        for (int i = 0; i < n; i++)
        {
            double[] row = [.. x.AsSpan(i * ds, ds).ToArray().Select(v => (double)v), 1.0];
            for (int r = 0; r < p; r++)
            {
                for (int c = 0; c < p; c++)
                {
                    a[r, c] += row[r] * row[c];
                }

                for (int j = 0; j < dt; j++)
                {
                    a[r, p + j] += row[r] * y[(i * dt) + j];
                }
            }
        }

        for (int col = 0; col < p; col++)
        {
            int pivot = col;
            for (int r = col + 1; r < p; r++)
            {
                if (Math.Abs(a[r, col]) > Math.Abs(a[pivot, col]))
                {
                    pivot = r;
                }
            }

            for (int c = 0; c < p + dt; c++)
            {
                (a[col, c], a[pivot, c]) = (a[pivot, c], a[col, c]);
            }

            for (int r = 0; r < p; r++)
            {
                if (r == col)
                {
                    continue;
                }

                double factor = a[r, col] / a[col, col];
                for (int c = 0; c < p + dt; c++)
                {
                    a[r, c] -= factor * a[col, c];
                }
            }
        }

        var beta = new double[p, dt];
        for (int r = 0; r < p; r++)
        {
            for (int j = 0; j < dt; j++)
            {
                beta[r, j] = a[r, p + j] / a[r, r];
            }
        }

        return beta;
    }
}
