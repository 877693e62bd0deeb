// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Globalization;
using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Tests.TestSupport;
using EmbeddingStore.Core.Vectors;

namespace EmbeddingStore.Core.Tests.Search;

// The two faults of issue 12, reproduced through the engine as a new user met them.
public sealed class SearchFaultTests
{
    private const int Dimension = 24;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Search_IdentityLinkMixedVersions_MergesByScoreExactMatchFirst()
    {
        using EmbeddingEngine engine = await EngineFactory.CreateWithCollectionAsync("face@v1", Dimension, DistanceMetric.CosineSimilarity, cancellationToken: Ct);
        await engine.RegisterModelVersionAsync("face", "v2", Dimension, DistanceMetric.CosineSimilarity, false, Ct);
        var random = new Random(12);
        var stored = new Dictionary<string, float[]>(StringComparer.Ordinal);
        var items = new List<ItemUpsert>();
        for (int i = 0; i < 200; i++)
        {
            float[] v = TestData.RandomVector(random, Dimension);
            stored[Id(i)] = v;
            items.Add(EngineFactory.Item(Id(i), "face@v1", v));
        }

        // One item re-embedded with v2; the query is exactly its vector.
        float[] query = TestData.RandomVector(random, Dimension);
        stored["x"] = query;
        items.Add(EngineFactory.Item("x", "face@v2", query));
        await engine.UpsertItemsAsync("docs", items, Ct);
        Assert.True((await engine.DeclareIdentityLinkAsync("face@v2", "face@v1", Ct)).IsSuccess);

        SearchResult result = (await engine.SearchAsync("docs", new SearchQuery(query, "face@v2", 10), Ct)).Value!;

        // The expected answer: plain cosine against every stored vector (the identity link says they are comparable).
        var expected = stored.Select(kv => (Id: kv.Key, Score: Cosine(query, kv.Value)))
            .OrderByDescending(e => e.Score).ThenBy(e => e.Id, StringComparer.Ordinal).Take(10).ToList();
        Assert.Equal("x", result.Hits[0].Id);
        Assert.InRange(result.Hits[0].Score, 0.9999f, 1f);
        Assert.Equal(expected.Select(e => e.Id), result.Hits.Select(h => h.Id));
        Assert.All(result.Hits.Zip(expected), pair => Assert.Equal(pair.Second.Score, pair.First.Score, 1e-5));
        Assert.All(result.Hits, h => Assert.Equal(h.RawScore, h.Score));
        Assert.All(result.Hits, h => Assert.InRange(h.Score, -1f, 1f));
    }

    [Fact]
    public async Task Search_QueryEqualToStoredVector_CosineScoreNeverAboveOne()
    {
        // Unnormalised stored vectors and queries: normalising each once more leaves rounding that once reached 1.0000005.
        using EmbeddingEngine engine = await EngineFactory.CreateWithCollectionAsync("face@v1", Dimension, DistanceMetric.CosineSimilarity, cancellationToken: Ct);
        await engine.RegisterModelVersionAsync("face", "v2", Dimension, DistanceMetric.CosineSimilarity, false, Ct);
        var random = new Random(13);
        var vectors = Enumerable.Range(0, 300).Select(_ => TestData.RandomVector(random, Dimension).Select(x => x * 37.3f).ToArray()).ToList();
        await engine.UpsertItemsAsync("docs", [.. vectors.Select((v, i) => EngineFactory.Item(Id(i), "face@v1", v))], Ct);
        Assert.True((await engine.DeclareIdentityLinkAsync("face@v2", "face@v1", Ct)).IsSuccess);

        for (int i = 0; i < vectors.Count; i++)
        {
            foreach (string version in new[] { "face@v1", "face@v2" })
            {
                SearchHit top = (await engine.SearchAsync("docs", new SearchQuery(vectors[i], version, 1), Ct)).Value!.Hits[0];
                Assert.Equal(Id(i), top.Id);
                Assert.InRange(top.Score, 0.9999f, 1f);
                Assert.InRange(top.RawScore, 0.9999f, 1f);
            }
        }
    }

    [Fact]
    public async Task Search_PartOfCollectionReachableNoLink_RefusedAsIncompatible()
    {
        // The README's upgrade by hand: three items in v1, one re-embedded in v2, no link yet.
        using EmbeddingEngine engine = await CreateUpgradeInProgressAsync();

        var refused = await engine.SearchAsync("docs", new SearchQuery([0.1f, 0.9f, 0.2f], "text@v2", 10), Ct);

        Assert.False(refused.IsSuccess);
        Assert.Equal(StoreErrorCode.IncompatibleVersions, refused.Error!.Code);
        Assert.Contains("reaches 1 of the 3 items", refused.Error.Message, StringComparison.Ordinal);
        Assert.Contains("allowPartial", refused.Error.Message, StringComparison.Ordinal);
        Assert.Equal(["text@v2", "text@v1"], refused.Error.Versions);
    }

    [Fact]
    public async Task Search_PartialAllowed_AnswersAndReportsCoverage()
    {
        using EmbeddingEngine engine = await CreateUpgradeInProgressAsync();

        SearchResult result = (await engine.SearchAsync("docs", new SearchQuery([0.1f, 0.9f, 0.2f], "text@v2", 10, AllowPartial: true), Ct)).Value!;

        Assert.Equal(["a1"], result.Hits.Select(h => h.Id));
        SearchCoverage coverage = result.Coverage!;
        Assert.False(coverage.IsComplete);
        Assert.Equal(1, coverage.SearchedItems);
        Assert.Equal(3, coverage.HeldItems);
        VersionCoverage v2 = Assert.Single(coverage.Versions);
        Assert.Equal(new VersionCoverage("text@v2", 1, null), v2);
    }

    [Fact]
    public async Task Search_NarrowedOnPurpose_AnswersAndReportsCoverage()
    {
        using EmbeddingEngine engine = await CreateUpgradeInProgressAsync();

        SearchResult restricted = (await engine.SearchAsync(
            "docs", new SearchQuery([0.1f, 0.9f, 0.2f], "text@v2", 10, SearchVersions: ["text@v2"]), Ct)).Value!;
        SearchResult unbridged = (await engine.SearchAsync(
            "docs", new SearchQuery([0.1f, 0.9f, 0.2f], "text@v2", 10, Bridging: BridgingMode.None), Ct)).Value!;

        Assert.All(new[] { restricted, unbridged }, r => Assert.Equal((1, 3), (r.Coverage!.SearchedItems, r.Coverage.HeldItems)));
    }

    [Fact]
    public async Task Search_OldVersionQuery_CompleteCoverage()
    {
        using EmbeddingEngine engine = await CreateUpgradeInProgressAsync();

        SearchResult result = (await engine.SearchAsync("docs", new SearchQuery([0.9f, 0.1f, 0.0f], "text@v1", 10), Ct)).Value!;

        Assert.Equal(3, result.Hits.Count);
        Assert.True(result.Coverage!.IsComplete);
        Assert.Equal((3, 3), (result.Coverage.SearchedItems, result.Coverage.HeldItems));
        Assert.Equal(new VersionCoverage("text@v1", 3, null), Assert.Single(result.Coverage.Versions));
    }

    [Fact]
    public async Task Search_BothVersionsGiven_CoverageCountsEachItemOnce()
    {
        using EmbeddingEngine engine = await CreateUpgradeInProgressAsync();
        var vectors = new Dictionary<string, float[]> { ["text@v1"] = [0.9f, 0.1f, 0f], ["text@v2"] = [0.1f, 0.9f, 0.2f] };

        SearchResult result = (await engine.SearchAsync("docs", new SearchQuery(null, "text@v2", 10, Vectors: vectors), Ct)).Value!;

        Assert.Equal(3, result.Hits.Count);
        Assert.Equal((3, 3), (result.Coverage!.SearchedItems, result.Coverage.HeldItems));
        Assert.Equal([("text@v2", 1L), ("text@v1", 3L)], result.Coverage.Versions.Select(v => (v.Version, v.Vectors)).OrderBy(v => v.Vectors));
    }

    [Fact]
    public async Task SearchBatch_PartOfCollectionReachable_RefusedUnlessAllowed()
    {
        using EmbeddingEngine engine = await CreateUpgradeInProgressAsync();
        float[][] queries = [[0.1f, 0.9f, 0.2f], [0.2f, 0.8f, 0.1f]];

        var refused = await engine.SearchBatchAsync("docs", new BatchSearchQuery(queries, "text@v2", 5), Ct);
        var allowed = await engine.SearchBatchAsync("docs", new BatchSearchQuery(queries, "text@v2", 5, AllowPartial: true), Ct);

        Assert.Equal(StoreErrorCode.IncompatibleVersions, refused.Error!.Code);
        Assert.StartsWith("vectors[0]: ", refused.Error.Message, StringComparison.Ordinal);
        Assert.All(allowed.Value!.Results, r => Assert.Equal((1, 3), (r.Coverage!.SearchedItems, r.Coverage.HeldItems)));
        Assert.All(allowed.Value!.Results, r => Assert.Equal(["a1"], r.Hits.Select(h => h.Id)));
    }

    private static async Task<EmbeddingEngine> CreateUpgradeInProgressAsync()
    {
        EmbeddingEngine engine = await EngineFactory.CreateWithCollectionAsync("text@v1", 3, DistanceMetric.CosineSimilarity, cancellationToken: Ct);
        Assert.True((await engine.RegisterModelVersionAsync("text", "v2", 3, DistanceMetric.CosineSimilarity, false, Ct)).IsSuccess);
        await engine.UpsertItemsAsync("docs", [
            EngineFactory.Item("a1", "text@v1", [0.9f, 0.1f, 0f]),
            EngineFactory.Item("a2", "text@v1", [0.1f, 0.9f, 0f]),
            EngineFactory.Item("a3", "text@v1", [0.5f, 0.5f, 0.1f])], Ct);
        var both = new ItemUpsert("a1", null, new Dictionary<string, float[]> { ["text@v1"] = [0.9f, 0.1f, 0f], ["text@v2"] = [0.1f, 0.9f, 0.2f] });
        Assert.True((await engine.UpsertItemsAsync("docs", [both], Ct)).IsSuccess);
        return engine;
    }

    private static double Cosine(float[] a, float[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            na += (double)a[i] * a[i];
            nb += (double)b[i] * b[i];
        }

        return dot / Math.Sqrt(na * nb);
    }

    private static string Id(int i) => "i" + i.ToString("D4", CultureInfo.InvariantCulture);
}
