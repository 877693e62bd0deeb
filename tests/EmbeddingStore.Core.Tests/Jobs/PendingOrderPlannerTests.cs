// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Migrations;

namespace EmbeddingStore.Core.Tests.Jobs;

public sealed class PendingOrderPlannerTests
{
    private const int Dimension = 16;

    [Theory]
    [InlineData(PendingOrder.Stratified)]
    [InlineData(PendingOrder.Random)]
    [InlineData(PendingOrder.Id)]
    public void Plan_AnyOrder_IsADeterministicPermutation(PendingOrder order)
    {
        (float[] rows, _) = Clusters([400, 250, 100, 50], seed: 2);

        int[] first = PendingOrderPlanner.Plan(order, rows, Dimension, 800, seed: 7);
        int[] second = PendingOrderPlanner.Plan(order, rows, Dimension, 800, seed: 7);

        Assert.Equal(Enumerable.Range(0, 800), first.Order());
        Assert.Equal(first, second);
        Assert.Empty(PendingOrderPlanner.Plan(order, [], Dimension, 0, seed: 7));
    }

    [Fact]
    public void Plan_Stratified_EveryPrefixHoldsEachClusterInProportion()
    {
        int[] sizes = [400, 250, 100, 50];
        (float[] rows, int[] cluster) = Clusters(sizes, seed: 3);

        int[] order = PendingOrderPlanner.Plan(PendingOrder.Stratified, rows, Dimension, 800, seed: 1);

        // The clusters are far apart, so k-means (28 centres for 800 rows) splits them but never mixes them: each true
        // cluster is a union of strata (about its share of the 28), and proportional interleaving keeps each stratum's
        // share of every prefix within one row, so a cluster's share is off by at most about its number of strata.
        int strata = PendingOrderPlanner.ClusterCount(800);
        foreach (int prefix in new[] { 40, 100, 200, 400 })
        {
            for (int c = 0; c < sizes.Length; c++)
            {
                int held = order.Take(prefix).Count(r => cluster[r] == c);
                double expected = prefix * sizes[c] / 800.0;
                double tolerance = (strata * sizes[c] / 800.0) + 2;
                Assert.InRange(held, expected - tolerance, expected + tolerance);
                Assert.True(held > 0, $"cluster {c} is missing from the first {prefix} rows");
            }
        }
    }

    [Fact]
    public void Plan_Random_DiffersBySeedAndFromIdOrder()
    {
        (float[] rows, _) = Clusters([100, 100], seed: 4);

        int[] a = PendingOrderPlanner.Plan(PendingOrder.Random, rows, Dimension, 200, seed: 1);
        int[] b = PendingOrderPlanner.Plan(PendingOrder.Random, rows, Dimension, 200, seed: 2);

        Assert.NotEqual(a, b);
        Assert.NotEqual(Enumerable.Range(0, 200), a);
        Assert.Equal(Enumerable.Range(0, 200), PendingOrderPlanner.Plan(PendingOrder.Id, rows, Dimension, 200, seed: 1));
    }

    // Well-separated Gaussian clusters of the given sizes, rows interleaved so id order is not cluster order.
    private static (float[] Rows, int[] Cluster) Clusters(int[] sizes, int seed)
    {
        var random = new Random(seed);
        int n = sizes.Sum();
        var labels = sizes.SelectMany((size, c) => Enumerable.Repeat(c, size)).ToArray();
        random.Shuffle(labels);
        float[][] centres = [.. sizes.Select(_ => Enumerable.Range(0, Dimension).Select(_ => (float)(random.NextDouble() * 40 - 20)).ToArray())];
        float[] rows = new float[n * Dimension];
        for (int r = 0; r < n; r++)
        {
            for (int d = 0; d < Dimension; d++)
            {
                rows[(r * Dimension) + d] = centres[labels[r]][d] + (float)(random.NextDouble() - 0.5);
            }
        }

        return (rows, labels);
    }
}
