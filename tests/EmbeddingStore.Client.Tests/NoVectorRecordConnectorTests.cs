// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Net;
using EmbeddingStore.Client.Tests.TestSupport;
using EmbeddingStore.Client.VectorData;
using EmbeddingStore.Contracts;
using Microsoft.Extensions.VectorData;

namespace EmbeddingStore.Client.Tests;

// A record type with no vector property (items waiting to be embedded) against the real server: the connector makes a
// collection with no serving version, and upsert, get by key and filter, and delete work; a plain vector search is the
// server's 400 until a serving version is set.
public sealed class NoVectorRecordConnectorTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public sealed class Note
    {
        [VectorStoreKey]
        public string Id { get; set; } = "";

        [VectorStoreData]
        public string Lang { get; set; } = "";

        [VectorStoreData(StorageName = "text")]
        public string? Text { get; set; }
    }

    [Fact]
    public async Task EnsureCollectionExists_RecordWithoutVectors_CollectionWithoutServingVersionAndCrudWorks()
    {
        using EmbeddingStoreClient client = server.CreateClient();
        VectorStoreCollection<string, Note> notes = new EmbeddingStoreVectorStore(client).GetCollection<string, Note>("nv-notes");
        await notes.EnsureCollectionExistsAsync(Ct);
        await notes.EnsureCollectionExistsAsync(Ct);

        CollectionResponse info = await client.GetCollectionAsync("nv-notes", Ct);
        Assert.Null(info.ServingVersion);
        Assert.True(await notes.CollectionExistsAsync(Ct));

        await notes.UpsertAsync(
            [
                new Note { Id = "n1", Lang = "en", Text = "first" },
                new Note { Id = "n2", Lang = "de", Text = "zweite" },
                new Note { Id = "n3", Lang = "en", Text = "third" },
            ],
            Ct);

        Assert.Equal(("en", "first"), ((await notes.GetAsync("n1", cancellationToken: Ct))!.Lang, (await notes.GetAsync("n1", cancellationToken: Ct))!.Text));
        Assert.Equal(["n1", "n3"], await notes.GetAsync(["n1", "n3", "nope"], cancellationToken: Ct).Select(n => n.Id).ToListAsync(Ct));
        Assert.Equal(["n1", "n3"], await notes.GetAsync(n => n.Lang == "en", 10, cancellationToken: Ct).Select(n => n.Id).Order(StringComparer.Ordinal).ToListAsync(Ct));
        Assert.Empty((await client.GetItemAsync("nv-notes", "n2", withVectors: true, Ct)).Vectors ?? new Dictionary<string, float[]>());

        await notes.DeleteAsync("n1", Ct);
        Assert.Null(await notes.GetAsync("n1", cancellationToken: Ct));
        Assert.Equal(2, (await client.GetCollectionAsync("nv-notes", Ct)).ItemCount);

        // The collection has no version to search by default; naming one is how a client searches it.
        var refused = await Assert.ThrowsAnyAsync<EmbeddingStoreException>(
            () => client.SearchAsync("nv-notes", new SearchRequest { Vector = [1, 0], K = 3 }, Ct));
        Assert.Equal((HttpStatusCode.BadRequest, ProblemTypes.InvalidArgument), (refused.Status, refused.ProblemType));
        Assert.Contains("no serving version", refused.Detail, StringComparison.Ordinal);

        await notes.EnsureCollectionDeletedAsync(Ct);
        Assert.False(await notes.CollectionExistsAsync(Ct));
    }

    [Fact]
    public async Task PutCollection_ServingVersionSetLater_PlainSearchFindsEmbeddedItems()
    {
        using EmbeddingStoreClient client = server.CreateClient();
        VectorStoreCollection<string, Note> notes = new EmbeddingStoreVectorStore(client).GetCollection<string, Note>("nv-later");
        await notes.EnsureCollectionExistsAsync(Ct);
        await notes.UpsertAsync([new Note { Id = "n1", Lang = "en" }, new Note { Id = "n2", Lang = "en" }], Ct);
        await client.RegisterModelVersionAsync("nv-text", "v1", new ModelVersionRequest { Dimension = 2, Metric = "cosine" }, Ct);

        // The migration's embedding step: one item gains a vector; then the collection is given its serving version.
        await client.UpsertItemsAsync(
            "nv-later",
            new UpsertItemsRequest { Items = [new ItemRequest { Id = "n2", Vectors = new Dictionary<string, float[]> { ["nv-text@v1"] = [0, 1] } }] },
            Ct);
        CollectionResponse served = await client.PutCollectionAsync("nv-later", new CollectionRequest { ServingVersion = "nv-text@v1" }, Ct);

        SearchResponse found = await client.SearchAsync("nv-later", new SearchRequest { Vector = [0, 1], K = 3 }, Ct);
        Assert.Equal("nv-text@v1", served.ServingVersion);
        Assert.Equal(["n2"], found.Hits.Select(h => h.Id));
        Assert.Equal(2, (await client.GetCollectionAsync("nv-later", Ct)).ItemCount);
    }
}
