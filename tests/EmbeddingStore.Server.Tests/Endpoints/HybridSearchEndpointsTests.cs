// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using EmbeddingStore.Contracts;
using EmbeddingStore.Server.Tests.TestSupport;
using EmbeddingStore.Tests.Shared;

namespace EmbeddingStore.Server.Tests.Endpoints;

// Full text over real HTTP on a SQLite file: a `text` payload index declared and built, kept current by upserts and
// deletes, rebuilt after a restart; the `text` filter condition giving the same answer with and without it; the hybrid
// route's fused order, ranks and filter; and bad requests refused with problems naming the JSON path.
public sealed class HybridSearchEndpointsTests : IDisposable
{
    private readonly TempStoreDirectory _store = new("es-hybrid-");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _store.Dispose();

    [Fact]
    public async Task SearchHybrid_TextIndexAcrossWritesAndRestart_FusedOrderAndTextFilterAgree()
    {
        const string TextFilter = """{"filter": {"must": [{"key": "body", "text": "SOLAR wind"}]}}""";
        const string Hybrid = """{"vector": [1, 0], "k": 4, "keywords": {"field": "body", "query": "solar"}}""";
        using (var factory = new ServerFactory(_store.Settings()))
        {
            HttpClient client = factory.CreateClient();
            await SeedAsync(client);
            long unindexed = await CountAsync(client, TextFilter);
            Assert.Equal(1, unindexed);
            string before = await FusedAsync(client, Hybrid);

            var created = await Api.PutAsync(client, "/v1/collections/docs/indexes/body", """{"type": "text"}""", Ct);
            Assert.Equal(HttpStatusCode.Created, created.Status);
            Assert.Equal("text", (string?)created.Body!["type"]);
            await WaitForJobAsync(client, (string)created.Body["jobId"]!);
            var ready = (await Api.GetAsync(client, "/v1/collections/docs/indexes/body", Ct)).Body!;
            Assert.Equal("ready", (string?)ready["state"]);
            Assert.Equal(4, (long)ready["indexedItems"]!);

            // Vector ranks v1..v4; BM25 ranks for "solar": v4 ("solar solar"), v3 ("solar farm"), v1 (a long text).
            // Fused with k = 60: v1 1/61 + 1/63, v4 1/64 + 1/61, v3 1/63 + 1/62, v2 1/62.
            Assert.Equal("v1:1:3;v4:4:1;v3:3:2;v2:2:-", await FusedAsync(client, Hybrid));
            Assert.Equal(before, await FusedAsync(client, Hybrid));
            Assert.Equal(unindexed, await CountAsync(client, TextFilter));

            // An overwrite and a delete reach the index: v2 gains "solar", v4 goes.
            await UpsertAsync(client, ("v2", 0.8f, "solar wind solar"));
            Assert.True((await Api.PostAsync(client, "/v1/collections/docs/items/delete", """{"ids": ["v4"]}""", Ct)).Status == HttpStatusCode.OK);
            Assert.Equal("v2:2:1;v1:1:3;v3:3:2", await FusedAsync(client, Hybrid));
            Assert.Equal(2, await CountAsync(client, TextFilter));
        }

        using (var reopened = new ServerFactory(_store.Settings()))
        {
            HttpClient client = reopened.CreateClient();
            var index = (await Api.GetAsync(client, "/v1/collections/docs/indexes/body", Ct)).Body!;
            Assert.Equal(("text", "ready", 3L), ((string?)index["type"], (string?)index["state"], (long)index["indexedItems"]!));
            Assert.Equal("v2:2:1;v1:1:3;v3:3:2", await FusedAsync(client, Hybrid));
            Assert.Equal(2, await CountAsync(client, TextFilter));

            // Without the index: the same answers from the payloads.
            Assert.Equal(HttpStatusCode.NoContent, (await Api.SendAsync(client, HttpMethod.Delete, "/v1/collections/docs/indexes/body", cancellationToken: Ct)).Status);
            Assert.Equal("v2:2:1;v1:1:3;v3:3:2", await FusedAsync(client, Hybrid));
            Assert.Equal(2, await CountAsync(client, TextFilter));

            // A filter applies inside both halves (v3 is German): v1 and v2 then tie at 1/61 + 1/62, ordered by id.
            // Keyword weight 0 leaves the vector order, the keyword ranks still reported.
            Assert.Equal(
                "v1:1:2;v2:2:1",
                await FusedAsync(client, """{"vector": [1, 0], "k": 4, "keywords": {"field": "body", "query": "solar"}, "filter": {"must": [{"key": "lang", "match": "en"}]}}"""));
            Assert.Equal(
                "v1:1:3;v2:2:1;v3:3:2",
                await FusedAsync(client, """{"vector": [1, 0], "k": 4, "keywords": {"field": "body", "query": "solar"}, "fusion": {"keywordWeight": 0}}"""));
        }
    }

    [Theory]
    [InlineData("""{"vector": [1, 0]}""", ProblemTypes.InvalidArgument, "keywords is required")]
    [InlineData("""{"vector": [1, 0], "keywords": {"query": "solar"}}""", ProblemTypes.InvalidArgument, "keywords.field must be a non-empty")]
    [InlineData("""{"vector": [1, 0], "keywords": {"field": "body", "query": " !? "}}""", ProblemTypes.InvalidArgument, "keywords.query has no words")]
    [InlineData("""{"vector": [1, 0], "keywords": {"field": "body", "query": "solar"}, "fusion": {"vectorWeight": -1}}""", ProblemTypes.InvalidArgument, "fusion.vectorWeight must be")]
    [InlineData("""{"vector": [1, 0], "keywords": {"field": "body", "query": "solar"}, "fusion": {"rankConstant": 0}}""", ProblemTypes.InvalidArgument, "fusion.rankConstant must be at least 1")]
    [InlineData("""{"vector": [1, 0], "k": 5, "keywords": {"field": "body", "query": "solar"}, "fusion": {"candidates": 2}}""", ProblemTypes.InvalidArgument, "fusion.candidates must be between k (5)")]
    [InlineData("""{"vector": [1, 0], "keywords": {"field": "body", "query": "solar"}, "filter": {"must": [{"key": "body", "text": 1}]}}""", ProblemTypes.InvalidArgument, "filter.must[0].text must be a string")]
    [InlineData("""{"vector": [1, 0, 0], "keywords": {"field": "body", "query": "solar"}}""", ProblemTypes.DimensionMismatch, "")]
    [InlineData("""{"vector": [1, 0], "keywords": {"field": "body", "query": "solar", "mode": "any"}}""", ProblemTypes.MalformedRequest, "")]
    public async Task SearchHybrid_BadRequest_ProblemNamingPath(string body, string type, string detail)
    {
        using var factory = new ServerFactory(_store.Settings());
        HttpClient client = factory.CreateClient();
        await SeedAsync(client);
        var refused = await Api.PostAsync(client, "/v1/collections/docs/search/hybrid", body, Ct);
        Assert.Equal("application/problem+json", refused.MediaType);
        Assert.Equal(type, (string?)refused.Body!["type"]);
        Assert.Contains(detail, (string?)refused.Body["detail"] ?? string.Empty, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CountItems_TextConditionWithoutWords_ProblemNamingPath()
    {
        using var factory = new ServerFactory(_store.Settings());
        HttpClient client = factory.CreateClient();
        await SeedAsync(client);
        var refused = await Api.PostAsync(client, "/v1/collections/docs/items/count", """{"filter": {"should": [{"key": "body", "text": "--"}]}}""", Ct);
        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Contains("filter.should[0].text has no words", (string?)refused.Body!["detail"], StringComparison.Ordinal);
    }

    private static async Task SeedAsync(HttpClient client)
    {
        await Api.PutAsync(client, "/v1/models/text/versions/v1", """{"dimension": 2, "metric": "dot"}""", Ct);
        await Api.PutAsync(client, "/v1/collections/docs", """{"servingVersion": "text@v1"}""", Ct);
        await UpsertAsync(
            client,
            ("v1", 0.9f, "Solar panels and wind turbines on the long northern ridge"),
            ("v2", 0.8f, "wind only"),
            ("v3", 0.7f, "solar farm"),
            ("v4", 0.6f, "solar solar"));
    }

    private static async Task UpsertAsync(HttpClient client, params (string Id, float X, string Body)[] items)
    {
        var list = new JsonArray();
        foreach ((string id, float x, string body) in items)
        {
            var payload = new JsonObject { ["body"] = body, ["lang"] = id == "v3" ? "de" : "en" };
            list.Add(new JsonObject { ["id"] = id, ["payload"] = payload, ["vectors"] = new JsonObject { ["text@v1"] = new JsonArray(x, 0f) } });
        }

        var written = await Api.PostAsync(client, "/v1/collections/docs/items", new JsonObject { ["items"] = list }.ToJsonString(), Ct);
        Assert.True(written.Status == HttpStatusCode.OK, written.Body?.ToJsonString());
    }

    // id:vectorRank:keywordRank per hit ("-" where a list did not hold it), after checking each fused score by its ranks.
    private static async Task<string> FusedAsync(HttpClient client, string body)
    {
        var response = await Api.PostAsync(client, "/v1/collections/docs/search/hybrid", body, Ct);
        Assert.True(response.Status == HttpStatusCode.OK, response.Body?.ToJsonString());
        JsonNode request = JsonNode.Parse(body)!;
        double vectorWeight = (double?)request["fusion"]?["vectorWeight"] ?? 1, keywordWeight = (double?)request["fusion"]?["keywordWeight"] ?? 1;
        var parts = new List<string>();
        foreach (JsonNode? hit in response.Body!["hits"]!.AsArray())
        {
            int? vector = (int?)hit!["vectorRank"], keyword = (int?)hit["keywordRank"];
            double expected = (vector is { } v ? vectorWeight / (60 + v) : 0) + (keyword is { } w ? keywordWeight / (60 + w) : 0);
            Assert.Equal(expected, (double)hit["score"]!, 12);
            Assert.Equal(keyword is null, hit["keywordScore"] is null);
            parts.Add($"{(string?)hit["id"]}:{vector?.ToString(CultureInfo.InvariantCulture) ?? "-"}:{keyword?.ToString(CultureInfo.InvariantCulture) ?? "-"}");
        }

        return string.Join(';', parts);
    }

    private static async Task<long> CountAsync(HttpClient client, string body) =>
        (long)(await Api.PostAsync(client, "/v1/collections/docs/items/count", body, Ct)).Body!["count"]!;

    private static async Task<JsonNode> WaitForJobAsync(HttpClient client, string id)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(60));
        while (true)
        {
            JsonNode job = (await Api.GetAsync(client, $"/v1/jobs/{id}", deadline.Token)).Body!;
            if (job["state"]!.GetValue<string>() is "completed" or "failed" or "cancelled")
            {
                return job;
            }

            await Task.Delay(20, deadline.Token);
        }
    }
}
