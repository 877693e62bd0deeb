// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Net;
using EmbeddingStore.Server.Tests.TestSupport;
using EmbeddingStore.Tests.Shared;

namespace EmbeddingStore.Server.Tests.Endpoints;

// An item with "vectors": {} over real HTTP on a SQLite file: stored, read back, counted and filtered, never a search
// hit nor a reason for a partial-coverage refusal, and still there after a restart.
public sealed class VectorlessItemEndpointsTests : IDisposable
{
    private readonly TempStoreDirectory _store = new("es-novector-");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _store.Dispose();

    [Fact]
    public async Task Upsert_EmptyVectors_StoredFoundByIdAndFilterNeverBySearchAndDurable()
    {
        using (var factory = new ServerFactory(_store.Settings()))
        {
            HttpClient client = factory.CreateClient();
            await Api.PutAsync(client, "/v1/models/text/versions/v1", """{"dimension": 2, "metric": "cosine"}""", Ct);
            await Api.PutAsync(client, "/v1/collections/docs", """{"servingVersion": "text@v1"}""", Ct);
            var written = await Api.PostAsync(
                client,
                "/v1/collections/docs/items",
                """{"items": [{"id": "v", "payload": {"lang": "en"}, "vectors": {"text@v1": [1, 0]}}, {"id": "pending", "payload": {"lang": "en"}, "vectors": {}}]}""",
                Ct);
            Assert.Equal(HttpStatusCode.OK, written.Status);
            await AssertServedAsync(client);
        }

        using var reopened = new ServerFactory(_store.Settings());
        await AssertServedAsync(reopened.CreateClient());
    }

    private static async Task AssertServedAsync(HttpClient client)
    {
        var item = await Api.GetAsync(client, "/v1/collections/docs/items/pending?withVectors=true", Ct);
        Assert.Equal(HttpStatusCode.OK, item.Status);
        Assert.Equal("en", (string?)item.Body!["payload"]!["lang"]);
        Assert.Equal(2, (long)(await Api.PostAsync(client, "/v1/collections/docs/items/count", """{"filter": {"must": [{"key": "lang", "match": "en"}]}}""", Ct)).Body!["count"]!);

        var search = await Api.PostAsync(client, "/v1/collections/docs/search", """{"vector": [0, 1], "k": 10}""", Ct);
        Assert.Equal(HttpStatusCode.OK, search.Status);
        Assert.Equal(["v"], search.Body!["hits"]!.AsArray().Select(h => (string?)h!["id"]));
        Assert.Equal(1, (long)search.Body["coverage"]!["heldItems"]!);
    }

}
