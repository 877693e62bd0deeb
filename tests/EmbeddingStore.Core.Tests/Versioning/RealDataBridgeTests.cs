// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Numerics.Tensors;
using EmbeddingStore.Contracts;
using EmbeddingStore.Core.Versioning;
using EmbeddingStore.Tests.Shared;

namespace EmbeddingStore.Core.Tests.Versioning;

public sealed class RealDataBridgeTests
{
    // shared/data/fortunes/baseline.json: no map 0.014, least squares arctic→minilm 0.203, MiniLM on its own queries 0.247.
    // The floor sits well under the ridge figure measured here (0.2416 at the time of writing, as in RESULTS.md) so normal numerical drift
    // cannot fail it, and ten times above the no-map figure, so a broken fit, a transposed matrix or a lost mean cannot
    // pass it.
    private const double RecallFloor = 0.16;

    [Fact]
    public void Fit_RidgeArcticToMiniLm_HeldOutQueryRecallFarAboveNoMap()
    {
        string? root = FortunesData.Find();
        if (root is null)
        {
            Assert.Skip(FortunesData.MissingReason);
        }

        VecsMatrix<float> arcticCorpusFile = VecsFile.ReadFvecs(Path.Combine(root, "corpus.arctic.fvecs"));
        float[] arcticCorpus = arcticCorpusFile.Data;
        int count = arcticCorpusFile.Count;
        int dimension = arcticCorpusFile.Dimension;
        VecsMatrix<float> miniCorpusFile = VecsFile.ReadFvecs(Path.Combine(root, "corpus.minilm.fvecs"));
        float[] miniCorpus = miniCorpusFile.Data;
        VecsMatrix<float> arcticQueriesFile = VecsFile.ReadFvecs(Path.Combine(root, "queries.arctic.fvecs"));
        float[] arcticQueries = arcticQueriesFile.Data;
        int queryCount = arcticQueriesFile.Count;
        VecsMatrix<int> truthFile = VecsFile.ReadIvecs(Path.Combine(root, "gt.arctic.ivecs"));
        int[] truth = truthFile.Data;
        int truthWidth = truthFile.Dimension;
        const int FitItems = 5000;

        // Fit only on corpus items 0..4999; the queries are never part of any fit.
        VectorBridge bridge = BridgeFitter.Fit(
            BridgeKind.Ridge, arcticCorpus.AsSpan(0, FitItems * dimension), dimension, miniCorpus.AsSpan(0, FitItems * dimension), dimension,
            new BridgeFitOptions { NormalizeOutput = true });
        float[] mapped = BridgeTestData.ApplyAll(bridge, arcticQueries, queryCount);

        double bridged = RecallAt10(mapped, arcticQueries, queryCount, miniCorpus, count, dimension, truth, truthWidth, useRaw: false);
        double noMap = RecallAt10(mapped, arcticQueries, queryCount, miniCorpus, count, dimension, truth, truthWidth, useRaw: true);

        Assert.True(noMap < 0.05, $"no-map recall {noMap}");
        Assert.True(bridged >= RecallFloor, $"bridged recall@10 {bridged} is below the floor {RecallFloor}");
        Assert.True(bridged >= 10 * noMap, $"bridged recall@10 {bridged} is not ten times the no-map {noMap}");
    }

    private static double RecallAt10(
        float[] mapped, float[] raw, int queryCount, float[] corpus, int count, int dimension, int[] truth, int truthWidth, bool useRaw)
    {
        var scores = new float[count];
        double hits = 0;
        for (int q = 0; q < queryCount; q++)
        {
            ReadOnlySpan<float> query = (useRaw ? raw : mapped).AsSpan(q * dimension, dimension);
            for (int i = 0; i < count; i++)
            {
                scores[i] = TensorPrimitives.Dot(query, corpus.AsSpan(i * dimension, dimension));
            }

            int[] top = [.. Enumerable.Range(0, count).OrderByDescending(i => scores[i]).ThenBy(i => i).Take(10)];
            var expected = new HashSet<int>(truth.AsSpan(q * truthWidth, 10).ToArray());
            hits += top.Count(expected.Contains);
        }

        return hits / (10.0 * queryCount);
    }
}
