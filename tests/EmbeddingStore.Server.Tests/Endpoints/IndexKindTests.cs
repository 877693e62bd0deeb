// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Net;
using EmbeddingStore.Contracts;
using EmbeddingStore.Server.Tests.TestSupport;
using EmbeddingStore.Tests.Shared;

namespace EmbeddingStore.Server.Tests.Endpoints;

// Index kinds reach the API through the engine's registry: every registered kind is a valid "index" and "defaultIndex",
// an unknown one is a 400 listing the real ones, and a collection's default survives a restart.
public sealed class IndexKindTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Search_HnswWithEf_AnswersAndSaysWhichIndexServed()
    {
        using var factory = new ServerFactory();
        HttpClient client = factory.CreateClient();
        await Api.PutAsync(client, "/v1/models/text/versions/v1", """{"dimension": 3, "metric": "cosine"}""", Ct);
        await Api.PutAsync(client, "/v1/collections/docs", """{"servingVersion": "text@v1"}""", Ct);
        await Api.PostAsync(client, "/v1/collections/docs/items", """{"items": [{"id": "a", "vectors": {"text@v1": [1, 0, 0]}}, {"id": "b", "vectors": {"text@v1": [0, 1, 0]}}]}""", Ct);

        var hnsw = await Api.PostAsync(client, "/v1/collections/docs/search", """{"vector": [1, 0.1, 0], "k": 1, "index": "hnsw", "ef": 16}""", Ct);
        Assert.Equal(HttpStatusCode.OK, hnsw.Status);
        Assert.Equal("hnsw", hnsw.Body!["index"]!.GetValue<string>());
        Assert.Equal("a", hnsw.Body["hits"]![0]!["id"]!.GetValue<string>());

        var badEf = await Api.PostAsync(client, "/v1/collections/docs/search", """{"vector": [1, 0, 0], "k": 1, "index": "hnsw", "ef": 0}""", Ct);
        Assert.Equal(HttpStatusCode.BadRequest, badEf.Status);
        var unknown = await Api.PostAsync(client, "/v1/collections/docs/search", """{"vector": [1, 0, 0], "k": 1, "index": "ivf"}""", Ct);
        Assert.Equal(HttpStatusCode.BadRequest, unknown.Status);
        Assert.Equal(ProblemTypes.InvalidArgument, unknown.Body!["type"]!.GetValue<string>());
        Assert.Contains("hnsw", unknown.Body["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PutCollection_DefaultIndexHnsw_IsStoredAndServesPlainSearches()
    {
        // The SQLite round trip of any kind's name (migration 0006) is in the repository conformance suite.
        using var factory = new ServerFactory();
        HttpClient client = factory.CreateClient();
        await Api.PutAsync(client, "/v1/models/text/versions/v1", """{"dimension": 3, "metric": "cosine"}""", Ct);
        var created = await Api.PutAsync(client, "/v1/collections/docs", """{"servingVersion": "text@v1", "defaultIndex": "hnsw"}""", Ct);
        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.Equal("hnsw", created.Body!["defaultIndex"]!.GetValue<string>());
        await Api.PostAsync(client, "/v1/collections/docs/items", """{"items": [{"id": "a", "vectors": {"text@v1": [1, 0, 0]}}]}""", Ct);

        Assert.Equal("hnsw", (await Api.GetAsync(client, "/v1/collections/docs", Ct)).Body!["defaultIndex"]!.GetValue<string>());
        Assert.Equal("hnsw", (await Api.PostAsync(client, "/v1/collections/docs/search", """{"vector": [1, 0, 0], "k": 1}""", Ct)).Body!["index"]!.GetValue<string>());
    }
}
