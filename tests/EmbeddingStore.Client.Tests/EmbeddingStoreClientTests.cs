// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Net;
using EmbeddingStore.Client.Tests.TestSupport;
using EmbeddingStore.Contracts;

namespace EmbeddingStore.Client.Tests;

// The SDK against the real server process over HTTP on 127.0.0.1: every method once, and every problem family as its
// exception type.
public sealed class EmbeddingStoreClientTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task EveryMethod_AgainstRealServer_RoundTrips()
    {
        using EmbeddingStoreClient client = server.CreateClient();
        Assert.Equal("healthy", (await client.GetHealthAsync(Ct)).Status);

        ModelVersionResponse version = await client.RegisterModelVersionAsync("every", "v1", new ModelVersionRequest { Dimension = 3, Metric = "cosine" }, Ct);
        Assert.Equal("every@v1", version.Name);
        Assert.Equal(3, (await client.GetModelVersionAsync("every", "v1", Ct)).Dimension);
        Assert.Contains((await client.ListModelVersionsAsync(Ct)).Versions, v => v.Name == "every@v1");

        Assert.Equal("every@v1", (await client.PutCollectionAsync("every", new CollectionRequest { ServingVersion = "every@v1" }, Ct)).ServingVersion);
        UpsertItemsResponse upserted = await client.UpsertItemsAsync(
            "every",
            new UpsertItemsRequest
            {
                Items =
                [
                    new ItemRequest { Id = "a", Payload = TestData.Json("""{"lang": "en"}"""), Vectors = new() { ["every@v1"] = [1, 0, 0] } },
                    new ItemRequest { Id = "b", Payload = TestData.Json("""{"lang": "fr"}"""), Vectors = new() { ["every@v1"] = [0, 1, 0] } },
                ],
            },
            Ct);
        Assert.Equal(2, upserted.Upserted);
        UpsertItemsResponse keyed = await client.UpsertItemsAsync(
            "every", new UpsertItemsRequest { Items = [new ItemRequest { Id = "c/with slash", Vectors = new() { ["every@v1"] = [0, 0, 1] } }] }, "import-1-batch-0", Ct);
        Assert.Equal(1, keyed.Upserted);

        SearchResponse search = await client.SearchAsync("every", new SearchRequest { Vector = [0.9f, 0.1f, 0], K = 2 }, Ct);
        Assert.Equal(["a", "b"], search.Hits.Select(h => h.Id));
        Assert.Equal("en", search.Hits[0].Payload!.Value.GetProperty("lang").GetString());

        BatchSearchResponse batch = await client.SearchBatchAsync("every", new BatchSearchRequest { Vectors = [[0.9f, 0.1f, 0], [0, 0.1f, 0.9f]], K = 1, Index = "int8" }, Ct);
        Assert.Equal(["a", "c/with slash"], batch.Results.Select(r => r.Hits.Single().Id));

        ItemResponse slashed = await client.GetItemAsync("every", "c/with slash", withVectors: true, Ct);
        Assert.Equal(new float[] { 0, 0, 1 }, slashed.Vectors!["every@v1"]);
        ScrollResponse page = await client.ScrollAsync("every", limit: 2, cancellationToken: Ct);
        Assert.Equal(2, page.Items.Count);
        ScrollResponse rest = await client.ScrollAsync("every", limit: 2, cursor: page.NextCursor, cancellationToken: Ct);
        Assert.Single(rest.Items);
        Assert.Null(rest.NextCursor);

        var filter = new FilterRequest { Must = [new FieldConditionRequest { Key = "lang", Match = TestData.Json("\"fr\"") }] };
        Assert.Equal(1, (await client.CountAsync("every", new CountRequest { Filter = filter }, Ct)).Count);
        Assert.Equal(3, (await client.CountAsync("every", cancellationToken: Ct)).Count);
        Assert.Equal(1, (await client.DeleteItemsAsync("every", new DeleteItemsRequest { Ids = ["a", "zzz"] }, Ct)).Deleted);
        Assert.Equal(1, (await client.DeleteItemsAsync("every", new DeleteItemsRequest { Ids = ["b"] }, "delete-b", Ct)).Deleted);
        Assert.Equal(1, (await client.GetCollectionAsync("every", Ct)).ItemCount);
        Assert.Contains((await client.ListCollectionsAsync(Ct)).Collections, c => c.Name == "every");

        await client.RegisterModelVersionAsync("every", "v2", new ModelVersionRequest { Dimension = 3, Metric = "cosine" }, Ct);
        LinkResponse link = await client.CreateLinkAsync(new LinkRequest { From = "every@v2", To = "every@v1", Kind = "identity" }, Ct);
        Assert.Equal("identity", link.Kind);
        Assert.Equal(link.Id, (await client.GetLinkAsync(link.Id, Ct)).Id);
        Assert.Contains((await client.ListLinksAsync(Ct)).Links, l => l.Id == link.Id);
        SearchResponse bridged = await client.SearchAsync("every", new SearchRequest { Vector = [0, 0, 1], Version = "every@v2", K = 1 }, Ct);
        Assert.Equal(link.Id, bridged.Hits.Single().Via);
        await client.DeleteLinkAsync(link.Id, Ct);
        LinkResponse keyedLink = await client.CreateLinkAsync(new LinkRequest { From = "every@v2", To = "every@v1", Kind = "identity" }, "link-v2-v1", Ct);
        await client.DeleteLinkAsync(keyedLink.Id, Ct);
        Assert.DoesNotContain((await client.ListLinksAsync(Ct)).Links, l => l.Id == link.Id || l.Id == keyedLink.Id);

        await client.DeleteCollectionAsync("every", Ct);
        Assert.DoesNotContain((await client.ListCollectionsAsync(Ct)).Collections, c => c.Name == "every");
    }

    [Fact]
    public async Task Search_VersionMismatch_ThrowsIncompatibleVersionsNamingBoth()
    {
        using EmbeddingStoreClient client = server.CreateClient();
        await client.RegisterModelVersionAsync("mismatch", "v1", new ModelVersionRequest { Dimension = 2, Metric = "dot" }, Ct);
        await client.RegisterModelVersionAsync("mismatch", "v2", new ModelVersionRequest { Dimension = 2, Metric = "dot" }, Ct);
        await client.PutCollectionAsync("mismatch", new CollectionRequest { ServingVersion = "mismatch@v1" }, Ct);
        await client.UpsertItemsAsync("mismatch", new UpsertItemsRequest { Items = [new ItemRequest { Id = "a", Vectors = new() { ["mismatch@v1"] = [1, 2] } }] }, Ct);

        IncompatibleVersionsException ex = await Assert.ThrowsAsync<IncompatibleVersionsException>(
            () => client.SearchAsync("mismatch", new SearchRequest { Vector = [1, 2], Version = "mismatch@v2" }, Ct));
        Assert.Equal(HttpStatusCode.Conflict, ex.Status);
        Assert.Equal(ProblemTypes.IncompatibleVersions, ex.ProblemType);
        Assert.True(ex.IsVersionMismatch);
        Assert.False(ex.IsTransient);
        Assert.Equal("mismatch@v2", ex.QueryVersion);
        Assert.Equal(["mismatch@v1"], ex.StoredVersions);
    }

    [Fact]
    public async Task Problems_EachFamily_BecomeTheirExceptionType()
    {
        using EmbeddingStoreClient client = server.CreateClient();
        await client.RegisterModelVersionAsync("problems", "v1", new ModelVersionRequest { Dimension = 2, Metric = "dot" }, Ct);
        await client.PutCollectionAsync("problems", new CollectionRequest { ServingVersion = "problems@v1" }, Ct);
        await client.UpsertItemsAsync("problems", new UpsertItemsRequest { Items = [new ItemRequest { Id = "a", Vectors = new() { ["problems@v1"] = [1, 2] } }] }, Ct);

        EmbeddingStoreValidationException dimension = await Assert.ThrowsAsync<EmbeddingStoreValidationException>(
            () => client.SearchAsync("problems", new SearchRequest { Vector = [1, 2, 3] }, Ct));
        Assert.Equal(ProblemTypes.DimensionMismatch, dimension.ProblemType);
        Assert.Contains("3 dimensions", dimension.Detail, StringComparison.Ordinal);
        Assert.False(dimension.IsVersionMismatch);

        EmbeddingStoreValidationException duplicate = await Assert.ThrowsAsync<EmbeddingStoreValidationException>(() => client.UpsertItemsAsync(
            "problems",
            new UpsertItemsRequest { Items = [new ItemRequest { Id = "d", Vectors = new() { ["problems@v1"] = [1, 2] } }, new ItemRequest { Id = "d", Vectors = new() { ["problems@v1"] = [1, 2] } }] },
            Ct));
        Assert.Equal(ProblemTypes.DuplicateId, duplicate.ProblemType);

        EmbeddingStoreNotFoundException collection = await Assert.ThrowsAsync<EmbeddingStoreNotFoundException>(() => client.GetCollectionAsync("nope", Ct));
        Assert.Equal(HttpStatusCode.NotFound, collection.Status);
        Assert.Equal(ProblemTypes.CollectionNotFound, collection.ProblemType);
        Assert.Equal(ProblemTypes.ItemNotFound, (await Assert.ThrowsAsync<EmbeddingStoreNotFoundException>(() => client.GetItemAsync("problems", "zzz", cancellationToken: Ct))).ProblemType);
        Assert.Equal(ProblemTypes.LinkNotFound, (await Assert.ThrowsAsync<EmbeddingStoreNotFoundException>(() => client.GetLinkAsync("nope", Ct))).ProblemType);
        Assert.Equal(ProblemTypes.ModelVersionNotFound, (await Assert.ThrowsAsync<EmbeddingStoreNotFoundException>(() => client.GetModelVersionAsync("problems", "v9", Ct))).ProblemType);

        EmbeddingStoreConflictException conflict = await Assert.ThrowsAsync<EmbeddingStoreConflictException>(
            () => client.RegisterModelVersionAsync("problems", "v1", new ModelVersionRequest { Dimension = 4, Metric = "dot" }, Ct));
        Assert.Equal(ProblemTypes.VersionConflict, conflict.ProblemType);
    }

    [Fact]
    public async Task Methods_BadArguments_ThrowBeforeSending()
    {
        var faults = new FaultInjectingHandler(0, null);
        using EmbeddingStoreClient client = server.CreateClient(faults);
        await Assert.ThrowsAsync<ArgumentException>(() => client.GetCollectionAsync("", Ct));
        await Assert.ThrowsAsync<ArgumentNullException>(() => client.GetItemAsync("c", null!, cancellationToken: Ct));
        await Assert.ThrowsAsync<ArgumentNullException>(() => client.SearchAsync("c", null!, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => client.UpsertItemsAsync("c", new UpsertItemsRequest { Items = [] }, " ", Ct));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => client.ScrollAsync("c", limit: 0, cancellationToken: Ct));
        Assert.Empty(faults.Requests);
        Assert.Throws<ArgumentException>(() => new EmbeddingStoreClient(new EmbeddingStoreClientOptions()));
        Assert.Throws<ArgumentException>(() => new EmbeddingStoreClient(new EmbeddingStoreClientOptions { BaseAddress = new Uri("http://x/"), MaxRetries = 11 }));
    }
}
