// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Client.Tests.TestSupport;
using EmbeddingStore.Client.VectorData;
using EmbeddingStore.Contracts;
using Microsoft.Extensions.VectorData;

namespace EmbeddingStore.Client.Tests;

// Dictionary records through GetDynamicCollection, against the real server: the definition is the only schema, and
// a typed collection over the same name sees the same items.
public sealed class EmbeddingStoreDynamicCollectionTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public sealed class Note
    {
        [VectorStoreKey]
        public string Id { get; set; } = "";

        [VectorStoreData]
        public string Lang { get; set; } = "";

        [VectorStoreData]
        public int Year { get; set; }

        [VectorStoreData]
        public bool Draft { get; set; }

        [VectorStoreVector(3)]
        [EmbeddingVersion("dyn-text@v1")]
        public ReadOnlyMemory<float>? Text { get; set; }
    }

    private static VectorStoreCollectionDefinition Definition(Type keyType) => new()
    {
        Properties =
        [
            new VectorStoreKeyProperty("Id", keyType),
            new VectorStoreDataProperty("Lang", typeof(string)),
            new VectorStoreDataProperty("Year", typeof(int)),
            new VectorStoreDataProperty("Draft", typeof(bool)),
            new VectorStoreVectorProperty("Text", typeof(ReadOnlyMemory<float>), 3)
            {
                ProviderAnnotations = new Dictionary<string, object?> { ["EmbeddingStore.Version"] = "dyn-text@v1" },
            },
        ],
    };

    [Fact]
    public async Task DynamicCollection_UpsertGetSearchFilterDelete_RoundTripsDictionaries()
    {
        using EmbeddingStoreClient client = server.CreateClient();
        var store = new EmbeddingStoreVectorStore(client);
        VectorStoreCollection<object, Dictionary<string, object?>> notes = store.GetDynamicCollection("dyn-notes", Definition(typeof(string)));
        await notes.EnsureCollectionExistsAsync(Ct);
        await notes.UpsertAsync(
        [
            new() { ["Id"] = "n1", ["Lang"] = "en", ["Year"] = 2024, ["Draft"] = false, ["Text"] = new ReadOnlyMemory<float>([1, 0, 0]) },
            new() { ["Id"] = "n2", ["Lang"] = "de", ["Year"] = 2023, ["Draft"] = true, ["Text"] = new ReadOnlyMemory<float>([0, 1, 0]) },
            new() { ["Id"] = "n3", ["Lang"] = "en", ["Year"] = 2022, ["Draft"] = true, ["Text"] = new ReadOnlyMemory<float>([0, 0, 1]) },
        ], Ct);

        // Stored like a typed record: payload fields by storage name, the vector under its version.
        ItemResponse stored = await client.GetItemAsync("dyn-notes", "n2", withVectors: true, Ct);
        Assert.Equal(2023, stored.Payload!.Value.GetProperty("Year").GetInt32());
        Assert.Equal(["dyn-text@v1"], stored.Vectors!.Keys);

        Dictionary<string, object?> n2 = (await notes.GetAsync("n2", new RecordRetrievalOptions { IncludeVectors = true }, Ct))!;
        Assert.Equal(("n2", "de", 2023, true), ((string)n2["Id"]!, (string)n2["Lang"]!, (int)n2["Year"]!, (bool)n2["Draft"]!));
        Assert.Equal(new float[] { 0, 1, 0 }, ((ReadOnlyMemory<float>)n2["Text"]!).ToArray());

        // Filters read the dictionary indexer, a bare bool included.
        var options = new VectorSearchOptions<Dictionary<string, object?>> { Filter = r => (bool)r["Draft"]! && (int)r["Year"]! < 2024 };
        List<string> drafts = await notes.SearchAsync(new ReadOnlyMemory<float>([0, 0, 1]), 10, options, Ct).Select(h => (string)h.Record["Id"]!).ToListAsync(Ct);
        Assert.Equal(["n3", "n2"], drafts);

        // A name the definition does not declare is a programming error, refused before anything is sent.
        var unknown = new VectorSearchOptions<Dictionary<string, object?>> { Filter = r => (string)r["Missing"]! == "x" };
        await Assert.ThrowsAsync<InvalidOperationException>(() => notes.SearchAsync(new ReadOnlyMemory<float>([1, 0, 0]), 1, unknown, Ct).ToListAsync(Ct).AsTask());

        // The typed view of the same collection sees the dynamic writes.
        VectorStoreCollection<string, Note> typed = store.GetCollection<string, Note>("dyn-notes");
        Assert.Equal(("en", 2024), ((await typed.GetAsync("n1", cancellationToken: Ct))!.Lang, (await typed.GetAsync("n1", cancellationToken: Ct))!.Year));

        await notes.DeleteAsync(["n1", "n3"], Ct);
        Assert.Equal(["n2"], await notes.GetAsync(["n1", "n2", "n3"], cancellationToken: Ct).Select(r => (string)r["Id"]!).ToListAsync(Ct));
    }

    [Fact]
    public async Task DynamicCollection_GuidKey_ReturnsGuidsAndGeneratesEmptyOnes()
    {
        using EmbeddingStoreClient client = server.CreateClient();
        VectorStoreCollection<object, Dictionary<string, object?>> notes =
            new EmbeddingStoreVectorStore(client).GetDynamicCollection("dyn-guid", Definition(typeof(Guid)));
        await notes.EnsureCollectionExistsAsync(Ct);
        var key = new Guid("2b0c3a52-5f7d-4a8e-9c1e-6d4f2a9b8c71");
        var generated = new Dictionary<string, object?> { ["Id"] = Guid.Empty, ["Lang"] = "en", ["Year"] = 1, ["Draft"] = false, ["Text"] = new ReadOnlyMemory<float>([1, 0, 0]) };
        await notes.UpsertAsync(
            [new() { ["Id"] = key, ["Lang"] = "de", ["Year"] = 2, ["Draft"] = false, ["Text"] = new ReadOnlyMemory<float>([0, 1, 0]) }, generated], Ct);

        Dictionary<string, object?> read = (await notes.GetAsync(key, cancellationToken: Ct))!;
        Assert.Equal(key, Assert.IsType<Guid>(read["Id"]));
        Guid newKey = Assert.IsType<Guid>(generated["Id"]);
        Assert.NotEqual(Guid.Empty, newKey);
        Assert.Equal("en", (string)(await notes.GetAsync(newKey, cancellationToken: Ct))!["Lang"]!);
    }

    [Fact]
    public void GetCollection_DictionaryRecord_RefusedPointingToDynamic()
    {
        using EmbeddingStoreClient client = server.CreateClient();
        var store = new EmbeddingStoreVectorStore(client);
        Assert.Throws<NotSupportedException>(() => store.GetCollection<object, Dictionary<string, object?>>("x", Definition(typeof(string))));
        Assert.Throws<NotSupportedException>(() => new EmbeddingStoreCollection<object, Dictionary<string, object?>>(client, "x", new() { Definition = Definition(typeof(string)) }));
        Assert.Throws<ArgumentException>(() => new EmbeddingStoreDynamicCollection(client, "x", new EmbeddingStoreCollectionOptions()));
    }

    [Fact]
    public void GetDynamicCollection_VectorWithoutVersion_RefusedUnlessCollectionScoped()
    {
        using EmbeddingStoreClient client = server.CreateClient();
        var definition = new VectorStoreCollectionDefinition
        {
            Properties = [new VectorStoreKeyProperty("Id", typeof(string)), new VectorStoreVectorProperty("Embedding", typeof(float[]), 8)],
        };
        NotSupportedException ex = Assert.Throws<NotSupportedException>(() => new EmbeddingStoreVectorStore(client).GetDynamicCollection("dyn-scoped", definition));
        Assert.Contains("CollectionScopedVersions", ex.Message, StringComparison.Ordinal);

        var scoped = (EmbeddingStoreCollection<object, Dictionary<string, object?>>)new EmbeddingStoreVectorStore(client, new() { CollectionScopedVersions = true })
            .GetDynamicCollection("dyn-scoped", definition);
        Assert.Equal("dyn-scoped.Embedding@cosine-8", scoped.VectorVersions["Embedding"]);
    }
}
