// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Filters;
using EmbeddingStore.Core.Tests.Filters;
using EmbeddingStore.Core.Tests.TestSupport;
using EmbeddingStore.Core.Vectors;

namespace EmbeddingStore.Core.Tests.Collections;

// Items with no vector at all (an item waiting to be embedded): found by id, scroll, count and filters (payload indexes
// included), never by a vector search, not counted against a search's coverage, durable, and searchable once a vector
// arrives.
public sealed class VectorlessItemTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Upsert_ItemsWithoutVectors_FoundByIdScrollCountFilterButNeverBySearch()
    {
        var repository = new InMemoryRepository();
        EmbeddingEngine engine = await EngineFactory.CreateWithCollectionAsync("text@v1", 3, DistanceMetric.CosineSimilarity, repository: repository, cancellationToken: Ct);
        Assert.True((await engine.UpsertItemsAsync(
            "docs",
            [
                EngineFactory.Item("a", "text@v1", [1, 0, 0], """{"lang": "en"}"""),
                EngineFactory.Item("b", "text@v1", [0, 1, 0], """{"lang": "de"}"""),
                new ItemUpsert("c", FilterReference.Json("""{"lang": "en"}"""), new Dictionary<string, float[]>()),
                new ItemUpsert("d", null, new Dictionary<string, float[]>()),
            ],
            Ct)).IsSuccess);
        Assert.True((await engine.PutPayloadIndexAsync("docs", "lang", "keyword", Ct)).IsSuccess);
        await engine.Jobs.RunUntilIdleAsync(Ct);

        await AssertStateAsync(engine);
        engine.Dispose();

        using var reloaded = new EmbeddingEngine(repository);
        await reloaded.LoadAsync(Ct);
        await AssertStateAsync(reloaded);

        // A vector arrives: the item becomes searchable; removing every vector makes it vectorless again.
        Assert.True((await reloaded.UpsertItemsAsync("docs", [EngineFactory.Item("c", "text@v1", [0, 0, 1], """{"lang": "en"}""")], Ct)).IsSuccess);
        SearchResult found = (await reloaded.SearchAsync("docs", new SearchQuery([0, 0, 1], null, 10), Ct)).Value!;
        Assert.Equal("c", found.Hits[0].Id);
        Assert.Equal(3L, found.Coverage!.HeldItems);
        Assert.True((await reloaded.UpsertItemsAsync("docs", [new ItemUpsert("a", null, new Dictionary<string, float[]>())], Ct)).IsSuccess);
        SearchResult after = (await reloaded.SearchAsync("docs", new SearchQuery([1, 0, 0], null, 10), Ct)).Value!;
        Assert.Equal(["b", "c"], after.Hits.Select(h => h.Id).Order(StringComparer.Ordinal));
        Assert.Equal((2L, 2L), (after.Coverage!.SearchedItems, after.Coverage.HeldItems));
    }

    private static async Task AssertStateAsync(EmbeddingEngine engine)
    {
        Assert.Equal(4, engine.GetCollection("docs").Value!.ItemCount);
        ItemView c = engine.GetItem("docs", "c", withVectors: true).Value!;
        Assert.True(c.Vectors is null || c.Vectors.Count == 0);
        Assert.Equal(["a", "b", "c", "d"], engine.Scroll("docs", null, 10, withVectors: false).Value!.Items.Select(i => i.Id));

        var english = new PayloadFilter([FilterCondition.Equal("lang", FilterReference.Json("\"en\""))]);
        Assert.Equal(2, engine.Count("docs", english).Value);
        Assert.Equal(["a", "c"], engine.Scroll("docs", null, 10, withVectors: false, english).Value!.Items.Select(i => i.Id));

        // The search sees only items with a vector; coverage is complete (the vectorless items are not "held" by it),
        // so no partial-answer refusal.
        StoreResult<SearchResult> search = await engine.SearchAsync("docs", new SearchQuery([1, 0, 0], null, 10, english), Ct);
        Assert.True(search.IsSuccess, search.Error?.Message);
        Assert.Equal(["a"], search.Value!.Hits.Select(h => h.Id));
        Assert.Equal((2L, 2L), (search.Value.Coverage!.SearchedItems, search.Value.Coverage.HeldItems));
        BatchSearchResult batch = (await engine.SearchBatchAsync("docs", new BatchSearchQuery([[1, 0, 0]], null, 10), Ct)).Value!;
        Assert.Equal(["a", "b"], batch.Results[0].Hits.Select(h => h.Id));
    }
}
