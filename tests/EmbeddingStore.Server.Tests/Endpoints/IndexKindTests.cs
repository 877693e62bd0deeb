// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Globalization;
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
    public async Task Search_HnswQuantized_WalksInt8CodesAndSaysSo()
    {
        using var factory = new ServerFactory();
        HttpClient client = factory.CreateClient();
        await Api.PutAsync(client, "/v1/models/text/versions/v1", """{"dimension": 4, "metric": "cosine"}""", Ct);
        await Api.PutAsync(client, "/v1/collections/docs", """{"servingVersion": "text@v1"}""", Ct);

        // Enough rows that the planner walks the graph at ef 8 (it scans segments of at most 16 rows per unit of ef).
        // In batches of 50, the test server's batch limit.
        var random = new Random(17);
        for (int first = 0; first < 200; first += 50)
        {
            string items = string.Join(", ", Enumerable.Range(first, 50).Select(i =>
                $$$"""{"id": "i{{{i}}}", "vectors": {"text@v1": [{{{string.Join(", ", Enumerable.Range(0, 4).Select(_ => (random.NextDouble() - 0.5).ToString("R", CultureInfo.InvariantCulture)))}}}]}}"""));
            var upserted = await Api.PostAsync(client, "/v1/collections/docs/items", $$"""{"items": [{{items}}]}""", Ct);
            Assert.True(upserted.Status == HttpStatusCode.OK, upserted.Body?.ToJsonString());
        }

        const string Query = """ "vector": [0.3, -0.2, 0.1, 0.4], "k": 3 """;
        var exact = await Api.PostAsync(client, "/v1/collections/docs/search", $$"""{{{Query}}, "index": "exact"}""", Ct);
        var codes = await Api.PostAsync(client, "/v1/collections/docs/search", $$"""{{{Query}}, "index": "hnsw", "ef": 8, "quantized": true}""", Ct);
        Assert.Equal(HttpStatusCode.OK, codes.Status);
        Assert.Equal("hnsw-int8", codes.Body!["plan"]!.GetValue<string>());
        Assert.Equal("hnsw", codes.Body["index"]!.GetValue<string>());

        // The best hit and its score are the exact scan's: the codes only chose which rows were re-scored.
        Assert.Equal(exact.Body!["hits"]![0]!["id"]!.GetValue<string>(), codes.Body["hits"]![0]!["id"]!.GetValue<string>());
        Assert.Equal(exact.Body["hits"]![0]!["score"]!.GetValue<double>(), codes.Body["hits"]![0]!["score"]!.GetValue<double>());

        // The codes are now kept for the segment, beside the graph.
        var info = await Api.GetAsync(client, "/v1/collections/docs", Ct);
        Assert.Contains(info.Body!["indexes"]!.AsArray(), i => i!["index"]!.GetValue<string>() == "int8");

        var batch = await Api.PostAsync(
            client, "/v1/collections/docs/search/batch", """{"vectors": [[0.3, -0.2, 0.1, 0.4], [0, 1, 0, 0]], "k": 2, "index": "hnsw", "ef": 8, "quantized": true}""", Ct);
        Assert.Equal(HttpStatusCode.OK, batch.Status);
        Assert.All(batch.Body!["results"]!.AsArray(), r => Assert.Equal("hnsw-int8", r!["plan"]!.GetValue<string>()));

        var bad = await Api.PostAsync(client, "/v1/collections/docs/search", $$"""{{{Query}}, "index": "hnsw", "quantized": "yes"}""", Ct);
        Assert.Equal(HttpStatusCode.BadRequest, bad.Status);
        Assert.StartsWith("/problems/", bad.Body!["type"]!.GetValue<string>(), StringComparison.Ordinal);
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

    [Fact]
    public async Task PutCollection_HnswIndexSettings_StoredValidatedAndShownPerSegment()
    {
        using var factory = new ServerFactory();
        HttpClient client = factory.CreateClient();
        await Api.PutAsync(client, "/v1/models/text/versions/v1", """{"dimension": 3, "metric": "cosine"}""", Ct);
        var created = await Api.PutAsync(
            client, "/v1/collections/docs", """{"servingVersion": "text@v1", "defaultIndex": "hnsw", "indexSettings": {"m": 8, "efConstruction": 40}}""", Ct);
        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.Equal(8, created.Body!["indexSettings"]!["m"]!.GetValue<int>());
        Assert.Equal(40, created.Body["indexSettings"]!["efConstruction"]!.GetValue<int>());
        await Api.PostAsync(client, "/v1/collections/docs/items", """{"items": [{"id": "a", "vectors": {"text@v1": [1, 0, 0]}}, {"id": "b", "vectors": {"text@v1": [0, 1, 0]}}]}""", Ct);
        Assert.Equal("a", (await Api.PostAsync(client, "/v1/collections/docs/search", """{"vector": [1, 0, 0], "k": 1}""", Ct)).Body!["hits"]![0]!["id"]!.GetValue<string>());

        // The searched kind is listed for the segment: serving, every vector in it, the settings it was built with resolved.
        var info = await Api.GetAsync(client, "/v1/collections/docs", Ct);
        var hnsw = info.Body!["indexes"]!.AsArray().Single(i => i!["index"]!.GetValue<string>() == "hnsw")!;
        Assert.Equal("text@v1", hnsw["version"]!.GetValue<string>());
        Assert.Equal("ready", hnsw["state"]!.GetValue<string>());
        Assert.Equal(2, hnsw["vectorsIndexed"]!.GetValue<long>());
        Assert.True(hnsw["memoryBytes"]!.GetValue<long>() > 0);
        Assert.Equal((8, 40, 1), (hnsw["settings"]!["m"]!.GetValue<int>(), hnsw["settings"]!["efConstruction"]!.GetValue<int>(), hnsw["settings"]!["buildThreads"]!.GetValue<int>()));
        Assert.False(hnsw["settings"]!["keepPrunedConnections"]!.GetValue<bool>());

        // Out of range, or an unknown member: refused with a problem, and the stored settings are unchanged.
        foreach (string bad in new[] { """{"m": 1}""", """{"m": 8, "efConstruction": 4}""", """{"buildThreads": 0}""", """{"depth": 3}""", """{"keepPrunedConnections": "yes"}""" })
        {
            var refused = await Api.PutAsync(client, "/v1/collections/docs", $$"""{"servingVersion": "text@v1", "indexSettings": {{bad}}}""", Ct);
            Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
            Assert.StartsWith("/problems/", refused.Body!["type"]!.GetValue<string>(), StringComparison.Ordinal);
        }

        var tooMany = await Api.PutAsync(client, "/v1/collections/docs", """{"servingVersion": "text@v1", "indexSettings": {"m": 101}}""", Ct);
        Assert.Equal(ProblemTypes.LimitExceeded, tooMany.Body!["type"]!.GetValue<string>());
        Assert.Equal(8, (await Api.GetAsync(client, "/v1/collections/docs", Ct)).Body!["indexSettings"]!["m"]!.GetValue<int>());

        // New settings replace the graph: it is rebuilt with them by the next hnsw search.
        var changed = await Api.PutAsync(client, "/v1/collections/docs", """{"servingVersion": "text@v1", "indexSettings": {"m": 4, "efConstruction": 20, "buildThreads": 2, "keepPrunedConnections": true}}""", Ct);
        Assert.Equal(HttpStatusCode.OK, changed.Status);
        Assert.DoesNotContain(changed.Body!["indexes"]!.AsArray(), i => i!["index"]!.GetValue<string>() == "hnsw");
        await Api.PostAsync(client, "/v1/collections/docs/search", """{"vector": [0, 1, 0], "k": 1}""", Ct);
        var rebuilt = (await Api.GetAsync(client, "/v1/collections/docs", Ct)).Body!["indexes"]!.AsArray().Single(i => i!["index"]!.GetValue<string>() == "hnsw")!;
        Assert.Equal((4, 2, true), (rebuilt["settings"]!["m"]!.GetValue<int>(), rebuilt["settings"]!["buildThreads"]!.GetValue<int>(), rebuilt["settings"]!["keepPrunedConnections"]!.GetValue<bool>()));
        Assert.True((await Api.GetAsync(client, "/v1/collections/docs", Ct)).Body!["indexSettings"]!["keepPrunedConnections"]!.GetValue<bool>());
    }
}
