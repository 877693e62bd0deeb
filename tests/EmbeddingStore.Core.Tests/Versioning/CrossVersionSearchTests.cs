// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Globalization;
using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Tests.TestSupport;
using EmbeddingStore.Core.Vectors;
using EmbeddingStore.Core.Versioning;

namespace EmbeddingStore.Core.Tests.Versioning;

public sealed class CrossVersionSearchTests
{
    private const int Dimension = 24;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Search_IdentityLink_MatchesNativeSearchAndNamesLink()
    {
        using EmbeddingEngine engine = await EngineFactory.CreateWithCollectionAsync("face@v1", Dimension, DistanceMetric.CosineSimilarity, cancellationToken: Ct);
        await engine.RegisterModelVersionAsync("face", "v2", Dimension, DistanceMetric.CosineSimilarity, false, Ct);
        var random = new Random(1);
        await engine.UpsertItemsAsync("docs", [.. Enumerable.Range(0, 100).Select(i => EngineFactory.Item(Id(i), "face@v1", TestData.RandomVector(random, Dimension)))], Ct);
        float[] query = TestData.RandomVector(random, Dimension);

        Assert.Equal(StoreErrorCode.IncompatibleVersions, (await engine.SearchAsync("docs", new SearchQuery(query, "face@v2", 10), TestContext.Current.CancellationToken)).Error!.Code);
        HarmonicLink link = (await engine.DeclareIdentityLinkAsync("face@v2", "face@v1", Ct)).Value!.Value;

        IReadOnlyList<SearchHit> native = (await engine.SearchAsync("docs", new SearchQuery(query, "face@v1", 10), TestContext.Current.CancellationToken)).Value!.Hits;
        IReadOnlyList<SearchHit> bridged = (await engine.SearchAsync("docs", new SearchQuery(query, "face@v2", 10), TestContext.Current.CancellationToken)).Value!.Hits;
        Assert.Equal(native.Select(h => h.Id), bridged.Select(h => h.Id));

        // Equal up to the rounding of normalising an already unit-length query once more.
        Assert.All(native.Zip(bridged), pair => Assert.Equal(pair.First.Score, pair.Second.Score, 1e-6f));
        Assert.All(bridged, h => Assert.Equal(link.Id, h.Via));
        Assert.All(native, h => Assert.Null(h.Via));

        // Forbidding bridges, or deleting the link, brings the refusal back.
        Assert.Equal(StoreErrorCode.IncompatibleVersions, (await engine.SearchAsync("docs", new SearchQuery(query, "face@v2", 10, Bridging: BridgingMode.None), TestContext.Current.CancellationToken)).Error!.Code);
        Assert.True((await engine.DeleteLinkAsync(link.Id, Ct)).IsSuccess);
        Assert.Equal(StoreErrorCode.IncompatibleVersions, (await engine.SearchAsync("docs", new SearchQuery(query, "face@v2", 10), TestContext.Current.CancellationToken)).Error!.Code);
    }

    [Fact]
    public async Task DeclareIdentityLink_Twice_ReturnsExistingLink()
    {
        using EmbeddingEngine engine = await EngineFactory.CreateWithCollectionAsync("face@v1", 4, DistanceMetric.DotProduct, cancellationToken: Ct);
        await engine.RegisterModelVersionAsync("face", "v2", 4, DistanceMetric.DotProduct, false, Ct);
        Outcome<HarmonicLink> first = (await engine.DeclareIdentityLinkAsync("face@v2", "face@v1", Ct)).Value!;
        Outcome<HarmonicLink> again = (await engine.DeclareIdentityLinkAsync("face@v1", "face@v2", Ct)).Value!;
        Assert.True(first.Created);
        Assert.False(again.Created);
        Assert.Equal(first.Value.Id, again.Value.Id);
        Assert.Single(engine.ListLinks());
    }

    [Fact]
    public async Task Search_ComposedIdentityLinks_ReachesThroughTwoHops()
    {
        using EmbeddingEngine engine = await EngineFactory.CreateWithCollectionAsync("m@v1", 8, DistanceMetric.DotProduct, cancellationToken: Ct);
        await engine.RegisterModelVersionAsync("m", "v2", 8, DistanceMetric.DotProduct, false, Ct);
        await engine.RegisterModelVersionAsync("m", "v3", 8, DistanceMetric.DotProduct, false, Ct);
        var random = new Random(2);
        await engine.UpsertItemsAsync("docs", [.. Enumerable.Range(0, 20).Select(i => EngineFactory.Item(Id(i), "m@v1", TestData.RandomVector(random, 8)))], Ct);
        HarmonicLink a = (await engine.DeclareIdentityLinkAsync("m@v3", "m@v2", Ct)).Value!.Value;
        HarmonicLink b = (await engine.DeclareIdentityLinkAsync("m@v2", "m@v1", Ct)).Value!.Value;

        IReadOnlyList<SearchHit> hits = (await engine.SearchAsync("docs", new SearchQuery(TestData.RandomVector(random, 8), "m@v3", 5), TestContext.Current.CancellationToken)).Value!.Hits;
        Assert.Equal(5, hits.Count);
        Assert.All(hits, h => Assert.Equal($"{a.Id},{b.Id}", h.Via));
    }

    [Fact]
    public async Task FitLink_RotatedShiftedCopy_BridgedSearchFindsTrueNeighbours()
    {
        // v2 is a rotated, scaled and shifted copy of v1 plus a little noise: a linear bridge must recover it.
        var random = new Random(3);
        double[,] rotation = RandomRotation(random, Dimension);
        using EmbeddingEngine engine = await EngineFactory.CreateWithCollectionAsync("text@v1", Dimension, DistanceMetric.DotProduct, cancellationToken: Ct);
        await engine.RegisterModelVersionAsync("text", "v2", Dimension, DistanceMetric.DotProduct, false, Ct);
        var v1 = new List<float[]>();
        var items = new List<ItemUpsert>();
        for (int i = 0; i < 600; i++)
        {
            float[] a = TestData.RandomVector(random, Dimension);
            v1.Add(a);
            var vectors = new Dictionary<string, float[]> { ["text@v1"] = a };
            if (i < 400)
            {
                vectors["text@v2"] = Transform(rotation, a, random);
            }

            items.Add(new ItemUpsert(Id(i), null, vectors));
        }

        await engine.UpsertItemsAsync("docs", items, Ct);
        StoreResult<Outcome<HarmonicLink>> fitted = await engine.FitLinkAsync(new LinkFitRequest("text@v2", "text@v1", "auto", Collection: "docs", Seed: 7), Ct);
        Assert.True(fitted.IsSuccess, fitted.Error?.Message);
        HarmonicLink link = fitted.Value!.Value;
        Assert.Equal(400, link.Fit!.Pairs);
        Assert.True(link.Quality!.RecallAt10 > 0.9, $"held-out recall@10 {link.Quality.RecallAt10}");
        Assert.True(link.Quality.RecallAt10 > link.Quality.NoMapRecallAt10 + 0.3, $"no-map {link.Quality.NoMapRecallAt10}");
        Assert.True(link.Fit.Candidates.Count >= 3);

        // Queries made by v2 find v1 items' true neighbours through the bridge, restricted to v1-only items.
        double recall = 0;
        const int Queries = 20;
        for (int q = 0; q < Queries; q++)
        {
            float[] truth = TestData.RandomVector(random, Dimension);
            float[] query = Transform(rotation, truth, random);
            var expected = (await engine.SearchAsync("docs", new SearchQuery(truth, "text@v1", 10, SearchVersions: ["text@v1"]), TestContext.Current.CancellationToken)).Value!.Hits.Select(h => h.Id).ToHashSet();
            IReadOnlyList<SearchHit> hits = (await engine.SearchAsync("docs", new SearchQuery(query, "text@v2", 10, SearchVersions: ["text@v1"]), TestContext.Current.CancellationToken)).Value!.Hits;
            Assert.All(hits, h => Assert.Equal(link.Id, h.Via));
            recall += hits.Count(h => expected.Contains(h.Id)) / 10.0;
        }

        Assert.True(recall / Queries > 0.8, $"bridged recall@10 {recall / Queries}");
    }

    [Fact]
    public async Task Search_MixedVersions_NeverReturnsAnItemTwice()
    {
        var random = new Random(4);
        using EmbeddingEngine engine = await EngineFactory.CreateWithCollectionAsync("text@v1", Dimension, DistanceMetric.CosineSimilarity, cancellationToken: Ct);
        await engine.RegisterModelVersionAsync("text", "v2", Dimension, DistanceMetric.CosineSimilarity, false, Ct);
        double[,] rotation = RandomRotation(random, Dimension);
        var items = new List<ItemUpsert>();
        for (int i = 0; i < 300; i++)
        {
            float[] a = TestData.RandomVector(random, Dimension);
            var vectors = new Dictionary<string, float[]> { ["text@v1"] = a };
            if (i % 2 == 0)
            {
                vectors["text@v2"] = Transform(rotation, a, random);
            }

            items.Add(new ItemUpsert(Id(i), null, vectors));
        }

        await engine.UpsertItemsAsync("docs", items, Ct);
        Assert.True((await engine.FitLinkAsync(new LinkFitRequest("text@v2", "text@v1", "ridge", Collection: "docs"), Ct)).IsSuccess);

        for (int q = 0; q < 10; q++)
        {
            float[] truth = TestData.RandomVector(random, Dimension);
            float[] query = Transform(rotation, truth, random);
            foreach (SearchQuery search in new[]
            {
                new SearchQuery(query, "text@v2", 50),
                new SearchQuery(null, "text@v2", 50, Vectors: new Dictionary<string, float[]> { ["text@v1"] = truth, ["text@v2"] = query }),
            })
            {
                IReadOnlyList<SearchHit> hits = (await engine.SearchAsync("docs", search, TestContext.Current.CancellationToken)).Value!.Hits;
                Assert.Equal(50, hits.Count);
                Assert.Equal(hits.Count, hits.Select(h => h.Id).Distinct().Count());
                Assert.Contains(hits, h => h.Version == "text@v1");
                Assert.Contains(hits, h => h.Version == "text@v2");

                // Items held natively in the query's version are served natively.
                Assert.All(hits.Where(h => int.Parse(h.Id[1..], CultureInfo.InvariantCulture) % 2 == 0), h => Assert.Equal("text@v2", h.Version));
            }
        }
    }

    [Fact]
    public async Task Search_TwoFittedLinks_ServesTheOneFittedOnMorePairs()
    {
        // A link fitted on few pairs is held out on fewer still, and recall@10 among 20 held-out items is easy: it can
        // report a higher figure than a refit on ten times the pairs. The search must serve the refit.
        var random = new Random(5);
        double[,] rotation = RandomRotation(random, Dimension);
        using EmbeddingEngine engine = await EngineFactory.CreateWithCollectionAsync("text@v1", Dimension, DistanceMetric.DotProduct, cancellationToken: Ct);
        await engine.RegisterModelVersionAsync("text", "v2", Dimension, DistanceMetric.DotProduct, false, Ct);
        await engine.UpsertItemsAsync("docs", [.. Enumerable.Range(0, 50).Select(i => EngineFactory.Item(Id(i), "text@v1", TestData.RandomVector(random, Dimension)))], Ct);
        var sources = new List<float[]>();
        var targets = new List<float[]>();
        for (int i = 0; i < 1000; i++)
        {
            float[] a = TestData.RandomVector(random, Dimension);
            targets.Add(a);
            sources.Add(Transform(rotation, a, random));
        }

        var smallFit = await engine.FitLinkAsync(new LinkFitRequest("text@v2", "text@v1", "ridge", FromVectors: sources[..100], ToVectors: targets[..100], Seed: 1), Ct);
        Assert.True(smallFit.IsSuccess, smallFit.Error?.Message);
        var largeFit = await engine.FitLinkAsync(new LinkFitRequest("text@v2", "text@v1", "ridge", FromVectors: sources, ToVectors: targets, Seed: 1), Ct);
        Assert.True(largeFit.IsSuccess, largeFit.Error?.Message);
        HarmonicLink small = smallFit.Value!.Value;
        HarmonicLink large = largeFit.Value!.Value;
        Assert.True(large.Bridge.FitPairs > small.Bridge.FitPairs);

        // The premise: the small link reports the better held-out recall, so ranking by that figure would pick it.
        Assert.True(small.Quality!.RecallAt10 > large.Quality!.RecallAt10, $"small {small.Quality.RecallAt10}, large {large.Quality.RecallAt10}");

        IReadOnlyList<SearchHit> hits = (await engine.SearchAsync("docs", new SearchQuery(sources[0], "text@v2", 5), Ct)).Value!.Hits;

        Assert.Equal(5, hits.Count);
        Assert.All(hits, h => Assert.Equal(large.Id, h.Via));
    }

    private static string Id(int i) => "i" + i.ToString("D4", CultureInfo.InvariantCulture);

    private static float[] Transform(double[,] rotation, float[] x, Random random)
    {
        int d = x.Length;
        var y = new float[d];
        for (int r = 0; r < d; r++)
        {
            double sum = 0;
            for (int c = 0; c < d; c++)
            {
                sum += rotation[r, c] * x[c];
            }

            y[r] = (float)((1.7 * sum) + 0.3 + ((random.NextDouble() - 0.5) * 0.02));
        }

        return y;
    }

    // A random orthogonal matrix: Gram-Schmidt on a seeded Gaussian matrix.
    private static double[,] RandomRotation(Random random, int d)
    {
        var q = new double[d, d];
        for (int r = 0; r < d; r++)
        {
            for (int c = 0; c < d; c++)
            {
                q[r, c] = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            }

            for (int p = 0; p < r; p++)
            {
                double dot = 0;
                for (int c = 0; c < d; c++)
                {
                    dot += q[r, c] * q[p, c];
                }

                for (int c = 0; c < d; c++)
                {
                    q[r, c] -= dot * q[p, c];
                }
            }

            double norm = 0;
            for (int c = 0; c < d; c++)
            {
                norm += q[r, c] * q[r, c];
            }

            norm = Math.Sqrt(norm);
            for (int c = 0; c < d; c++)
            {
                q[r, c] /= norm;
            }
        }

        return q;
    }
}
