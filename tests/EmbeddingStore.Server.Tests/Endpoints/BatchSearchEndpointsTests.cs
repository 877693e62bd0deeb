// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using EmbeddingStore.Server.Tests.TestSupport;
using EmbeddingStore.Tests.Shared;

namespace EmbeddingStore.Server.Tests.Endpoints;

// The batch endpoint over real HTTP: each result equals the single search endpoint's answer for that vector.
public sealed class BatchSearchEndpointsTests : IAsyncLifetime
{
    private const int Dimension = 12;
    private readonly ServerFactory _factory = new();
    private HttpClient _client = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _client = _factory.CreateClient();
        await Api.PutAsync(_client, "/v1/models/text/versions/v1", """{"dimension": 12, "metric": "cosine"}""", Ct);
        await Api.PutAsync(_client, "/v1/collections/docs", """{"servingVersion": "text@v1"}""", Ct);
        var random = new Random(12);
        for (int batch = 0; batch < 4; batch++)
        {
            var items = Enumerable.Range(0, 50).Select(i =>
            {
                string id = "d" + ((batch * 50) + i).ToString("D3", CultureInfo.InvariantCulture);
                string lang = i % 2 == 0 ? "en" : "de";
                return $$"""{"id": "{{id}}", "payload": {"lang": "{{lang}}"}, "vectors": {"text@v1": """ + Api.Vector(Vector(random)) + "}}";
            });
            var response = await Api.PostAsync(_client, "/v1/collections/docs/items", "{\"items\": [" + string.Join(", ", items) + "]}", Ct);
            Assert.Equal(HttpStatusCode.OK, response.Status);
        }
    }

    public ValueTask DisposeAsync()
    {
        _factory.Dispose();
        return ValueTask.CompletedTask;
    }

    [Theory]
    [InlineData("exact", false)]
    [InlineData("exact", true)]
    [InlineData("int8", false)]
    public async Task SearchBatch_FiveQueries_EachEqualsSingleSearch(string index, bool filtered)
    {
        var random = new Random(99);
        var vectors = Enumerable.Range(0, 5).Select(_ => Api.Vector(Vector(random))).ToList();
        string filter = filtered ? """, "filter": {"must": [{"key": "lang", "match": "en"}]}""" : string.Empty;

        var batch = await Api.PostAsync(
            _client, "/v1/collections/docs/search/batch", $$"""{"vectors": [{{string.Join(", ", vectors)}}], "k": 7, "index": "{{index}}"{{filter}}}""", Ct);

        Assert.Equal(HttpStatusCode.OK, batch.Status);
        JsonArray results = batch.Body!["results"]!.AsArray();
        Assert.Equal(vectors.Count, results.Count);
        for (int i = 0; i < vectors.Count; i++)
        {
            var single = await Api.PostAsync(_client, "/v1/collections/docs/search", $$"""{"vector": {{vectors[i]}}, "k": 7, "index": "{{index}}"{{filter}}}""", Ct);
            Assert.Equal(HttpStatusCode.OK, single.Status);
            Assert.Equal(7, results[i]!["hits"]!.AsArray().Count);
            Assert.Equal(single.Body!["hits"]!.ToJsonString(), results[i]!["hits"]!.ToJsonString());
        }
    }

    [Fact]
    public async Task SearchBatch_WrongDimension_ProblemNamesTheVector()
    {
        var response = await Api.PostAsync(_client, "/v1/collections/docs/search/batch", """{"vectors": [[1,0,0,0,0,0,0,0,0,0,0,0], [1, 2]]}""", Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Contains("vectors[1]", response.Body!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    private static float[] Vector(Random random) =>
        [.. Enumerable.Range(0, Dimension).Select(_ => (float)((random.NextDouble() * 2) - 1))];
}
