// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Client.Tests.TestSupport;
using EmbeddingStore.Client.VectorData;
using EmbeddingStore.Contracts;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.VectorData;

namespace EmbeddingStore.Client.Tests;

// A conformance-style suite for the Microsoft.Extensions.VectorData connector against the real server: collection
// lifecycle, upsert/get/delete, search with filters, and one vector property per model version.
public sealed class VectorStoreConnectorTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public sealed class Doc
    {
        [VectorStoreKey]
        public string Id { get; set; } = "";

        [VectorStoreData]
        public string Lang { get; set; } = "";

        [VectorStoreData(StorageName = "title")]
        public string? Title { get; set; }

        [VectorStoreData]
        public int Year { get; set; }

        [VectorStoreData]
        public string[] Tags { get; set; } = [];

        [VectorStoreVector(4)]
        [EmbeddingVersion("vd-text@v1")]
        public ReadOnlyMemory<float>? Text { get; set; }

        [VectorStoreVector(3, DistanceFunction = DistanceFunction.DotProductSimilarity, StorageName = "vd-text@v2")]
        public float[]? TextV2 { get; set; }
    }

    // The same collection seen by a client that embeds with a version nothing in it can be compared with.
    public sealed class DocV3
    {
        [VectorStoreKey]
        public string Id { get; set; } = "";

        [VectorStoreVector(4)]
        [EmbeddingVersion("vd-text@v3")]
        public ReadOnlyMemory<float> Text { get; set; }
    }

    public sealed class Unversioned
    {
        [VectorStoreKey]
        public string Id { get; set; } = "";

        [VectorStoreVector(4)]
        public ReadOnlyMemory<float> Text { get; set; }
    }

    // No attributes: mapped through a VectorStoreCollectionDefinition instead.
    public sealed class PlainDoc
    {
        public string Key { get; set; } = "";

        public string Lang { get; set; } = "";

        public ReadOnlyMemory<float>? Vector { get; set; }
    }

    // Embeds "a" as (1,0,0,0) and anything else as (0,1,0,0): enough to prove the string reaches the generator.
    private sealed class TwoWordGenerator : IEmbeddingGenerator<string, Embedding<float>>
    {
        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default) =>
            Task.FromResult(new GeneratedEmbeddings<Embedding<float>>(values.Select(v => new Embedding<float>(v == "a" ? new float[] { 1, 0, 0, 0 } : [0, 1, 0, 0]))));

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }

    private static Doc[] Docs() =>
    [
        new() { Id = "d1", Lang = "en", Title = "cats", Year = 2024, Tags = ["pets", "animals"], Text = new float[] { 1, 0, 0, 0 }, TextV2 = [1, 0, 0] },
        new() { Id = "d2", Lang = "de", Title = "Katzen", Year = 2024, Tags = ["pets"], Text = new float[] { 0.8f, 0.6f, 0, 0 }, TextV2 = [0.9f, 0.1f, 0] },
        new() { Id = "d3", Lang = "en", Title = "cars", Year = 2023, Tags = ["machines"], Text = new float[] { 0, 0, 1, 0 }, TextV2 = [0, 0, 1] },
        new() { Id = "d4", Lang = "en", Title = "v1 only", Year = 2024, Tags = [], Text = new float[] { 0.6f, 0.8f, 0, 0 } },
    ];

    private async Task<(EmbeddingStoreClient Client, VectorStoreCollection<string, Doc> Collection)> CreateAsync(string name, bool seed = true)
    {
        EmbeddingStoreClient client = server.CreateClient();
        var store = new EmbeddingStoreVectorStore(client);
        VectorStoreCollection<string, Doc> collection = store.GetCollection<string, Doc>(name);
        await collection.EnsureCollectionExistsAsync(Ct);
        if (seed)
        {
            await collection.UpsertAsync(Docs(), Ct);
        }

        return (client, collection);
    }

    [Fact]
    public async Task EnsureCollectionExists_NewCollection_RegistersVersionsAndServesFirstVectorProperty()
    {
        (EmbeddingStoreClient client, VectorStoreCollection<string, Doc> collection) = await CreateAsync("vd-create", seed: false);
        using (client)
        {
            Assert.True(await collection.CollectionExistsAsync(Ct));
            await collection.EnsureCollectionExistsAsync(Ct);
            Assert.Equal("vd-text@v1", (await client.GetCollectionAsync("vd-create", Ct)).ServingVersion);
            ModelVersionResponse v2 = await client.GetModelVersionAsync("vd-text", "v2", Ct);
            Assert.Equal((3, "dot"), (v2.Dimension, v2.Metric));
            Assert.Equal("cosine", (await client.GetModelVersionAsync("vd-text", "v1", Ct)).Metric);

            var store = new EmbeddingStoreVectorStore(client);
            Assert.Contains("vd-create", await store.ListCollectionNamesAsync(Ct).ToListAsync(Ct));
            Assert.True(await store.CollectionExistsAsync("vd-create", Ct));
            await store.EnsureCollectionDeletedAsync("vd-create", Ct);
            Assert.False(await collection.CollectionExistsAsync(Ct));
            await collection.EnsureCollectionDeletedAsync(Ct);
        }
    }

    [Fact]
    public async Task Upsert_Record_StoresEachVectorPropertyUnderItsVersion()
    {
        (EmbeddingStoreClient client, _) = await CreateAsync("vd-upsert");
        using (client)
        {
            ItemResponse d1 = await client.GetItemAsync("vd-upsert", "d1", withVectors: true, Ct);
            Assert.Equal(["vd-text@v1", "vd-text@v2"], d1.Vectors!.Keys.Order());
            Assert.Equal(new float[] { 1, 0, 0 }, d1.Vectors["vd-text@v2"]);
            Assert.Equal("cats", d1.Payload!.Value.GetProperty("title").GetString());
            Assert.Equal(2024, d1.Payload.Value.GetProperty("Year").GetInt32());
            Assert.Equal(["vd-text@v1"], (await client.GetItemAsync("vd-upsert", "d4", withVectors: true, Ct)).Vectors!.Keys);
            CollectionResponse info = await client.GetCollectionAsync("vd-upsert", Ct);
            Assert.Equal(4, info.VectorCounts["vd-text@v1"]);
            Assert.Equal(3, info.VectorCounts["vd-text@v2"]);
        }
    }

    [Fact]
    public async Task Get_ByKey_RoundTripsDataAndVectorsAndMissingIsNull()
    {
        (EmbeddingStoreClient client, VectorStoreCollection<string, Doc> collection) = await CreateAsync("vd-get");
        using (client)
        {
            Doc? d2 = await collection.GetAsync("d2", new RecordRetrievalOptions { IncludeVectors = true }, Ct);
            Assert.NotNull(d2);
            Assert.Equal(("de", "Katzen", 2024), (d2.Lang, d2.Title, d2.Year));
            Assert.Equal(["pets"], d2.Tags);
            Assert.Equal(new float[] { 0.8f, 0.6f, 0, 0 }, d2.Text!.Value.ToArray());
            Assert.Equal(new float[] { 0.9f, 0.1f, 0 }, d2.TextV2);

            Doc? withoutVectors = await collection.GetAsync("d2", cancellationToken: Ct);
            Assert.Null(withoutVectors!.Text);
            Assert.Null(await collection.GetAsync("nope", cancellationToken: Ct));
            Assert.Equal(["d1", "d3"], await collection.GetAsync(["d1", "nope", "d3"], cancellationToken: Ct).Select(d => d.Id).ToListAsync(Ct));
        }
    }

    [Fact]
    public async Task Delete_OneAndMany_RemovesThemAndIgnoresUnknownKeys()
    {
        (EmbeddingStoreClient client, VectorStoreCollection<string, Doc> collection) = await CreateAsync("vd-delete");
        using (client)
        {
            await collection.DeleteAsync("d1", Ct);
            await collection.DeleteAsync(["d2", "d3", "never"], Ct);
            Assert.Null(await collection.GetAsync("d1", cancellationToken: Ct));
            Assert.Equal(1, (await client.GetCollectionAsync("vd-delete", Ct)).ItemCount);
        }
    }

    [Fact]
    public async Task Search_DefaultVectorProperty_UsesFirstVersionAndScoresAsSimilarity()
    {
        (EmbeddingStoreClient client, VectorStoreCollection<string, Doc> collection) = await CreateAsync("vd-search");
        using (client)
        {
            List<VectorSearchResult<Doc>> hits = await collection.SearchAsync(new ReadOnlyMemory<float>([1, 0, 0, 0]), 3, cancellationToken: Ct).ToListAsync(Ct);
            Assert.Equal(["d1", "d2", "d4"], hits.Select(h => h.Record.Id));
            Assert.Equal(1.0, hits[0].Score!.Value, 5);
            Assert.Equal("cats", hits[0].Record.Title);

            List<VectorSearchResult<Doc>> skipped = await collection.SearchAsync(
                new float[] { 1, 0, 0, 0 }, 2, new VectorSearchOptions<Doc> { Skip = 1, ScoreThreshold = 0.7 }, Ct).ToListAsync(Ct);
            Assert.Equal(["d2"], skipped.Select(h => h.Record.Id));
        }
    }

    [Fact]
    public async Task Search_SecondVectorProperty_QueriesWithItsOwnVersion()
    {
        (EmbeddingStoreClient client, VectorStoreCollection<string, Doc> collection) = await CreateAsync("vd-search-v2");
        using (client)
        {
            var options = new VectorSearchOptions<Doc> { VectorProperty = d => d.TextV2, IncludeVectors = true };
            List<VectorSearchResult<Doc>> hits = await collection.SearchAsync(new float[] { 0, 0, 2 }, 10, options, Ct).ToListAsync(Ct);

            // d4 holds no v2 vector and no link bridges v2 to v1, so only the three v2 items are candidates.
            Assert.Equal(["d3", "d1", "d2"], hits.Select(h => h.Record.Id));
            Assert.Equal(2.0, hits[0].Score!.Value, 5);
            Assert.Equal(new float[] { 0, 0, 1 }, hits[0].Record.TextV2);
            await Assert.ThrowsAsync<ArgumentException>(() => collection.SearchAsync(new float[] { 1, 0, 0, 0 }, 1, options, Ct).ToListAsync(Ct).AsTask());
        }
    }

    [Fact]
    public async Task Search_WithEqualityAndContainsFilter_MapsToServerFilter()
    {
        (EmbeddingStoreClient client, VectorStoreCollection<string, Doc> collection) = await CreateAsync("vd-filter");
        using (client)
        {
            string lang = "en";
            var options = new VectorSearchOptions<Doc> { Filter = d => d.Lang == lang && d.Year == 2024 };
            List<VectorSearchResult<Doc>> hits = await collection.SearchAsync(new float[] { 1, 0, 0, 0 }, 10, options, Ct).ToListAsync(Ct);
            Assert.Equal(["d1", "d4"], hits.Select(h => h.Record.Id));

            var tagged = new VectorSearchOptions<Doc> { Filter = d => d.Tags.Contains("pets") };
            Assert.Equal(["d1", "d2"], await collection.SearchAsync(new float[] { 1, 0, 0, 0 }, 10, tagged, Ct).Select(h => h.Record.Id).ToListAsync(Ct));

            var unsupported = new VectorSearchOptions<Doc> { Filter = d => d.Lang == "en" || d.Title!.EndsWith('s') };
            NotSupportedException ex = await Assert.ThrowsAsync<NotSupportedException>(
                () => collection.SearchAsync(new float[] { 1, 0, 0, 0 }, 10, unsupported, Ct).ToListAsync(Ct).AsTask());
            Assert.Contains("EndsWith", ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task GetWithFilter_ClientSideScan_FiltersOrdersAndPages()
    {
        (EmbeddingStoreClient client, VectorStoreCollection<string, Doc> collection) = await CreateAsync("vd-scan");
        using (client)
        {
            var options = new FilteredRecordRetrievalOptions<Doc> { OrderBy = o => o.Descending(d => d.Title!), Skip = 1 };
            List<Doc> docs = await collection.GetAsync(d => d.Lang == "en", 5, options, Ct).ToListAsync(Ct);
            Assert.Equal(["cats", "cars"], docs.Select(d => d.Title));
        }
    }

    [Fact]
    public async Task Search_QueryVersionNotComparable_ThrowsWithIncompatibleVersionsInside()
    {
        (EmbeddingStoreClient client, _) = await CreateAsync("vd-mismatch");
        using (client)
        {
            await client.RegisterModelVersionAsync("vd-text", "v3", new ModelVersionRequest { Dimension = 4, Metric = "cosine" }, Ct);
            VectorStoreCollection<string, DocV3> v3 = new EmbeddingStoreVectorStore(client).GetCollection<string, DocV3>("vd-mismatch");

            VectorStoreException ex = await Assert.ThrowsAsync<VectorStoreException>(
                () => v3.SearchAsync(new float[] { 1, 0, 0, 0 }, 1, cancellationToken: Ct).ToListAsync(Ct).AsTask());
            IncompatibleVersionsException inner = Assert.IsType<IncompatibleVersionsException>(ex.InnerException);
            Assert.Equal("vd-text@v3", inner.QueryVersion);
            Assert.Equal("vd-mismatch", ex.CollectionName);
        }
    }

    [Fact]
    public void GetCollection_VectorWithoutVersion_ThrowsNamingTheConvention()
    {
        using EmbeddingStoreClient client = server.CreateClient();
        NotSupportedException ex = Assert.Throws<NotSupportedException>(() => new EmbeddingStoreVectorStore(client).GetCollection<string, Unversioned>("x"));
        Assert.Contains("EmbeddingVersion", ex.Message, StringComparison.Ordinal);
        Assert.Throws<NotSupportedException>(() => new EmbeddingStoreVectorStore(client).GetCollection<Guid, Doc>("x"));
    }

    [Fact]
    public async Task Upsert_RecordWithoutKeyOrVectors_ThrowsBeforeSending()
    {
        (EmbeddingStoreClient client, VectorStoreCollection<string, Doc> collection) = await CreateAsync("vd-bad", seed: false);
        using (client)
        {
            await Assert.ThrowsAsync<ArgumentException>(() => collection.UpsertAsync(new Doc { Text = new float[] { 1, 0, 0, 0 } }, Ct));
            await Assert.ThrowsAsync<ArgumentException>(() => collection.UpsertAsync(new Doc { Id = "x" }, Ct));
            Assert.Equal(0, (await client.GetCollectionAsync("vd-bad", Ct)).ItemCount);
        }
    }

    [Fact]
    public async Task Search_StringWithEmbeddingGenerator_EmbedsThenSearches()
    {
        (EmbeddingStoreClient client, _) = await CreateAsync("vd-generator");
        using (client)
        {
            var collection = new EmbeddingStoreCollection<string, Doc>(client, "vd-generator", new EmbeddingStoreCollectionOptions { EmbeddingGenerator = new TwoWordGenerator() });
            Assert.Equal("d1", (await collection.SearchAsync("a", 1, cancellationToken: Ct).SingleAsync(Ct)).Record.Id);
            Assert.Equal("d4", (await collection.SearchAsync("b", 1, cancellationToken: Ct).SingleAsync(Ct)).Record.Id);
            await Assert.ThrowsAsync<NotSupportedException>(() => collection.SearchAsync(42, 1, cancellationToken: Ct).ToListAsync(Ct).AsTask());
        }
    }

    [Fact]
    public async Task Definition_WithoutAttributes_MapsByStorageNameVersion()
    {
        using EmbeddingStoreClient client = server.CreateClient();
        var definition = new VectorStoreCollectionDefinition
        {
            Properties =
            [
                new VectorStoreKeyProperty(nameof(PlainDoc.Key), typeof(string)),
                new VectorStoreDataProperty(nameof(PlainDoc.Lang), typeof(string)) { StorageName = "lang" },
                new VectorStoreVectorProperty(nameof(PlainDoc.Vector), typeof(ReadOnlyMemory<float>?), 4) { StorageName = "vd-text@v1" },
            ],
        };
        VectorStoreCollection<string, PlainDoc> collection = new EmbeddingStoreVectorStore(client).GetCollection<string, PlainDoc>("vd-definition", definition);
        await collection.EnsureCollectionExistsAsync(Ct);
        await collection.UpsertAsync(new PlainDoc { Key = "p1", Lang = "en", Vector = new float[] { 0, 0, 0, 1 } }, Ct);

        ItemResponse stored = await client.GetItemAsync("vd-definition", "p1", withVectors: true, Ct);
        Assert.Equal("en", stored.Payload!.Value.GetProperty("lang").GetString());
        Assert.Equal(["vd-text@v1"], stored.Vectors!.Keys);
        PlainDoc hit = (await collection.SearchAsync(new float[] { 0, 0, 0, 1 }, 1, new() { Filter = d => d.Lang == "en" }, Ct).SingleAsync(Ct)).Record;
        Assert.Equal(("p1", "en"), (hit.Key, hit.Lang));
    }

    [Fact]
    public async Task AddEmbeddingStoreVectorStore_ResolvesVectorStoreOverTheClient()
    {
        var services = new ServiceCollection();
        services.AddEmbeddingStoreClient(o => o.BaseAddress = server.Address);
        services.AddEmbeddingStoreVectorStore();
        await using ServiceProvider provider = services.BuildServiceProvider();
        VectorStore store = provider.GetRequiredService<VectorStore>();
        Assert.IsType<EmbeddingStoreVectorStore>(store);
        Assert.Equal("embeddingstore", ((VectorStoreMetadata)store.GetService(typeof(VectorStoreMetadata))!).VectorStoreSystemName);
        Assert.False(await store.CollectionExistsAsync("vd-never", Ct));
    }
}
