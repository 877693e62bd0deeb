// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Net;
using System.Text.Json.Nodes;
using EmbeddingStore.Server.Tests.TestSupport;
using EmbeddingStore.Tests.Shared;

namespace EmbeddingStore.Server.Tests.Endpoints;

public sealed class ApiWalkthroughTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Walkthrough_RegisterCreateUpsertSearch_ReturnsContractShapes()
    {
        using var factory = new ServerFactory();
        HttpClient client = factory.CreateClient();

        var created = await Api.PutAsync(client, "/v1/models/text/versions/v1", """{"dimension": 3, "metric": "cosine", "normalized": false}""", Ct);
        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.Equal("text@v1", created.Body!["name"]!.GetValue<string>());
        var again = await Api.PutAsync(client, "/v1/models/text/versions/v1", """{"dimension": 3, "metric": "cosine", "normalized": false}""", Ct);
        Assert.Equal(HttpStatusCode.OK, again.Status);

        Assert.Equal(HttpStatusCode.Created, (await Api.PutAsync(client, "/v1/collections/docs", """{"servingVersion": "text@v1"}""", Ct)).Status);
        Assert.Equal(HttpStatusCode.OK, (await Api.PutAsync(client, "/v1/collections/docs", """{"servingVersion": "text@v1"}""", Ct)).Status);

        var upsert = await Api.PostAsync(client, "/v1/collections/docs/items", """
            {"items": [
              {"id": "a1", "payload": {"lang": "en", "n": 1}, "vectors": {"text@v1": [1, 0, 0]}},
              {"id": "a2", "payload": {"lang": "de", "n": 2}, "vectors": {"text@v1": [0.6, 0.8, 0]}},
              {"id": "a3", "vectors": {"text@v1": [0, 0, 2]}}
            ]}
            """, Ct);
        Assert.Equal(HttpStatusCode.OK, upsert.Status);
        Assert.Equal(3, upsert.Body!["upserted"]!.GetValue<int>());

        var search = await Api.PostAsync(client, "/v1/collections/docs/search", """{"vector": [1, 0.1, 0], "version": "text@v1", "k": 2, "withPayload": true}""", Ct);
        Assert.Equal(HttpStatusCode.OK, search.Status);
        JsonArray hits = search.Body!["hits"]!.AsArray();
        Assert.Equal(["a1", "a2"], hits.Select(h => h!["id"]!.GetValue<string>()));
        Assert.All(hits, h => Assert.Equal("text@v1", h!["version"]!.GetValue<string>()));
        Assert.Equal(1 / Math.Sqrt(1.01), hits[0]!["score"]!.GetValue<double>(), 1e-6);
        Assert.Equal("en", hits[0]!["payload"]!["lang"]!.GetValue<string>());
        Assert.True(search.Body!["tookMs"]!.GetValue<double>() >= 0);

        var filtered = await Api.PostAsync(client, "/v1/collections/docs/search", """
            {"vector": [1, 0.1, 0], "k": 10, "filter": {"must": [{"key": "lang", "match": "de"}]}, "withPayload": false, "withVectors": true}
            """, Ct);
        JsonNode onlyHit = Assert.Single(filtered.Body!["hits"]!.AsArray())!;
        Assert.Equal("a2", onlyHit["id"]!.GetValue<string>());
        Assert.Null(onlyHit["payload"]);
        Assert.Equal(0.6, onlyHit["vector"]![0]!.GetValue<double>(), 1e-6);

        var item = await Api.GetAsync(client, "/v1/collections/docs/items/a3?withVectors=true", Ct);
        Assert.Equal(HttpStatusCode.OK, item.Status);
        Assert.Equal(1.0, item.Body!["vectors"]!["text@v1"]![2]!.GetValue<double>(), 1e-6);

        var collection = await Api.GetAsync(client, "/v1/collections/docs", Ct);
        Assert.Equal(3, collection.Body!["itemCount"]!.GetValue<long>());
        Assert.Equal(3, collection.Body!["vectorCounts"]!["text@v1"]!.GetValue<long>());
        Assert.Equal("text@v1", collection.Body!["servingVersion"]!.GetValue<string>());
        Assert.Equal("exact", collection.Body!["defaultIndex"]!.GetValue<string>());

        // Opting the collection into int8 scans: searches that name no index use it, and say so.
        var optIn = await Api.PutAsync(client, "/v1/collections/docs", """{"servingVersion": "text@v1", "defaultIndex": "int8"}""", Ct);
        Assert.Equal("int8", optIn.Body!["defaultIndex"]!.GetValue<string>());
        var int8 = await Api.PostAsync(client, "/v1/collections/docs/search", """{"vector": [1, 0.1, 0], "k": 2}""", Ct);
        Assert.Equal("int8", int8.Body!["index"]!.GetValue<string>());
        Assert.Equal(["a1", "a2"], int8.Body!["hits"]!.AsArray().Select(h => h!["id"]!.GetValue<string>()));
        Assert.Equal("exact", (await Api.PostAsync(client, "/v1/collections/docs/search", """{"vector": [1, 0.1, 0], "k": 2, "index": "exact"}""", Ct)).Body!["index"]!.GetValue<string>());

        var page1 = await Api.GetAsync(client, "/v1/collections/docs/items?limit=2", Ct);
        Assert.Equal(["a1", "a2"], page1.Body!["items"]!.AsArray().Select(i => i!["id"]!.GetValue<string>()));
        string cursor = page1.Body!["nextCursor"]!.GetValue<string>();
        var page2 = await Api.GetAsync(client, "/v1/collections/docs/items?limit=2&cursor=" + Uri.EscapeDataString(cursor), Ct);
        Assert.Equal(["a3"], page2.Body!["items"]!.AsArray().Select(i => i!["id"]!.GetValue<string>()));
        Assert.Null(page2.Body!["nextCursor"]);

        var count = await Api.PostAsync(client, "/v1/collections/docs/items/count", """{"filter": {"must": [{"key": "n", "match": 2}]}}""", Ct);
        Assert.Equal(1, count.Body!["count"]!.GetValue<long>());

        var deleted = await Api.PostAsync(client, "/v1/collections/docs/items/delete", """{"ids": ["a1", "a2", "missing"]}""", Ct);
        Assert.Equal(2, deleted.Body!["deleted"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.NotFound, (await Api.GetAsync(client, "/v1/collections/docs/items/a1", Ct)).Status);

        Assert.Equal(HttpStatusCode.NoContent, (await Api.SendAsync(client, HttpMethod.Delete, "/v1/collections/docs", cancellationToken: Ct)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Api.GetAsync(client, "/v1/collections/docs", Ct)).Status);
        Assert.Empty((await Api.GetAsync(client, "/v1/collections", Ct)).Body!["collections"]!.AsArray());
    }

    [Fact]
    public async Task Health_AfterStart_ReportsHealthy()
    {
        using var factory = new ServerFactory();
        var health = await Api.GetAsync(factory.CreateClient(), "/health", Ct);
        Assert.Equal(HttpStatusCode.OK, health.Status);
        Assert.Equal("healthy", health.Body!["status"]!.GetValue<string>());
        Assert.Equal(EmbeddingStore.Storage.Sqlite.SqliteSchema.LatestVersion, health.Body!["schemaVersion"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("l2", -5.0)]
    [InlineData("dot", 3.0)]
    public async Task Search_EveryMetric_ScoresHigherIsCloser(string metric, double expectedFarScore)
    {
        using var factory = new ServerFactory();
        HttpClient client = factory.CreateClient();
        await Api.PutAsync(client, "/v1/models/m/versions/v1", $$"""{"dimension": 2, "metric": "{{metric}}"}""", Ct);
        await Api.PutAsync(client, "/v1/collections/c", """{"servingVersion": "m@v1"}""", Ct);
        await Api.PostAsync(client, "/v1/collections/c/items", """{"items": [{"id": "near", "vectors": {"m@v1": [0, 1]}}, {"id": "far", "vectors": {"m@v1": [3, -4]}}]}""", Ct);

        var search = await Api.PostAsync(client, "/v1/collections/c/search", """{"vector": [0, 0], "k": 2}""", Ct);
        JsonArray hits = search.Body!["hits"]!.AsArray();
        if (metric == "l2")
        {
            Assert.Equal(["near", "far"], hits.Select(h => h!["id"]!.GetValue<string>()));
            Assert.Equal(-1.0, hits[0]!["score"]!.GetValue<double>(), 1e-6);
            Assert.Equal(expectedFarScore, hits[1]!["score"]!.GetValue<double>(), 1e-6);
        }
        else
        {
            var dot = await Api.PostAsync(client, "/v1/collections/c/search", """{"vector": [1, 0], "k": 2}""", Ct);
            Assert.Equal(["far", "near"], dot.Body!["hits"]!.AsArray().Select(h => h!["id"]!.GetValue<string>()));
            Assert.Equal(expectedFarScore, dot.Body!["hits"]![0]!["score"]!.GetValue<double>(), 1e-6);
        }
    }

    [Theory]
    [InlineData("exact", "exact")]
    [InlineData("int8", "exact")]
    public async Task Search_L1Metric_RanksBySumOfAbsoluteDifferences(string index, string expectedPlan)
    {
        // [0, 5] is nearer [0, 0] than [3, 3] in L1 (5 against 6) and farther in L2 (5 against 4.24), so the order
        // shows which distance ranked them. Int8 codes have no L1 form: that index answers with an exact scan and says so.
        // (The graph's L1 recall is HnswIndexTests' business: three rows are below the size where the planner walks it.)
        using var factory = new ServerFactory();
        HttpClient client = factory.CreateClient();
        var model = await Api.PutAsync(client, "/v1/models/m/versions/v1", """{"dimension": 2, "metric": "l1"}""", Ct);
        Assert.True(model.Status == HttpStatusCode.Created, model.Body?.ToJsonString());
        Assert.Equal("l1", model.Body!["metric"]!.GetValue<string>());
        await Api.PutAsync(client, "/v1/collections/c", $$"""{"servingVersion": "m@v1", "defaultIndex": "{{index}}"}""", Ct);
        await Api.PostAsync(client, "/v1/collections/c/items", """{"items": [{"id": "diagonal", "vectors": {"m@v1": [3, 3]}}, {"id": "axis", "vectors": {"m@v1": [0, 5]}}, {"id": "far", "vectors": {"m@v1": [-10, 10]}}]}""", Ct);

        var search = await Api.PostAsync(client, "/v1/collections/c/search", """{"vector": [0, 0], "k": 3}""", Ct);
        Assert.Equal(HttpStatusCode.OK, search.Status);
        Assert.Equal(index, search.Body!["index"]!.GetValue<string>());
        Assert.Equal(expectedPlan, search.Body!["plan"]!.GetValue<string>());
        JsonArray hits = search.Body!["hits"]!.AsArray();
        Assert.Equal(["axis", "diagonal", "far"], hits.Select(h => h!["id"]!.GetValue<string>()));
        Assert.Equal([-5.0, -6.0, -20.0], hits.Select(h => h!["score"]!.GetValue<double>()));
    }

    [Fact]
    public async Task ApiReference_Served_MakesNoOutsideRequests()
    {
        using var factory = new ServerFactory();
        HttpClient client = factory.CreateClient();
        using HttpResponseMessage page = await client.GetAsync(new Uri("/docs/index.html", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        string html = await page.Content.ReadAsStringAsync(Ct);
        Assert.Contains("swagger-ui", html, StringComparison.OrdinalIgnoreCase);

        // Every asset the page loads is relative (served by this server), and the validator badge is off.
        Assert.DoesNotMatch(@"(src|href)\s*=\s*""(https?:)?//", html);
        using HttpResponseMessage init = await client.GetAsync(new Uri("/docs/index.js", UriKind.Relative), Ct);
        string config = await init.Content.ReadAsStringAsync(Ct);
        Assert.Contains("/openapi/v1.json", config, StringComparison.Ordinal);
        Assert.DoesNotContain("validator.swagger.io", config, StringComparison.Ordinal);
    }
}
