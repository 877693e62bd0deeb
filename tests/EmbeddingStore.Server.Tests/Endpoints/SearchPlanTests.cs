// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using EmbeddingStore.Server.Tests.TestSupport;
using EmbeddingStore.Tests.Shared;

namespace EmbeddingStore.Server.Tests.Endpoints;

// The "plan" member of a search result says what ran, which for a graph index is the planner's choice: the graph, the
// filtered graph walk, or an exact scan of a selective filter's few matching rows. Single and batch search alike.
public sealed class SearchPlanTests
{
    private const int Items = 400;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Search_IndexAndFilter_PlanSaysWhatRan()
    {
        using var factory = new ServerFactory();
        HttpClient client = factory.CreateClient();
        await FillAsync(client);

        // k 1 and ef 1: the planner charges the graph 16 rows, less than the 400 stored, so hnsw walks the graph.
        Assert.Equal("exact", await PlanAsync(client, """{"vector": [1, 0.2, 0.1], "k": 1}"""));
        Assert.Equal("exact-filtered", await PlanAsync(client, """{"vector": [1, 0.2, 0.1], "k": 1, "filter": {"must": [{"key": "g", "match": 7}]}}"""));
        Assert.Equal("hnsw", await PlanAsync(client, """{"vector": [1, 0.2, 0.1], "k": 1, "index": "hnsw", "ef": 1}"""));

        // Every item passes: the walk (160 + 10 × 8 rows per unit of ef, with the payload evaluations) is cheaper than the
        // 400-row scan.
        Assert.Equal("hnsw-filtered", await PlanAsync(client, """{"vector": [1, 0.2, 0.1], "k": 1, "index": "hnsw", "ef": 1, "filter": {"must": [{"key": "all", "match": 1}]}}"""));

        // Four items of 400 pass (1 %): the scan runs, and the answer is exact.
        var selective = await Api.PostAsync(
            client, "/v1/collections/docs/search", """{"vector": [1, 0.2, 0.1], "k": 5, "index": "hnsw", "ef": 4, "filter": {"must": [{"key": "g", "match": 7}]}}""", Ct);
        Assert.Equal(HttpStatusCode.OK, selective.Status);
        Assert.Equal("hnsw", selective.Body!["index"]!.GetValue<string>());
        Assert.Equal("exact-filtered", selective.Body["plan"]!.GetValue<string>());
        Assert.Equal(["i107", "i207", "i307", "i7"], selective.Body["hits"]!.AsArray().Select(h => h!["id"]!.GetValue<string>()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task SearchBatch_IndexAndFilter_EveryResultSaysWhatRan()
    {
        using var factory = new ServerFactory();
        HttpClient client = factory.CreateClient();
        await FillAsync(client);
        const string Vectors = """[[1, 0.2, 0.1], [0.1, 1, 0.3], [0.2, 0.1, 1]]""";

        var graph = await Api.PostAsync(
            client, "/v1/collections/docs/search/batch", $$$"""{"vectors": {{{Vectors}}}, "k": 1, "index": "hnsw", "ef": 1, "filter": {"must": [{"key": "all", "match": 1}]}}""", Ct);
        Assert.Equal(HttpStatusCode.OK, graph.Status);
        Assert.All(graph.Body!["results"]!.AsArray(), r => Assert.Equal("hnsw-filtered", r!["plan"]!.GetValue<string>()));

        var exact = await Api.PostAsync(client, "/v1/collections/docs/search/batch", $$"""{"vectors": {{Vectors}}, "k": 2}""", Ct);
        Assert.All(exact.Body!["results"]!.AsArray(), r => Assert.Equal("exact", r!["plan"]!.GetValue<string>()));

        var selective = await Api.PostAsync(
            client, "/v1/collections/docs/search/batch", $$$"""{"vectors": {{{Vectors}}}, "k": 2, "index": "hnsw", "filter": {"must": [{"key": "g", "match": 7}]}}""", Ct);
        Assert.All(selective.Body!["results"]!.AsArray(), r =>
        {
            Assert.Equal("exact-filtered", r!["plan"]!.GetValue<string>());
            Assert.All(r["hits"]!.AsArray(), h => Assert.Equal(7, h!["payload"]!["g"]!.GetValue<int>()));
        });
    }

    private static async Task<string> PlanAsync(HttpClient client, string body)
    {
        var response = await Api.PostAsync(client, "/v1/collections/docs/search", body, Ct);
        Assert.Equal(HttpStatusCode.OK, response.Status);
        return response.Body!["plan"]!.GetValue<string>();
    }

    // 400 seeded 3-d items, in batches of 50 (the test server's limit); g = i % 100, so each g value is held by four items.
    private static async Task FillAsync(HttpClient client)
    {
        await Api.PutAsync(client, "/v1/models/text/versions/v1", """{"dimension": 3, "metric": "cosine"}""", Ct);
        await Api.PutAsync(client, "/v1/collections/docs", """{"servingVersion": "text@v1"}""", Ct);
        var random = new Random(21);
        for (int first = 0; first < Items; first += 50)
        {
            var items = new JsonArray();
            for (int i = first; i < first + 50; i++)
            {
                float[] vector = [(float)random.NextDouble() + 0.01f, (float)random.NextDouble(), (float)random.NextDouble()];
                items.Add(JsonNode.Parse(string.Create(
                    CultureInfo.InvariantCulture, $$$"""{"id": "i{{{i}}}", "payload": {"g": {{{i % 100}}}, "all": 1}, "vectors": {"text@v1": {{{Api.Vector(vector)}}}}}""")));
            }

            var written = await Api.PostAsync(client, "/v1/collections/docs/items", new StringBuilder().Append("{\"items\": ").Append(items.ToJsonString()).Append('}').ToString(), Ct);
            Assert.True(written.Status is HttpStatusCode.OK or HttpStatusCode.Created, $"upsert answered {written.Status}.");
        }
    }
}
