// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using EmbeddingStore.Contracts;
using EmbeddingStore.Core;
using EmbeddingStore.Core.Persistence;
using EmbeddingStore.Core.Vectors;
using EmbeddingStore.Server.Tests.TestSupport;
using EmbeddingStore.Storage.Sqlite;
using EmbeddingStore.Tests.Shared;

namespace EmbeddingStore.Server.Tests.Endpoints;

public sealed class IdempotencyTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RetriedUpsert_SameKey_IsReplayedNotReapplied()
    {
        using var factory = new ServerFactory();
        HttpClient client = factory.CreateClient();
        await SetUpAsync(client);
        const string First = """{"items": [{"id": "a", "payload": {"v": 1}, "vectors": {"text@v1": [1, 0, 0]}}]}""";

        var first = await SendAsync(client, HttpMethod.Post, "/v1/collections/docs/items", First, "key-1");
        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Null(first.Replayed);

        // Another client changes the item; then the first client's retry arrives.
        await Api.PostAsync(client, "/v1/collections/docs/items", """{"items": [{"id": "a", "payload": {"v": 2}, "vectors": {"text@v1": [0, 1, 0]}}]}""", Ct);
        var retry = await SendAsync(client, HttpMethod.Post, "/v1/collections/docs/items", First, "key-1");
        Assert.Equal(HttpStatusCode.OK, retry.Status);
        Assert.Equal("true", retry.Replayed);
        Assert.Equal(first.Body, retry.Body);
        Assert.Equal(2, (await Api.GetAsync(client, "/v1/collections/docs/items/a", Ct)).Body!["payload"]!["v"]!.GetValue<int>());
    }

    [Fact]
    public async Task ReusedKey_DifferentRequest_Is422Problem()
    {
        using var factory = new ServerFactory();
        HttpClient client = factory.CreateClient();
        await SetUpAsync(client);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(client, HttpMethod.Post, "/v1/collections/docs/items", """{"items": [{"id": "a", "vectors": {"text@v1": [1, 0, 0]}}]}""", "k2")).Status);
        var reused = await SendAsync(client, HttpMethod.Post, "/v1/collections/docs/items", """{"items": [{"id": "b", "vectors": {"text@v1": [1, 0, 0]}}]}""", "k2");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, reused.Status);
        Assert.Equal(ProblemTypes.IdempotencyKeyReused, JsonNode.Parse(reused.Body)!["type"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, (await Api.GetAsync(client, "/v1/collections/docs/items/b", Ct)).Status);

        var bad = await SendAsync(client, HttpMethod.Post, "/v1/collections/docs/items", """{"items": [{"id": "c", "vectors": {"text@v1": [1, 0, 0]}}]}""", "bad key with spaces");
        Assert.Equal(HttpStatusCode.BadRequest, bad.Status);
    }

    [Fact]
    public async Task ConcurrentLinkCreation_SameKey_CreatesOneLink()
    {
        using var factory = new ServerFactory();
        HttpClient client = factory.CreateClient();
        await SetUpAsync(client);
        await Api.PutAsync(client, "/v1/models/text/versions/v2", """{"dimension": 3, "metric": "cosine"}""", Ct);
        const string Body = """{"from": "text@v2", "to": "text@v1", "kind": "identity"}""";
        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => SendAsync(client, HttpMethod.Post, "/v1/links", Body, "link-key")));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.Status));
        Assert.Single(responses.Select(r => JsonNode.Parse(r.Body)!["id"]!.GetValue<string>()).Distinct());
        Assert.Single((await Api.GetAsync(client, "/v1/links", Ct)).Body!["links"]!.AsArray());
        Assert.Equal(5, responses.Count(r => r.Replayed == "true"));
    }

    [Fact]
    public async Task RetriedLinkCreation_CommittedButAnswerLost_IsRefusedNotReapplied()
    {
        using var factory = new ServerFactory();
        const string Body = """{"from": "text@v2", "to": "text@v1", "kind": "identity"}""";

        // The first attempt as the server runs it, up to a crash: the link commits together with the key's claim, and the
        // process dies before the answer is recorded (here: the engine is closed without recording it).
        using (SqliteEmbeddingRepository repository = SqliteEmbeddingRepository.Open(factory.DatabasePath))
        using (var engine = new EmbeddingEngine(repository))
        {
            await engine.LoadAsync(Ct);
            Assert.True((await engine.RegisterModelVersionAsync("text", "v1", 3, DistanceMetric.CosineSimilarity, false, Ct)).IsSuccess);
            Assert.True((await engine.RegisterModelVersionAsync("text", "v2", 3, DistanceMetric.CosineSimilarity, false, Ct)).IsSuccess);
            byte[] fingerprint = SHA256.HashData(Encoding.UTF8.GetBytes("POST\n/v1/links\n" + Body));
            using (IdempotencyClaim.Enter(new IdempotencyClaim("crash-key", fingerprint, DateTimeOffset.UtcNow)))
            {
                Assert.True((await engine.DeclareIdentityLinkAsync("text@v2", "text@v1", Ct)).IsSuccess);
            }

            Assert.Equal(0, repository.Find("crash-key", DateTimeOffset.UtcNow.AddHours(-1))!.Status);
        }

        // The client's retry reaches the restarted server: refused as committed-but-unanswered, not applied again.
        HttpClient client = factory.CreateClient();
        var retry = await SendAsync(client, HttpMethod.Post, "/v1/links", Body, "crash-key");
        Assert.Equal(HttpStatusCode.Conflict, retry.Status);
        Assert.Equal(ProblemTypes.IdempotencyAnswerLost, JsonNode.Parse(retry.Body)!["type"]!.GetValue<string>());
        Assert.Single((await Api.GetAsync(client, "/v1/links", Ct)).Body!["links"]!.AsArray());
    }

    private static async Task SetUpAsync(HttpClient client)
    {
        await Api.PutAsync(client, "/v1/models/text/versions/v1", """{"dimension": 3, "metric": "cosine"}""", Ct);
        await Api.PutAsync(client, "/v1/collections/docs", """{"servingVersion": "text@v1"}""", Ct);
    }

    private static async Task<(HttpStatusCode Status, string Body, string? Replayed)> SendAsync(HttpClient client, HttpMethod method, string path, string body, string key)
    {
        using var request = new HttpRequestMessage(method, path) { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
        using HttpResponseMessage response = await client.SendAsync(request, Ct);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(Ct),
            response.Headers.TryGetValues("Idempotent-Replayed", out var values) ? values.First() : null);
    }
}
