// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json.Nodes;
using EmbeddingStore.Contracts;
using EmbeddingStore.Server.Tests.TestSupport;
using EmbeddingStore.Tests.Shared;

namespace EmbeddingStore.Server.Tests.Endpoints;

// The streamed NDJSON bulk upsert against the real server process on 127.0.0.1 and its real SQLite file: whole chunks
// only, a failure reports exactly the committed prefix, and a stream larger than the request body limit passes.
public sealed class BulkUpsertEndpointsTests : IAsyncLifetime
{
    private const int Dimension = 8;
    private const int BodyLimit = 65_536;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "es-bulk-tests", Guid.NewGuid().ToString("N"));
    private ServerProcess _server = null!;
    private HttpClient _client = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _server = await ServerProcess.StartAsync(
            Path.Combine(_directory, "store.db"), Ct, settings: ["--Limits:MaxRequestBodyBytes", BodyLimit.ToString(CultureInfo.InvariantCulture), "--Limits:MaxBatchItems", "200"]);
        _client = new HttpClient { BaseAddress = _server.Address };
        Assert.Equal(HttpStatusCode.Created, (await Api.PutAsync(_client, "/v1/models/raw/versions/v1", """{"dimension": 8, "metric": "dot"}""", Ct)).Status);
        Assert.Equal(HttpStatusCode.Created, (await Api.PutAsync(_client, "/v1/collections/docs", """{"servingVersion": "raw@v1"}""", Ct)).Status);
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        _server.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }

        return ValueTask.CompletedTask;
    }

    private static float[] Vector(int i)
    {
        var random = new Random(i);
        return [.. Enumerable.Range(0, Dimension).Select(_ => (float)((random.NextDouble() * 2) - 1))];
    }

    private static string Id(int i) => "i" + i.ToString("D5", CultureInfo.InvariantCulture);

    private static string Base64(float[] v) => Convert.ToBase64String(MemoryMarshal.AsBytes(v.AsSpan()));

    // Alternate base64 and array vectors, with a small payload, one item per line.
    private static string Line(int i) => i % 2 == 0
        ? $$$"""{"id": "{{{Id(i)}}}", "payload": {"n": {{{i}}}}, "vectors": {"raw@v1": "{{{Base64(Vector(i))}}}"}}"""
        : $$$"""{"id": "{{{Id(i)}}}", "payload": {"n": {{{i}}}}, "vectors": {"raw@v1": [{{{string.Join(", ", Vector(i).Select(f => f.ToString("R", CultureInfo.InvariantCulture)))}}}]}}""";

    private async Task<(HttpStatusCode Status, JsonNode? Body, HttpResponseMessage Response)> PostBulkAsync(
        string body, string query = "", bool chunked = false, string contentType = "application/x-ndjson", string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/collections/docs/items/bulk" + query)
        {
            Content = new StringContent(body, Encoding.UTF8),
        };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (chunked)
        {
            request.Headers.TransferEncodingChunked = true;
        }

        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        HttpResponseMessage response = await _client.SendAsync(request, Ct);
        string text = await response.Content.ReadAsStringAsync(Ct);
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text), response);
    }

    private async Task<List<string>> StoredIdsAsync()
    {
        var ids = new List<string>();
        string? cursor = null;
        do
        {
            JsonNode page = (await Api.GetAsync(_client, "/v1/collections/docs/items?limit=1000" + (cursor is null ? string.Empty : "&cursor=" + Uri.EscapeDataString(cursor)), Ct)).Body!;
            ids.AddRange(page["items"]!.AsArray().Select(i => i!["id"]!.GetValue<string>()));
            cursor = page["nextCursor"]?.GetValue<string>();
        }
        while (cursor is not null);
        return ids;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task BulkUpsertItems_StreamBeyondBodyLimit_CommitsEveryChunkAndReportsIt(bool chunked)
    {
        const int count = 1_050;
        string body = string.Join("\n", Enumerable.Range(0, count).Select(Line)) + "\n";
        Assert.True(Encoding.UTF8.GetByteCount(body) > 2 * BodyLimit, Encoding.UTF8.GetByteCount(body).ToString(CultureInfo.InvariantCulture));

        var response = await PostBulkAsync(body, "?chunkSize=100", chunked);

        Assert.True(response.Status == HttpStatusCode.OK, response.Body?.ToJsonString());
        Assert.Equal(count, response.Body!["upserted"]!.GetValue<long>());
        Assert.Equal(11, response.Body["chunks"]!.GetValue<int>());
        Assert.Equal(count, response.Body["lines"]!.GetValue<long>());
        Assert.Equal(Enumerable.Range(0, count).Select(Id), await StoredIdsAsync());
        foreach (int i in new[] { 0, 1, 517, count - 1 })
        {
            JsonNode item = (await Api.GetAsync(_client, $"/v1/collections/docs/items/{Id(i)}?withVectors=true&vectorEncoding=base64", Ct)).Body!;
            Assert.Equal(Base64(Vector(i)), item["vectors"]!["raw@v1"]!.GetValue<string>());
            Assert.Equal(i, item["payload"]!["n"]!.GetValue<int>());
        }
    }

    public static TheoryData<string, string, string> BadLines() => new()
    {
        // name, the bad line (replacing line 348, item 347), problem type
        { "not JSON", """{"id": "x", "vec""", ProblemTypes.InvalidArgument },
        { "wrong dimension", """{"id": "x", "vectors": {"raw@v1": [1, 2, 3]}}""", ProblemTypes.DimensionMismatch },
        { "bad base64", """{"id": "x", "vectors": {"raw@v1": "AAAA!AAA"}}""", ProblemTypes.InvalidArgument },
        { "NaN in base64", "{\"id\": \"x\", \"vectors\": {\"raw@v1\": \"" + Base64([1, 2, float.NaN, 4, 5, 6, 7, 8]) + "\"}}", ProblemTypes.InvalidVector },
        { "duplicate id in chunk", "{\"id\": \"" + Id(310) + "\", \"vectors\": {\"raw@v1\": " + "[1, 2, 3, 4, 5, 6, 7, 8]" + "}}", ProblemTypes.DuplicateId },
        { "unknown version", """{"id": "x", "vectors": {"raw@v9": [1, 2, 3, 4, 5, 6, 7, 8]}}""", ProblemTypes.ModelVersionNotFound },
        { "two objects on a line", """{"id": "x", "vectors": {"raw@v1": [1, 2, 3, 4, 5, 6, 7, 8]}} {"id": "y"}""", ProblemTypes.InvalidArgument },
        { "a JSON array", "[1, 2]", ProblemTypes.InvalidArgument },
    };

    [Theory]
    [MemberData(nameof(BadLines))]
    public async Task BulkUpsertItems_BadLineMidStream_ReportsCommittedPrefixAndStoresExactlyIt(string name, string badLine, string problemType)
    {
        _ = name;
        List<string> lines = [.. Enumerable.Range(0, 500).Select(Line)];
        lines[347] = badLine;

        var response = await PostBulkAsync(string.Join("\n", lines), "?chunkSize=100");

        Assert.False(response.Status == HttpStatusCode.OK, response.Body?.ToJsonString());
        Assert.Equal("application/problem+json", response.Response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(problemType, response.Body!["type"]!.GetValue<string>());
        Assert.Equal(300, response.Body[BulkUpsertProblemMembers.CommittedItems]!.GetValue<long>());
        Assert.Equal(3, response.Body[BulkUpsertProblemMembers.CommittedChunks]!.GetValue<int>());
        Assert.Equal(348, response.Body[BulkUpsertProblemMembers.Line]!.GetValue<long>());
        Assert.Contains("line 348", response.Body["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(Enumerable.Range(0, 300).Select(Id), await StoredIdsAsync());
    }

    [Fact]
    public async Task BulkUpsertItems_ChunkFailsWhileNextChunkHasBadLine_ReportsTheEarlierChunk()
    {
        // Chunk 4 fails in the engine (its commit runs while chunk 5 is parsed), and chunk 5 has a line that is not JSON:
        // the answer names the first failure in stream order, and chunk 5 is never committed.
        List<string> lines = [.. Enumerable.Range(0, 500).Select(Line)];
        lines[347] = """{"id": "x", "vectors": {"raw@v1": [1, 2, 3]}}""";
        lines[420] = """{"id": "y", "vec""";

        var response = await PostBulkAsync(string.Join("\n", lines), "?chunkSize=100");

        Assert.Equal(ProblemTypes.DimensionMismatch, response.Body!["type"]!.GetValue<string>());
        Assert.Equal(300, response.Body[BulkUpsertProblemMembers.CommittedItems]!.GetValue<long>());
        Assert.Equal(348, response.Body[BulkUpsertProblemMembers.Line]!.GetValue<long>());
        Assert.Equal(Enumerable.Range(0, 300).Select(Id), await StoredIdsAsync());
    }

    [Fact]
    public async Task BulkUpsertItems_BlankLinesCrlfAndNoFinalNewline_AllItemsCommitted()
    {
        string body = Line(0) + "\r\n\r\n" + Line(1) + "\n   \n" + Line(2);

        var response = await PostBulkAsync(body);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal(3, response.Body!["upserted"]!.GetValue<long>());
        Assert.Equal(1, response.Body["chunks"]!.GetValue<int>());
        Assert.Equal(5, response.Body["lines"]!.GetValue<long>());
        Assert.Equal([Id(0), Id(1), Id(2)], await StoredIdsAsync());
    }

    [Fact]
    public async Task BulkUpsertItems_EmptyBody_ZeroChunks()
    {
        var response = await PostBulkAsync(string.Empty);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal(0, response.Body!["upserted"]!.GetValue<long>());
        Assert.Equal(0, response.Body["chunks"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("?chunkSize=0", "application/x-ndjson", 400, ProblemTypes.InvalidArgument)]
    [InlineData("?chunkSize=201", "application/x-ndjson", 400, ProblemTypes.InvalidArgument)]
    [InlineData("", "application/json", 415, ProblemTypes.UnsupportedMediaType)]
    public async Task BulkUpsertItems_BadRequest_ProblemAndNothingStored(string query, string contentType, int status, string problemType)
    {
        var response = await PostBulkAsync(Line(0) + "\n" + Line(1), query, contentType: contentType);

        Assert.Equal(status, (int)response.Status);
        Assert.Equal(problemType, response.Body!["type"]!.GetValue<string>());
        Assert.Empty(await StoredIdsAsync());
    }

    [Fact]
    public async Task BulkUpsertItems_UnknownCollection_NotFound()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/collections/nope/items/bulk") { Content = new StringContent(Line(0)) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");

        using HttpResponseMessage response = await _client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(ProblemTypes.CollectionNotFound, JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task BulkUpsertItems_IdempotencyKey_RefusedAndNothingStored()
    {
        var response = await PostBulkAsync(Line(0), idempotencyKey: "k1");

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal(ProblemTypes.InvalidArgument, response.Body!["type"]!.GetValue<string>());
        Assert.Contains("committedItems", response.Body["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(await StoredIdsAsync());
    }
}
