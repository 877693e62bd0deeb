// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Text.Json;
using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Filters;
using EmbeddingStore.Core.Hybrid;
using EmbeddingStore.Core.Tests.TestSupport;
using EmbeddingStore.Core.Vectors;

namespace EmbeddingStore.Core.Tests.Hybrid;

// Reciprocal-rank fusion on constructed lists whose fused scores are worked out by hand, and a hybrid search over an
// engine whose vector and keyword lists are built to disagree.
public sealed class ReciprocalRankFusionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void Fuse_EqualWeights_SumsReciprocalRanksTiesById()
    {
        // a: 1/61 + 1/63, c: 1/63 + 1/61 (a tie, broken by id), b: 1/62, d: 1/62 (a tie).
        IReadOnlyList<FusedRank> fused = ReciprocalRankFusion.Fuse(["a", "b", "c"], 1, ["c", "d", "a"], 1, 60, 10);
        Assert.Equal(["a", "c", "b", "d"], fused.Select(f => f.Id));
        Assert.Equal((1.0 / 61) + (1.0 / 63), fused[0].Score, 15);
        Assert.Equal(fused[0].Score, fused[1].Score);
        Assert.Equal(1.0 / 62, fused[2].Score, 15);
        Assert.Equal((1, 3), (fused[0].FirstRank!.Value, fused[0].SecondRank!.Value));
        Assert.Equal((2, (int?)null), (fused[2].FirstRank!.Value, fused[2].SecondRank));
        Assert.Equal(((int?)null, 2), (fused[3].FirstRank, fused[3].SecondRank!.Value));
    }

    [Fact]
    public void Fuse_KeywordWeightedThree_KeywordLeaderFirst()
    {
        // a: 1/61 + 3/63 = 0.06401, c: 1/63 + 3/61 = 0.06505, d: 3/62 = 0.04839, b: 1/62 = 0.01613.
        IReadOnlyList<FusedRank> fused = ReciprocalRankFusion.Fuse(["a", "b", "c"], 1, ["c", "d", "a"], 3, 60, 3);
        Assert.Equal(["c", "a", "d"], fused.Select(f => f.Id));
        Assert.Equal((1.0 / 63) + (3.0 / 61), fused[0].Score, 15);
        Assert.Equal(3.0 / 62, fused[2].Score, 15);
    }

    [Fact]
    public void Fuse_SmallRankConstant_TopRanksDominate()
    {
        // k = 1: y (second in both) 1/3 + 1/3 = 0.667 beats x and z (first in one list) 1/2 each, tied and ordered by id.
        // With the first list weighted 0: z 1/2, y 1/3, x 0.
        IReadOnlyList<FusedRank> k1 = ReciprocalRankFusion.Fuse(["x", "y"], 1, ["z", "y"], 1, 1, 3);
        Assert.Equal(["y", "x", "z"], k1.Select(f => f.Id));
        Assert.Equal(2.0 / 3, k1[0].Score, 15);
        IReadOnlyList<FusedRank> keywordOnly = ReciprocalRankFusion.Fuse(["x", "y"], 0, ["z", "y"], 1, 1, 3);
        Assert.Equal(["z", "y", "x"], keywordOnly.Select(f => f.Id));
        Assert.Equal(0, keywordOnly[2].Score);
    }

    [Fact]
    public async Task HybridSearch_ConstructedLists_FusedOrderWithBothRanksAndFilter()
    {
        using EmbeddingEngine engine = await EngineFactory.CreateWithCollectionAsync("text@v1", 2, DistanceMetric.DotProduct, cancellationToken: Ct);

        // Vector order (query [1, 0]): v1 > v2 > v3 > v4. Keyword order for "solar": v4 (twice, short) > v3 > v1; v2 has no "solar".
        ItemUpsert[] items =
        [
            EngineFactory.Item("v1", "text@v1", [0.9f, 0], """{"body": "solar panels and wind turbines on the long northern ridge", "lang": "en"}"""),
            EngineFactory.Item("v2", "text@v1", [0.8f, 0], """{"body": "wind only", "lang": "en"}"""),
            EngineFactory.Item("v3", "text@v1", [0.7f, 0], """{"body": "solar farm", "lang": "de"}"""),
            EngineFactory.Item("v4", "text@v1", [0.6f, 0], """{"body": "solar solar", "lang": "en"}"""),
        ];
        Assert.True((await engine.UpsertItemsAsync("docs", items, Ct)).IsSuccess);
        Assert.True((await engine.PutPayloadIndexAsync("docs", "body", "text", Ct)).IsSuccess);
        await engine.Jobs.RunUntilIdleAsync(Ct);

        // Fused (k = 60): v1 1/61 + 1/63, v3 1/63 + 1/62, v4 1/64 + 1/61, v2 1/62 only.
        HybridSearchResult fused = (await engine.HybridSearchAsync("docs", new HybridSearchQuery(new SearchQuery([1, 0], null, 10), "body", "Solar", 4), Ct)).Value!;
        Assert.Equal(["v1", "v4", "v3", "v2"], fused.Hits.Select(h => h.Id));
        Assert.Equal([(1, 3), (4, 1), (3, 2)], fused.Hits.Take(3).Select(h => (h.VectorRank!.Value, h.KeywordRank!.Value)));
        Assert.Null(fused.Hits[3].KeywordRank);
        Assert.Equal((1.0 / 61) + (1.0 / 63), fused.Hits[0].Score, 15);
        Assert.Equal(0.9f, fused.Hits[0].VectorScore);
        Assert.Equal("text@v1", fused.Hits[0].Version);

        // The filter applies inside both halves: v3 (de) is neither a vector nor a keyword candidate.
        var filter = new PayloadFilter(must: [FilterCondition.Equal("lang", JsonSerializer.SerializeToElement("en"))]);
        HybridSearchResult filtered = (await engine.HybridSearchAsync(
            "docs", new HybridSearchQuery(new SearchQuery([1, 0], null, 10, filter), "body", "solar", 4, KeywordWeight: 2), Ct)).Value!;

        // v1: 1/61 + 2/62, v4: 1/63 + 2/61, v2: 1/62.
        Assert.Equal(["v4", "v1", "v2"], filtered.Hits.Select(h => h.Id));
        Assert.Equal((1.0 / 63) + (2.0 / 61), filtered.Hits[0].Score, 15);
    }

    [Theory]
    [InlineData("", "solar", 4, 1.0, 1.0, 60, "keywords.field must be a non-empty")]
    [InlineData("a..b", "solar", 4, 1.0, 1.0, 60, "keywords.field 'a..b' has an empty segment")]
    [InlineData("body", " -- ", 4, 1.0, 1.0, 60, "keywords.query has no words")]
    [InlineData("body", "solar", 0, 1.0, 1.0, 60, "k must be between 1 and")]
    [InlineData("body", "solar", 4, -1.0, 1.0, 60, "fusion.vectorWeight must be a finite number")]
    [InlineData("body", "solar", 4, 1.0, double.NaN, 60, "fusion.keywordWeight must be a finite number")]
    [InlineData("body", "solar", 4, 0.0, 0.0, 60, "both 0")]
    [InlineData("body", "solar", 4, 1.0, 1.0, 0, "fusion.rankConstant must be at least 1")]
    public async Task HybridSearch_BadQuery_InvalidArgumentNamingPath(string field, string text, int k, double vectorWeight, double keywordWeight, int rankConstant, string message)
    {
        using EmbeddingEngine engine = await EngineFactory.CreateWithCollectionAsync("text@v1", 2, DistanceMetric.DotProduct, cancellationToken: Ct);
        StoreError error = (await engine.HybridSearchAsync(
            "docs", new HybridSearchQuery(new SearchQuery([1, 0], null, 10), field, text, k, vectorWeight, keywordWeight, rankConstant), Ct)).Error!;
        Assert.Equal(StoreErrorCode.InvalidArgument, error.Code);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }
}
