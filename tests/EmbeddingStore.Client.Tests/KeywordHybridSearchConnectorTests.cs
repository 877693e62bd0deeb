// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Client.Tests.TestSupport;
using EmbeddingStore.Client.VectorData;
using EmbeddingStore.Contracts;
using Microsoft.Extensions.VectorData;

namespace EmbeddingStore.Client.Tests;

// IKeywordHybridSearchable on the connector, against the real server: a full-text-indexed property gets a text index at
// creation; keywords reorder records whose vectors tie; the filter, skip and the choice of the full-text property work;
// the dynamic collection does the same; and the typed client's hybrid call surfaces the server's path-naming problems.
public sealed class KeywordHybridSearchConnectorTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public sealed class Fruit
    {
        [VectorStoreKey]
        public string Id { get; set; } = "";

        [VectorStoreData(IsFullTextIndexed = true)]
        public string Body { get; set; } = "";

        [VectorStoreData(IsIndexed = true)]
        public int Code { get; set; }

        [VectorStoreVector(2)]
        [EmbeddingVersion("hy-text@v1")]
        public ReadOnlyMemory<float> Vector { get; set; }
    }

    public sealed class TwoTexts
    {
        [VectorStoreKey]
        public string Id { get; set; } = "";

        [VectorStoreData(IsFullTextIndexed = true)]
        public string Title { get; set; } = "";

        [VectorStoreData(IsFullTextIndexed = true)]
        public string Body { get; set; } = "";

        [VectorStoreVector(2)]
        [EmbeddingVersion("hy-two@v1")]
        public ReadOnlyMemory<float> Vector { get; set; }
    }

    [Fact]
    public async Task HybridSearchAsync_KeywordsOnTiedVectors_MatchingRecordsFirstWithFusedScores()
    {
        using EmbeddingStoreClient client = server.CreateClient();
        var collection = new EmbeddingStoreVectorStore(client).GetCollection<string, Fruit>("hy-fruit");
        await collection.EnsureCollectionExistsAsync(Ct);
        PayloadIndexResponse index = Assert.Single((await client.ListPayloadIndexesAsync("hy-fruit", Ct)).Indexes);
        Assert.Equal(("Body", "text"), (index.Field, index.Type));

        var vector = new ReadOnlyMemory<float>([1, 0]);
        await collection.UpsertAsync(
        [
            new Fruit { Id = "f1", Body = "Apples are a healthy and nourishing snack", Code = 1, Vector = vector },
            new Fruit { Id = "f2", Body = "Oranges are tangy and contain vitamin c", Code = 2, Vector = vector },
            new Fruit { Id = "f3", Body = "Grapes are healthy, sweet and juicy", Code = 3, Vector = vector },
        ], Ct);
        var searchable = Assert.IsAssignableFrom<IKeywordHybridSearchable<Fruit>>(collection);

        // Equal vectors rank by id (f1, f2, f3); only f3 holds "grapes": 1/63 + 1/61 beats f1's 1/61 alone.
        List<VectorSearchResult<Fruit>> grapes = await searchable.HybridSearchAsync(vector, ["GRAPES"], 3, cancellationToken: Ct).ToListAsync(Ct);
        Assert.Equal(["f3", "f1", "f2"], grapes.Select(r => r.Record.Id));
        Assert.Equal((1.0 / 63) + (1.0 / 61), grapes[0].Score!.Value, 12);
        Assert.Equal(1.0 / 61, grapes[1].Score!.Value, 12);
        Assert.Equal("Grapes are healthy, sweet and juicy", grapes[0].Record.Body);

        // Two keywords, one record each: both ahead of the record holding neither.
        List<VectorSearchResult<Fruit>> two = await searchable.HybridSearchAsync(vector, ["tangy", "nourishing"], 3, cancellationToken: Ct).ToListAsync(Ct);
        Assert.Equal("f3", two[2].Record.Id);

        // The filter applies inside both halves; skip drops from the fused list.
        List<VectorSearchResult<Fruit>> filtered = await searchable.HybridSearchAsync(
            vector, ["oranges"], 3, new HybridSearchOptions<Fruit> { Filter = r => r.Code == 1 }, Ct).ToListAsync(Ct);
        Assert.Equal("f1", Assert.Single(filtered).Record.Id);
        List<VectorSearchResult<Fruit>> skipped = await searchable.HybridSearchAsync(
            vector, ["healthy"], 3, new HybridSearchOptions<Fruit> { Skip = 2 }, Ct).ToListAsync(Ct);
        Assert.Equal("f2", Assert.Single(skipped).Record.Id);
    }

    [Fact]
    public async Task HybridSearchAsync_TwoFullTextProperties_NoneChosenThrowsChosenOneSearched()
    {
        using EmbeddingStoreClient client = server.CreateClient();
        var collection = new EmbeddingStoreVectorStore(client).GetCollection<string, TwoTexts>("hy-two");
        await collection.EnsureCollectionExistsAsync(Ct);
        Assert.Equal(
            [("Body", "text"), ("Title", "text")],
            (await client.ListPayloadIndexesAsync("hy-two", Ct)).Indexes.Select(i => (i.Field, i.Type)));
        var vector = new ReadOnlyMemory<float>([1, 0]);
        await collection.UpsertAsync(
        [
            new TwoTexts { Id = "t1", Title = "apples", Body = "oranges", Vector = vector },
            new TwoTexts { Id = "t2", Title = "oranges", Body = "apples", Vector = vector },
        ], Ct);

        var searchable = Assert.IsAssignableFrom<IKeywordHybridSearchable<TwoTexts>>(collection);
        await Assert.ThrowsAsync<InvalidOperationException>(() => searchable.HybridSearchAsync(vector, ["apples"], 2, cancellationToken: Ct).ToListAsync(Ct).AsTask());
        List<string> byBody = await searchable.HybridSearchAsync(
            vector, ["apples"], 2, new HybridSearchOptions<TwoTexts> { AdditionalProperty = r => r.Body }, Ct).Select(r => r.Record.Id).ToListAsync(Ct);
        List<string> byTitle = await searchable.HybridSearchAsync(
            vector, ["apples"], 2, new HybridSearchOptions<TwoTexts> { AdditionalProperty = r => r.Title }, Ct).Select(r => r.Record.Id).ToListAsync(Ct);
        Assert.Equal(["t2", "t1"], byBody);
        Assert.Equal(["t1", "t2"], byTitle);
    }

    [Fact]
    public async Task HybridSearchAsync_DynamicCollection_SameOrderAsTyped()
    {
        using EmbeddingStoreClient client = server.CreateClient();
        var definition = new VectorStoreCollectionDefinition
        {
            Properties =
            [
                new VectorStoreKeyProperty("Id", typeof(string)),
                new VectorStoreDataProperty("Body", typeof(string)) { IsFullTextIndexed = true },
                new VectorStoreVectorProperty("Vector", typeof(ReadOnlyMemory<float>), 2)
                {
                    ProviderAnnotations = new Dictionary<string, object?> { ["EmbeddingStore.Version"] = "hy-dyn@v1" },
                },
            ],
        };
        VectorStoreCollection<object, Dictionary<string, object?>> notes = new EmbeddingStoreVectorStore(client).GetDynamicCollection("hy-dyn", definition);
        await notes.EnsureCollectionExistsAsync(Ct);
        await notes.UpsertAsync(
        [
            new() { ["Id"] = "d1", ["Body"] = "wind and rain", ["Vector"] = new ReadOnlyMemory<float>([1, 0]) },
            new() { ["Id"] = "d2", ["Body"] = "solar power", ["Vector"] = new ReadOnlyMemory<float>([0.9f, 0.1f]) },
        ], Ct);

        var searchable = Assert.IsAssignableFrom<IKeywordHybridSearchable<Dictionary<string, object?>>>(notes);

        // d1 leads the vector list, d2 the keyword list: 1/62 + 1/61 beats 1/61.
        List<string> ids = await searchable.HybridSearchAsync(new ReadOnlyMemory<float>([1, 0]), ["Solar"], 2, cancellationToken: Ct)
            .Select(r => (string)r.Record["Id"]!).ToListAsync(Ct);
        Assert.Equal(["d2", "d1"], ids);
    }

    [Fact]
    public async Task HybridSearchAsync_TypedClientBadFusion_ValidationExceptionNamingPath()
    {
        using EmbeddingStoreClient client = server.CreateClient();
        await new EmbeddingStoreVectorStore(client).GetCollection<string, Fruit>("hy-fruit-bad").EnsureCollectionExistsAsync(Ct);
        var request = new HybridSearchRequest
        {
            Vector = [1, 0],
            Version = "hy-text@v1",
            Keywords = new KeywordQueryRequest { Field = "Body", Query = "apples" },
            Fusion = new FusionRequest { KeywordWeight = -2 },
        };
        var refused = await Assert.ThrowsAsync<EmbeddingStoreValidationException>(() => client.HybridSearchAsync("hy-fruit-bad", request, Ct));
        Assert.Equal(ProblemTypes.InvalidArgument, refused.ProblemType);
        Assert.Contains("fusion.keywordWeight", refused.Detail, StringComparison.Ordinal);

        HybridSearchResponse none = await client.HybridSearchAsync("hy-fruit-bad", request with { Fusion = null }, Ct);
        Assert.Empty(none.Hits);
    }
}
