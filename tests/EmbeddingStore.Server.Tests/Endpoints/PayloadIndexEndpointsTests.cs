// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using EmbeddingStore.Contracts;
using EmbeddingStore.Server.Tests.TestSupport;
using EmbeddingStore.Tests.Shared;

namespace EmbeddingStore.Server.Tests.Endpoints;

// Payload indexes over real HTTP on a SQLite file: declared (201, building, with its job), built by the job runner,
// listed and read with their state, used by filtered search, count, scroll and delete with the same answers as before,
// still ready after a restart, refused clearly when the declaration is bad, and deleted.
public sealed class PayloadIndexEndpointsTests : IDisposable
{
    private const int ItemCount = 200;

    private readonly TempStoreDirectory _store = new("es-pindex-");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _store.Dispose();

    [Fact]
    public async Task PutPayloadIndex_BuildUseRestartDelete_EndToEnd()
    {
        const string Filter = """{"must": [{"key": "cat", "match": "c3"}, {"key": "n", "range": {"gte": 20}}], "mustNot": [{"key": "meta.flag", "match": true}]}""";
        string search = $$"""{"vector": [1, 0, 0], "k": 10, "filter": {{Filter}}}""";
        string before;
        long count;
        using (var factory = new ServerFactory(_store.Settings()))
        {
            HttpClient client = factory.CreateClient();
            await SeedAsync(client);
            before = await HitsAsync(client, search);
            count = (long)(await Api.PostAsync(client, "/v1/collections/docs/items/count", $$"""{"filter": {{Filter}}}""", Ct)).Body!["count"]!;
            Assert.InRange(count, 1, ItemCount / 4);

            var created = await Api.PutAsync(client, "/v1/collections/docs/indexes/cat", """{"type": "keyword"}""", Ct);
            Assert.Equal(HttpStatusCode.Created, created.Status);
            Assert.Equal("cat", (string?)created.Body!["field"]);
            Assert.Equal("keyword", (string?)created.Body["type"]);
            Assert.Equal("building", (string?)created.Body["state"]);
            Assert.Equal("completed", (await WaitForJobAsync(client, (string)created.Body["jobId"]!))["state"]!.GetValue<string>());
            Assert.Equal(HttpStatusCode.Created, (await Api.PutAsync(client, "/v1/collections/docs/indexes/n", """{"type": "integer"}""", Ct)).Status);
            var nested = await Api.PutAsync(client, "/v1/collections/docs/indexes/meta.flag", """{"type": "bool"}""", Ct);
            await WaitForJobAsync(client, (string)nested.Body!["jobId"]!);
            await WaitForJobAsync(client, (string)(await Api.GetAsync(client, "/v1/collections/docs/indexes/n", Ct)).Body!["jobId"]!);

            var one = await Api.GetAsync(client, "/v1/collections/docs/indexes/cat", Ct);
            Assert.Equal(HttpStatusCode.OK, one.Status);
            Assert.Equal("ready", (string?)one.Body!["state"]);
            Assert.Equal(ItemCount, (long)one.Body["indexedItems"]!);
            Assert.Equal(10, (long)one.Body["distinctValues"]!);

            var same = await Api.PutAsync(client, "/v1/collections/docs/indexes/cat", """{"type": "keyword"}""", Ct);
            Assert.Equal(HttpStatusCode.OK, same.Status);
            Assert.Equal("ready", (string?)same.Body!["state"]);

            Assert.Equal(before, await HitsAsync(client, search));
            Assert.Equal(count, (long)(await Api.PostAsync(client, "/v1/collections/docs/items/count", $$"""{"filter": {{Filter}}}""", Ct)).Body!["count"]!);
        }

        using (var reopened = new ServerFactory(_store.Settings()))
        {
            HttpClient client = reopened.CreateClient();
            var list = await Api.GetAsync(client, "/v1/collections/docs/indexes", Ct);
            Assert.Equal(
                [("cat", "keyword", "ready"), ("meta.flag", "bool", "ready"), ("n", "integer", "ready")],
                list.Body!["indexes"]!.AsArray().Select(i => ((string?)i!["field"], (string?)i["type"], (string?)i["state"])));
            Assert.Equal(before, await HitsAsync(client, search));
            var scrolled = await Api.PostAsync(client, "/v1/collections/docs/items/scroll", $$"""{"limit": 1000, "filter": {{Filter}}}""", Ct);
            Assert.Equal(count, scrolled.Body!["items"]!.AsArray().Count);

            var deleted = await Api.PostAsync(client, "/v1/collections/docs/items/delete", $$"""{"filter": {{Filter}}}""", Ct);
            Assert.Equal(count, (long)deleted.Body!["deleted"]!);
            Assert.Equal(0, (long)(await Api.PostAsync(client, "/v1/collections/docs/items/count", $$"""{"filter": {{Filter}}}""", Ct)).Body!["count"]!);

            Assert.Equal(HttpStatusCode.NoContent, (await Api.SendAsync(client, HttpMethod.Delete, "/v1/collections/docs/indexes/cat", cancellationToken: Ct)).Status);
            var gone = await Api.GetAsync(client, "/v1/collections/docs/indexes/cat", Ct);
            Assert.Equal(HttpStatusCode.NotFound, gone.Status);
            Assert.Equal(ProblemTypes.PayloadIndexNotFound, (string?)gone.Body!["type"]);
            Assert.Equal(
                ProblemTypes.PayloadIndexNotFound,
                (string?)(await Api.SendAsync(client, HttpMethod.Delete, "/v1/collections/docs/indexes/cat", cancellationToken: Ct)).Body!["type"]);
        }
    }

    [Theory]
    [InlineData("/v1/collections/docs/indexes/cat", """{"type": "fulltext"}""", ProblemTypes.InvalidArgument, "keyword, integer, float, bool, text")]
    [InlineData("/v1/collections/docs/indexes/cat", """{"type": "geo"}""", ProblemTypes.InvalidArgument, "keyword, integer, float, bool")]
    [InlineData("/v1/collections/docs/indexes/a..b", """{"type": "keyword"}""", ProblemTypes.InvalidArgument, "empty segment")]
    [InlineData("/v1/collections/docs/indexes/cat", """{"type": 1}""", ProblemTypes.MalformedRequest, "")]
    [InlineData("/v1/collections/docs/indexes/cat", """{}""", ProblemTypes.MalformedRequest, "")]
    [InlineData("/v1/collections/docs/indexes/cat", """{"type": "keyword", "extra": 1}""", ProblemTypes.MalformedRequest, "")]
    [InlineData("/v1/collections/nope/indexes/cat", """{"type": "keyword"}""", ProblemTypes.CollectionNotFound, "nope")]
    public async Task PutPayloadIndex_BadDeclaration_ProblemAndNothingDeclared(string path, string body, string type, string detail)
    {
        using var factory = new ServerFactory(_store.Settings());
        HttpClient client = factory.CreateClient();
        await SeedAsync(client, items: 4);
        var refused = await Api.PutAsync(client, path, body, Ct);
        Assert.Equal("application/problem+json", refused.MediaType);
        Assert.Equal(type, (string?)refused.Body!["type"]);
        Assert.Contains(detail, (string?)refused.Body["detail"] ?? string.Empty, StringComparison.Ordinal);
        Assert.Empty((await Api.GetAsync(client, "/v1/collections/docs/indexes", Ct)).Body!["indexes"]!.AsArray());
        Assert.Empty((await Api.GetAsync(client, "/v1/jobs", Ct)).Body!["jobs"]!.AsArray());
    }

    private static async Task SeedAsync(HttpClient client, int items = ItemCount)
    {
        await Api.PutAsync(client, "/v1/models/text/versions/v1", """{"dimension": 3, "metric": "cosine"}""", Ct);
        await Api.PutAsync(client, "/v1/collections/docs", """{"servingVersion": "text@v1"}""", Ct);
        var random = new Random(7);
        var list = new JsonArray();
        for (int i = 0; i < items; i++)
        {
            var vector = new JsonArray(random.NextSingle() + 0.01f, random.NextSingle(), random.NextSingle());
            var payload = new JsonObject { ["cat"] = "c" + (i % 10).ToString(CultureInfo.InvariantCulture), ["n"] = i % 7 == 0 ? i + 0.5 : i };
            if (i % 3 == 0)
            {
                payload["meta"] = new JsonObject { ["flag"] = i % 2 == 0 };
            }

            list.Add(new JsonObject { ["id"] = "d" + i.ToString("D3", CultureInfo.InvariantCulture), ["payload"] = payload, ["vectors"] = new JsonObject { ["text@v1"] = vector } });
        }

        // The test server's batch limit is 50 items.
        foreach (JsonNode?[] chunk in list.ToArray().Chunk(50))
        {
            var batch = new JsonArray([.. chunk.Select(n => n!.DeepClone())]);
            var written = await Api.PostAsync(client, "/v1/collections/docs/items", new JsonObject { ["items"] = batch }.ToJsonString(), Ct);
            Assert.True(written.Status == HttpStatusCode.OK, written.Body?.ToJsonString());
        }
    }

    private static async Task<string> HitsAsync(HttpClient client, string body)
    {
        var response = await Api.PostAsync(client, "/v1/collections/docs/search", body, Ct);
        Assert.Equal(HttpStatusCode.OK, response.Status);
        return string.Join(';', response.Body!["hits"]!.AsArray().Select(h => (string?)h!["id"] + "=" + ((double)h["score"]!).ToString("R", CultureInfo.InvariantCulture)));
    }

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
