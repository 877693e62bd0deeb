// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Net;
using System.Text.Json;
using EmbeddingStore.Contracts;
using EmbeddingStore.Tests.Shared;

namespace EmbeddingStore.Client.Tests;

// The SDK against the real server process over HTTP on 127.0.0.1.
public sealed class EmbeddingStoreClientTests : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "es-client-tests", Guid.NewGuid().ToString("N"));
    private ServerProcess _server = null!;
    private HttpClient _http = null!;
    private EmbeddingStoreClient _client = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _server = await ServerProcess.StartAsync(Path.Combine(_directory, "store.db"), TestContext.Current.CancellationToken);
        _http = _server.CreateClient();
        _client = new EmbeddingStoreClient(_http);
    }

    public ValueTask DisposeAsync()
    {
        _http.Dispose();
        _server.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }

        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task EveryMethod_AgainstRealServer_RoundTrips()
    {
        Assert.Equal("healthy", (await _client.GetHealthAsync(Ct)).Status);

        ModelVersionResponse version = await _client.RegisterModelVersionAsync("text", "v1", new ModelVersionRequest { Dimension = 3, Metric = "cosine" }, Ct);
        Assert.Equal("text@v1", version.Name);
        Assert.Equal(3, (await _client.GetModelVersionAsync("text", "v1", Ct)).Dimension);
        Assert.Single((await _client.ListModelVersionsAsync(Ct)).Versions);

        Assert.Equal("text@v1", (await _client.PutCollectionAsync("docs", new CollectionRequest { ServingVersion = "text@v1" }, Ct)).ServingVersion);
        UpsertItemsResponse upserted = await _client.UpsertItemsAsync(
            "docs",
            new UpsertItemsRequest
            {
                Items =
                [
                    new ItemRequest { Id = "a", Payload = JsonDocument.Parse("""{"lang": "en"}""").RootElement, Vectors = new() { ["text@v1"] = [1, 0, 0] } },
                    new ItemRequest { Id = "b", Payload = JsonDocument.Parse("""{"lang": "fr"}""").RootElement, Vectors = new() { ["text@v1"] = [0, 1, 0] } },
                    new ItemRequest { Id = "c/with slash", Vectors = new() { ["text@v1"] = [0, 0, 1] } },
                ],
            },
            Ct);
        Assert.Equal(3, upserted.Upserted);

        SearchResponse search = await _client.SearchAsync("docs", new SearchRequest { Vector = [0.9f, 0.1f, 0], K = 2 }, Ct);
        Assert.Equal(["a", "b"], search.Hits.Select(h => h.Id));
        Assert.Equal("en", search.Hits[0].Payload!.Value.GetProperty("lang").GetString());

        BatchSearchResponse batch = await _client.SearchBatchAsync("docs", new BatchSearchRequest { Vectors = [[0.9f, 0.1f, 0], [0, 0.1f, 0.9f]], K = 1, Index = "int8" }, Ct);
        Assert.Equal(["a", "c/with slash"], batch.Results.Select(r => r.Hits.Single().Id));

        Assert.Equal("c/with slash", (await _client.GetItemAsync("docs", "c/with slash", withVectors: true, Ct)).Id);
        ScrollResponse page = await _client.ScrollAsync("docs", limit: 2, cancellationToken: Ct);
        Assert.Equal(2, page.Items.Count);
        ScrollResponse rest = await _client.ScrollAsync("docs", limit: 2, cursor: page.NextCursor, cancellationToken: Ct);
        Assert.Single(rest.Items);
        Assert.Null(rest.NextCursor);

        var filter = new FilterRequest { Must = [new FieldConditionRequest { Key = "lang", Match = JsonDocument.Parse("\"fr\"").RootElement }] };
        Assert.Equal(1, (await _client.CountAsync("docs", new CountRequest { Filter = filter }, Ct)).Count);
        Assert.Equal(1, (await _client.DeleteItemsAsync("docs", new DeleteItemsRequest { Ids = ["a", "zzz"] }, Ct)).Deleted);
        Assert.Equal(2, (await _client.GetCollectionAsync("docs", Ct)).ItemCount);
        Assert.Single((await _client.ListCollectionsAsync(Ct)).Collections);
        await _client.DeleteCollectionAsync("docs", Ct);
        Assert.Empty((await _client.ListCollectionsAsync(Ct)).Collections);
    }

    [Fact]
    public async Task Search_VersionMismatch_ThrowsWithProblemTypeAndBothVersions()
    {
        await _client.RegisterModelVersionAsync("text", "v1", new ModelVersionRequest { Dimension = 2, Metric = "dot" }, Ct);
        await _client.RegisterModelVersionAsync("text", "v2", new ModelVersionRequest { Dimension = 2, Metric = "dot" }, Ct);
        await _client.PutCollectionAsync("docs", new CollectionRequest { ServingVersion = "text@v1" }, Ct);
        await _client.UpsertItemsAsync("docs", new UpsertItemsRequest { Items = [new ItemRequest { Id = "a", Vectors = new() { ["text@v1"] = [1, 2] } }] }, Ct);

        EmbeddingStoreException ex = await Assert.ThrowsAsync<EmbeddingStoreException>(
            () => _client.SearchAsync("docs", new SearchRequest { Vector = [1, 2], Version = "text@v2" }, Ct));
        Assert.Equal(HttpStatusCode.Conflict, ex.Status);
        Assert.Equal(ProblemTypes.IncompatibleVersions, ex.ProblemType);
        Assert.Equal(["text@v2", "text@v1"], ex.Versions);

        EmbeddingStoreException dimension = await Assert.ThrowsAsync<EmbeddingStoreException>(
            () => _client.SearchAsync("docs", new SearchRequest { Vector = [1, 2, 3] }, Ct));
        Assert.Equal(ProblemTypes.DimensionMismatch, dimension.ProblemType);
        Assert.Contains("3 dimensions", dimension.Detail, StringComparison.Ordinal);

        EmbeddingStoreException missing = await Assert.ThrowsAsync<EmbeddingStoreException>(() => _client.GetCollectionAsync("nope", Ct));
        Assert.Equal(HttpStatusCode.NotFound, missing.Status);
        Assert.Equal(ProblemTypes.CollectionNotFound, missing.ProblemType);
    }
}
