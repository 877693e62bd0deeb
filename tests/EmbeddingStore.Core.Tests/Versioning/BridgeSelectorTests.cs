// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Versioning;

namespace EmbeddingStore.Core.Tests.Versioning;

public sealed class BridgeSelectorTests
{
    [Fact]
    public void Select_RotatedCloud_ReportsEveryKindAndPicksAnAccurateMap()
    {
        const int N = 500;
        const int D = 16;
        var random = new Random(601);
        float[] x = BridgeTestData.Cloud(random, N, D);
        float[] y = BridgeTestData.Transform(x, N, D, BridgeTestData.RandomOrthogonal(random, D), D, 1.0, BridgeTestData.Vector(random, D, 1.0));

        BridgeSelection selection = BridgeSelector.Select(x, D, y, D, new BridgeFitOptions { FourierFeatures = 64 });

        Assert.Equal(BridgeSelector.AllKinds.Count, selection.Candidates.Count);
        Assert.Equal(100, selection.Report.HoldoutPairs);
        Assert.Equal(400, selection.Report.FitPairs);
        Assert.True(selection.Report.RecallAt10 >= 0.99, $"recall {selection.Report.RecallAt10}");
        Assert.NotEqual(BridgeKind.Identity, selection.Bridge.Kind);
        BridgeQualityReport identity = selection.Candidates.Single(c => c.Kind == BridgeKind.Identity).Report;
        Assert.True(identity.RecallAt10 < selection.Report.RecallAt10);
        Assert.Same(selection.Report, selection.Candidates.Single(c => ReferenceEquals(c.Bridge, selection.Bridge)).Report);
    }

    [Fact]
    public void Select_DifferentDimensions_SkipsIdentity()
    {
        var random = new Random(602);
        float[] x = BridgeTestData.Cloud(random, 200, 10);
        float[] y = BridgeTestData.Cloud(random, 200, 6);

        BridgeSelection selection = BridgeSelector.Select(x, 10, y, 6, new BridgeFitOptions { FourierFeatures = 16 });

        Assert.DoesNotContain(selection.Candidates, c => c.Kind == BridgeKind.Identity);
        Assert.All(selection.Candidates, c => Assert.Null(c.Report.NoMapRecallAt10));
    }

    [Fact]
    public void Select_TooFewPairs_Throws()
    {
        Assert.Throws<ArgumentException>(() => BridgeSelector.Select(new float[4], 2, new float[4], 2));
    }
}
