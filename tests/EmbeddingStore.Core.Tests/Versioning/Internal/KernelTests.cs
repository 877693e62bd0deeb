// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Search;
using EmbeddingStore.Core.Versioning.Internal;

namespace EmbeddingStore.Core.Tests.Versioning.Internal;

public sealed class KernelTests
{
    public static TheoryData<int, int> Shapes()
    {
        var data = new TheoryData<int, int>();
        foreach (int m in new[] { 1, 3, 4, 5, 9 })
        {
            foreach (int k in new[] { 0, 1, 7, 33 })
            {
                data.Add(m, k);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void MultiplyAdd_EveryColumnCount_MatchesScalarReference(int m, int k)
    {
        var random = new Random((m * 100) + k);
        foreach (int n in Enumerable.Range(0, 80).Concat([127, 128, 129, 384, 1000]))
        {
            float[] a = BridgeTestData.Cloud(random, m, Math.Max(k, 1))[..(m * k)];
            float[] b = BridgeTestData.Cloud(random, Math.Max(k, 1), Math.Max(n, 1))[..(k * n)];
            float[] bias = BridgeTestData.Cloud(random, 1, Math.Max(n, 1))[..n];
            var c = new float[m * n];

            FloatKernels.MultiplyAdd(a, m, k, b, n, bias, c);

            for (int i = 0; i < m; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    double expected = bias[j];
                    double magnitude = Math.Abs(bias[j]);
                    for (int p = 0; p < k; p++)
                    {
                        expected += (double)a[(i * k) + p] * b[(p * n) + j];
                        magnitude += Math.Abs((double)a[(i * k) + p] * b[(p * n) + j]);
                    }

                    Assert.True(
                        Math.Abs(expected - c[(i * n) + j]) <= 1e-6 * (magnitude + 1),
                        $"m={m} k={k} n={n} at ({i},{j}): {c[(i * n) + j]} vs {expected}");
                }
            }
        }
    }

    [Fact]
    public void MultiplyAdd_Accumulate_AddsOntoExistingValues()
    {
        float[] a = [1, 2];
        float[] b = [1, 0, 0, 1];
        float[] c = [10, 20];

        FloatKernels.MultiplyAdd(a, 1, 2, b, 2, default, c, accumulate: true);

        Assert.Equal([11f, 22f], c);
    }

    [Fact]
    public void TopK_RandomScoresWithTies_MatchesFullSort()
    {
        var random = new Random(61);
        var selector = new TopK<int, ByLowerId>(10);
        for (int trial = 0; trial < 50; trial++)
        {
            int n = random.Next(1, 60);

            // Few distinct values, so ties are common and the lower-id rule is exercised.
            float[] scores = [.. Enumerable.Range(0, n).Select(_ => (float)random.Next(5))];
            selector.Clear();
            for (int i = 0; i < n; i++)
            {
                selector.Offer(scores[i], i);
            }

            var ids = new int[10];
            int count = selector.Drain(ids);

            int[] expected = [.. Enumerable.Range(0, n).OrderByDescending(i => scores[i]).ThenBy(i => i).Take(10)];
            Assert.Equal(expected, ids[..count]);
        }
    }
}
