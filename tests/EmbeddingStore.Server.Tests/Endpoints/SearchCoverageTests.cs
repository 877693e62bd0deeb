// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Net;
using System.Text.Json.Nodes;
using EmbeddingStore.Contracts;
using EmbeddingStore.Server.Tests.TestSupport;
using EmbeddingStore.Tests.Shared;

namespace EmbeddingStore.Server.Tests.Endpoints;

// The README's "model upgrade, by hand" followed literally over HTTP: a v2 query that reaches one item out of three is
// refused like an unbridged version unless the caller accepts a partial answer, and every answer says what it covered.
public sealed class SearchCoverageTests : IAsyncLifetime
{
    private readonly ServerFactory _factory = new();
    private HttpClient _client = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _client = _factory.CreateClient();
        await Api.PutAsync(_client, "/v1/models/text/versions/v1", """{"dimension": 3, "metric": "cosine"}""", Ct);
        await Api.PutAsync(_client, "/v1/collections/docs", """{"servingVersion": "text@v1"}""", Ct);
        await Api.PostAsync(_client, "/v1/collections/docs/items", """
            {"items": [{"id": "a1", "vectors": {"text@v1": [0.9, 0.1, 0.0]}}, {"id": "a2", "vectors": {"text@v1": [0.1, 0.9, 0.0]}},
                       {"id": "a3", "vectors": {"text@v1": [0.5, 0.5, 0.1]}}]}
            """, Ct);
        await Api.PutAsync(_client, "/v1/models/text/versions/v2", """{"dimension": 3, "metric": "cosine"}""", Ct);
        var reembedded = await Api.PostAsync(_client, "/v1/collections/docs/items", """
            {"items": [{"id": "a1", "vectors": {"text@v1": [0.9, 0.1, 0.0], "text@v2": [0.1, 0.9, 0.2]}}]}
            """, Ct);
        Assert.Equal(HttpStatusCode.OK, reembedded.Status);
    }

    public ValueTask DisposeAsync()
    {
        _factory.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task Search_V2QueryReachesOneOfThree_Refused409()
    {
        var response = await Api.PostAsync(_client, "/v1/collections/docs/search", """{"vector": [0.1, 0.9, 0.2], "version": "text@v2", "k": 10}""", Ct);

        Assert.Equal(HttpStatusCode.Conflict, response.Status);
        Assert.Equal("application/problem+json", response.MediaType);
        Assert.Equal(ProblemTypes.IncompatibleVersions, (string?)response.Body!["type"]);
        Assert.Contains("reaches 1 of the 3 items", (string?)response.Body["detail"], StringComparison.Ordinal);
        Assert.Equal(["text@v2", "text@v1"], response.Body["versions"]!.AsArray().Select(v => (string?)v));
    }

    [Fact]
    public async Task Search_AllowPartial_AnswersWithCoverage()
    {
        var response = await Api.PostAsync(
            _client, "/v1/collections/docs/search", """{"vector": [0.1, 0.9, 0.2], "version": "text@v2", "k": 10, "allowPartial": true}""", Ct);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal(["a1"], response.Body!["hits"]!.AsArray().Select(h => (string?)h!["id"]));
        JsonNode coverage = response.Body["coverage"]!;
        Assert.Equal(1, (long)coverage["searchedItems"]!);
        Assert.Equal(3, (long)coverage["heldItems"]!);
        Assert.False((bool)coverage["complete"]!);
        JsonNode version = Assert.Single(coverage["versions"]!.AsArray())!;
        Assert.Equal("text@v2", (string?)version["version"]);
        Assert.Equal(1, (long)version["vectors"]!);
    }

    [Fact]
    public async Task Search_AfterIdentityLink_CompleteCoverageScoresWithinCosineRange()
    {
        var link = await Api.PostAsync(_client, "/v1/links", """{"from": "text@v2", "to": "text@v1", "kind": "identity"}""", Ct);
        Assert.True(link.Status is HttpStatusCode.Created or HttpStatusCode.OK, link.Body?.ToJsonString());

        var response = await Api.PostAsync(_client, "/v1/collections/docs/search", """{"vector": [0.1, 0.9, 0.2], "version": "text@v2", "k": 10}""", Ct);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        JsonArray hits = response.Body!["hits"]!.AsArray();
        Assert.Equal(3, hits.Count);
        Assert.Equal("a1", (string?)hits[0]!["id"]);
        Assert.All(hits, h => Assert.InRange((float)h!["score"]!, -1f, 1f));
        Assert.All(hits, h => Assert.Equal((float)h!["rawScore"]!, (float)h["score"]!));
        Assert.True((bool)response.Body["coverage"]!["complete"]!);
        Assert.Equal(3, (long)response.Body["coverage"]!["searchedItems"]!);
    }

    [Fact]
    public async Task SearchBatch_PartialWithoutAllow_Refused409AllowedAnswers()
    {
        var refused = await Api.PostAsync(_client, "/v1/collections/docs/search/batch", """{"vectors": [[0.1, 0.9, 0.2]], "version": "text@v2"}""", Ct);
        var allowed = await Api.PostAsync(
            _client, "/v1/collections/docs/search/batch", """{"vectors": [[0.1, 0.9, 0.2]], "version": "text@v2", "allowPartial": true}""", Ct);

        Assert.Equal(HttpStatusCode.Conflict, refused.Status);
        Assert.Equal(ProblemTypes.IncompatibleVersions, (string?)refused.Body!["type"]);
        Assert.Equal(HttpStatusCode.OK, allowed.Status);
        JsonNode result = Assert.Single(allowed.Body!["results"]!.AsArray())!;
        Assert.Equal(1, (long)result["coverage"]!["searchedItems"]!);
        Assert.Equal(3, (long)result["coverage"]!["heldItems"]!);
    }
}
