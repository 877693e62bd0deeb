// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Filters;
using EmbeddingStore.Core.Hybrid;
using EmbeddingStore.Core.Migrations;
using EmbeddingStore.Core.Tests.Filters;
using EmbeddingStore.Core.Tests.TestSupport;
using EmbeddingStore.Core.Vectors;

namespace EmbeddingStore.Core.Tests.Collections;

// A collection created with no serving version (items waiting to be embedded): every read but a vector search works,
// a search naming no version is refused with a reason, one naming its version is answered, the state is durable, and
// setting a serving version later makes plain searches work.
public sealed class NoServingVersionTests
{
    private static readonly PayloadFilter s_english = new([FilterCondition.Equal("lang", FilterReference.Json("\"en\""))]);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PutCollection_NoServingVersion_ItemsReadableAndPlainSearchRefusedUntilOneIsSet()
    {
        var repository = new InMemoryRepository();
        EmbeddingEngine engine = await EngineFactory.CreateAsync(repository, cancellationToken: Ct);
        Assert.True((await engine.RegisterModelVersionAsync("text", "v1", 3, DistanceMetric.CosineSimilarity, false, Ct)).IsSuccess);
        StoreResult<Outcome<CollectionInfo>> created = await engine.PutCollectionAsync("docs", null, Ct);
        Assert.True(created.IsSuccess, created.Error?.Message);
        Assert.True(created.Value!.Created);
        Assert.Null(created.Value.Value.ServingVersion);

        // Vectors of any registered version are accepted (and checked against it), as in a collection with one.
        Assert.True((await engine.UpsertItemsAsync(
            "docs",
            [
                new ItemUpsert("a", FilterReference.Json("""{"lang": "en"}"""), new Dictionary<string, float[]>()),
                new ItemUpsert("b", FilterReference.Json("""{"lang": "de"}"""), new Dictionary<string, float[]>()),
                EngineFactory.Item("c", "text@v1", [0, 0, 1], """{"lang": "en"}"""),
            ],
            Ct)).IsSuccess);
        StoreResult<int> wrongDimension = await engine.UpsertItemsAsync("docs", [EngineFactory.Item("x", "text@v1", [1, 0])], Ct);
        Assert.Equal(StoreErrorCode.DimensionMismatch, wrongDimension.Error?.Code);

        await AssertWithoutServingAsync(engine);
        engine.Dispose();
        using var reloaded = new EmbeddingEngine(repository);
        await reloaded.LoadAsync(Ct);
        await AssertWithoutServingAsync(reloaded);

        // Migrating needs a version to migrate from.
        StoreResult<MigrationInfo> migration = await reloaded.CreateMigrationAsync("docs", new MigrationRequest("text@v1", "reembed"), Ct);
        Assert.Equal(StoreErrorCode.InvalidArgument, migration.Error?.Code);
        Assert.Contains("no serving version", migration.Error!.Message, StringComparison.Ordinal);

        // Setting one later: plain searches work; putting again without one keeps it.
        StoreResult<Outcome<CollectionInfo>> served = await reloaded.PutCollectionAsync("docs", "text@v1", Ct);
        Assert.Equal("text@v1", served.Value!.Value.ServingVersion);
        Assert.False(served.Value.Created);
        Assert.Equal("text@v1", (await reloaded.PutCollectionAsync("docs", null, Ct)).Value!.Value.ServingVersion);
        StoreResult<SearchResult> plain = await reloaded.SearchAsync("docs", new SearchQuery([0, 0, 1], null, 10), Ct);
        Assert.True(plain.IsSuccess, plain.Error?.Message);
        Assert.Equal(["c"], plain.Value!.Hits.Select(h => h.Id));
        Assert.Equal(3, reloaded.GetCollection("docs").Value!.ItemCount);
    }

    private static async Task AssertWithoutServingAsync(EmbeddingEngine engine)
    {
        CollectionInfo info = engine.GetCollection("docs").Value!;
        Assert.Null(info.ServingVersion);
        Assert.Equal(3, info.ItemCount);
        Assert.Equal("en", engine.GetItem("docs", "a", withVectors: true).Value!.Payload!.Value.GetProperty("lang").GetString());
        Assert.Equal(["a", "b", "c"], engine.Scroll("docs", null, 10, withVectors: false).Value!.Items.Select(i => i.Id));
        Assert.Equal(2, engine.Count("docs", s_english).Value);
        Assert.Equal(["a", "c"], engine.Scroll("docs", null, 10, withVectors: false, s_english).Value!.Items.Select(i => i.Id));

        StoreResult<SearchResult> plain = await engine.SearchAsync("docs", new SearchQuery([0, 0, 1], null, 10), Ct);
        Assert.Equal(StoreErrorCode.InvalidArgument, plain.Error?.Code);
        Assert.Contains("no serving version", plain.Error!.Message, StringComparison.Ordinal);
        StoreResult<BatchSearchResult> batch = await engine.SearchBatchAsync("docs", new BatchSearchQuery([[0, 0, 1]], null, 10), Ct);
        Assert.Equal(StoreErrorCode.InvalidArgument, batch.Error?.Code);
        Assert.Contains("no serving version", batch.Error!.Message, StringComparison.Ordinal);
        StoreResult<HybridSearchResult> hybrid = await engine.HybridSearchAsync("docs", new HybridSearchQuery(new SearchQuery([0, 0, 1], null, 10), "lang", "en", 10), Ct);
        Assert.Equal(StoreErrorCode.InvalidArgument, hybrid.Error?.Code);
        Assert.Contains("no serving version", hybrid.Error!.Message, StringComparison.Ordinal);

        StoreResult<SearchResult> named = await engine.SearchAsync("docs", new SearchQuery([0, 0, 1], "text@v1", 10), Ct);
        Assert.True(named.IsSuccess, named.Error?.Message);
        Assert.Equal(["c"], named.Value!.Hits.Select(h => h.Id));
        StoreResult<BatchSearchResult> namedBatch = await engine.SearchBatchAsync("docs", new BatchSearchQuery([[0, 0, 1]], "text@v1", 10), Ct);
        Assert.Equal(["c"], namedBatch.Value!.Results[0].Hits.Select(h => h.Id));
    }

    [Fact]
    public async Task DeleteItems_ByFilterInCollectionWithoutServingVersion_RemovesOnlyMatches()
    {
        using EmbeddingEngine engine = await EngineFactory.CreateAsync(cancellationToken: Ct);
        Assert.True((await engine.PutCollectionAsync("docs", null, Ct)).IsSuccess);
        Assert.True((await engine.UpsertItemsAsync(
            "docs",
            [
                new ItemUpsert("a", FilterReference.Json("""{"lang": "en"}"""), new Dictionary<string, float[]>()),
                new ItemUpsert("b", FilterReference.Json("""{"lang": "de"}"""), new Dictionary<string, float[]>()),
            ],
            Ct)).IsSuccess);

        StoreResult<int> deleted = await engine.DeleteItemsAsync("docs", s_english, Ct);

        Assert.Equal(1, deleted.Value);
        Assert.Equal(["b"], engine.Scroll("docs", null, 10, withVectors: false).Value!.Items.Select(i => i.Id));
    }
}
