// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Vectors;
using EmbeddingStore.Core.Versioning;

namespace EmbeddingStore.Core.Tests.Versioning;

public sealed class BridgeEvaluatorTests
{
    [Theory]
    [InlineData(DistanceMetric.CosineSimilarity)]
    [InlineData(DistanceMetric.DotProduct)]
    [InlineData(DistanceMetric.Euclidean)]
    [InlineData(DistanceMetric.Manhattan)]
    public void Evaluate_IdentityOnIdenticalData_GivesRecallOne(DistanceMetric metric)
    {
        var random = new Random(501);
        float[] x = BridgeTestData.Cloud(random, 300, 16);

        BridgeQualityReport report = BridgeEvaluator.Evaluate(new IdentityBridge(16), x, x, 300, metric);

        Assert.Equal(1.0, report.RecallAt1);
        Assert.Equal(1.0, report.RecallAt10);
        Assert.Equal(1.0, report.RecallAt100);
        Assert.Equal(1.0, report.NoMapRecallAt10);
        Assert.Equal(1.0, report.MeanCosine, 1e-6);
        Assert.Equal(300, report.HoldoutPairs);
    }

    [Fact]
    public void Evaluate_PermutedDimensions_NoMapRecallLowAndProcrustesRecoversIt()
    {
        const int N = 600;
        const int D = 32;
        var random = new Random(502);
        float[] x = BridgeTestData.Cloud(random, N, D, spread: 0);
        int[] permutation = [.. Enumerable.Range(0, D).OrderBy(_ => random.Next())];
        var y = new float[N * D];
        for (int i = 0; i < N; i++)
        {
            for (int j = 0; j < D; j++)
            {
                y[(i * D) + j] = x[(i * D) + permutation[j]];
            }
        }

        // Fit on the first half, evaluate on the second.
        VectorBridge bridge = BridgeFitter.Fit(BridgeKind.Procrustes, x.AsSpan(0, (N / 2) * D), D, y.AsSpan(0, (N / 2) * D), D);
        BridgeQualityReport report = BridgeEvaluator.Evaluate(bridge, x.AsSpan((N / 2) * D), y.AsSpan((N / 2) * D), N / 2);

        // A random permutation of 32 isotropic dimensions leaves raw vectors nearly unrelated: chance is 10/299 ≈ 0.03.
        Assert.NotNull(report.NoMapRecallAt10);
        Assert.True(report.NoMapRecallAt10 < 0.15, $"no-map recall {report.NoMapRecallAt10}");
        Assert.True(report.RecallAt10 > 0.99, $"bridged recall {report.RecallAt10}");
        Assert.True(report.IdentityMeanCosine < 0.3);
    }

    [Fact]
    public void Evaluate_WrongRowCount_ThrowsNamingBothLengths()
    {
        var exception = Assert.Throws<ArgumentException>(() => BridgeEvaluator.Evaluate(new IdentityBridge(4), new float[12], new float[12], 4));

        Assert.Contains("16", exception.Message, StringComparison.Ordinal);
        Assert.Contains("12", exception.Message, StringComparison.Ordinal);
    }
}
