// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Net;
using EmbeddingStore.Contracts;
using EmbeddingStore.Server.Tests.TestSupport;
using EmbeddingStore.Tests.Shared;

namespace EmbeddingStore.Server.Tests.Endpoints;

// A collection created with no serving version over real HTTP on a SQLite file: items waiting to be embedded are
// found by id, scroll, count and filters; a search naming no version is a 400 problem that says how to fix it, while
// one naming its version is answered; after PUT with a serving version, plain searches work and it survives a restart.
public sealed class NoServingVersionEndpointsTests : IDisposable
{
    private const string English = """{"filter": {"must": [{"key": "lang", "match": "en"}]}}""";

    private readonly TempStoreDirectory _store = new("es-noserving-");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _store.Dispose();

    [Fact]
    public async Task PutCollection_NoServingVersion_ItemsFoundSearchRefusedUntilServingVersionSet()
    {
        using (var factory = new ServerFactory(_store.Settings()))
        {
            HttpClient client = factory.CreateClient();
            await Api.PutAsync(client, "/v1/models/text/versions/v1", """{"dimension": 2, "metric": "cosine"}""", Ct);
            var created = await Api.PutAsync(client, "/v1/collections/docs", "{}", Ct);
            Assert.Equal(HttpStatusCode.Created, created.Status);
            Assert.Null(created.Body!["servingVersion"]);
            Assert.True(created.Body.AsObject().ContainsKey("servingVersion"));

            var written = await Api.PostAsync(
                client,
                "/v1/collections/docs/items",
                """{"items": [{"id": "a", "payload": {"lang": "en"}, "vectors": {}}, {"id": "b", "payload": {"lang": "de"}, "vectors": {}}, {"id": "c", "payload": {"lang": "en"}, "vectors": {"text@v1": [0, 1]}}]}""",
                Ct);
            Assert.True(written.Status == HttpStatusCode.OK, written.Body?.ToJsonString());

            var item = await Api.GetAsync(client, "/v1/collections/docs/items/a", Ct);
            Assert.Equal("en", (string?)item.Body!["payload"]!["lang"]);
            var scroll = await Api.GetAsync(client, "/v1/collections/docs/items?limit=10", Ct);
            Assert.Equal(["a", "b", "c"], scroll.Body!["items"]!.AsArray().Select(i => (string?)i!["id"]));
            Assert.Equal(2, (long)(await Api.PostAsync(client, "/v1/collections/docs/items/count", English, Ct)).Body!["count"]!);
            var filtered = await Api.PostAsync(client, "/v1/collections/docs/items/scroll", English, Ct);
            Assert.Equal(["a", "c"], filtered.Body!["items"]!.AsArray().Select(i => (string?)i!["id"]));

            foreach ((string path, string body) in new[]
            {
                ("/v1/collections/docs/search", """{"vector": [0, 1], "k": 10}"""),
                ("/v1/collections/docs/search/batch", """{"vectors": [[0, 1]], "k": 10}"""),
                ("/v1/collections/docs/search/hybrid", """{"vector": [0, 1], "k": 10, "keywords": {"field": "lang", "query": "en"}}"""),
            })
            {
                string before = await Api.SnapshotAsync(client, Ct);
                var refused = await Api.PostAsync(client, path, body, Ct);
                Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
                Assert.Equal("application/problem+json", refused.MediaType);
                Assert.Equal(ProblemTypes.InvalidArgument, (string?)refused.Body!["type"]);
                Assert.Contains("no serving version", (string?)refused.Body["detail"], StringComparison.Ordinal);
                Assert.Equal(before, await Api.SnapshotAsync(client, Ct));
            }

            var named = await Api.PostAsync(client, "/v1/collections/docs/search", """{"vector": [0, 1], "version": "text@v1", "k": 10}""", Ct);
            Assert.True(named.Status == HttpStatusCode.OK, named.Body?.ToJsonString());
            Assert.Equal(["c"], named.Body!["hits"]!.AsArray().Select(h => (string?)h!["id"]));

            var served = await Api.PutAsync(client, "/v1/collections/docs", """{"servingVersion": "text@v1"}""", Ct);
            Assert.Equal(HttpStatusCode.OK, served.Status);
            Assert.Equal("text@v1", (string?)served.Body!["servingVersion"]);
        }

        using var reopened = new ServerFactory(_store.Settings());
        HttpClient again = reopened.CreateClient();
        var search = await Api.PostAsync(again, "/v1/collections/docs/search", """{"vector": [0, 1], "k": 10}""", Ct);
        Assert.True(search.Status == HttpStatusCode.OK, search.Body?.ToJsonString());
        Assert.Equal(["c"], search.Body!["hits"]!.AsArray().Select(h => (string?)h!["id"]));
        Assert.Equal(3, (long)(await Api.GetAsync(again, "/v1/collections/docs", Ct)).Body!["itemCount"]!);
    }

}
