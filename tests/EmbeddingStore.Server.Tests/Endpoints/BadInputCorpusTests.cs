// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Globalization;
using System.Net;
using System.Text;
using EmbeddingStore.Server.Tests.TestSupport;
using EmbeddingStore.Tests.Shared;

namespace EmbeddingStore.Server.Tests.Endpoints;

// A generated corpus of malformed and hostile requests (seeded, so every run sends the same ones): truncations at every
// few bytes, wrong types, huge numbers, deep nesting, unknown and missing fields, unicode edge cases in ids, and path
// tricks in names. Every answer must be 4xx application/problem+json, and the store's content must be unchanged.
public sealed class BadInputCorpusTests : IAsyncLifetime
{
    private const string ValidUpsert = """{"items": [{"id": "new-1", "payload": {"lang": "en", "n": 1}, "vectors": {"text@v1": [0.1, 0.2, 0.3]}}]}""";
    private const string ValidSearch = """{"vector": [0.1, 0.2, 0.3], "version": "text@v1", "k": 3, "filter": {"must": [{"key": "lang", "match": "en"}]}}""";
    private readonly ServerFactory _factory = new();
    private HttpClient _client = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _client = _factory.CreateClient();
        CancellationToken ct = TestContext.Current.CancellationToken;
        await Api.PutAsync(_client, "/v1/models/text/versions/v1", """{"dimension": 3, "metric": "cosine"}""", ct);
        await Api.PutAsync(_client, "/v1/collections/docs", """{"servingVersion": "text@v1"}""", ct);
        await Api.PostAsync(_client, "/v1/collections/docs/items", """{"items": [{"id": "a1", "payload": {"lang": "en"}, "vectors": {"text@v1": [1, 0, 0]}}]}""", ct);
    }

    public ValueTask DisposeAsync()
    {
        _factory.Dispose();
        return ValueTask.CompletedTask;
    }

    public static IEnumerable<(string Method, string Path, string? Body)> Corpus()
    {
        var random = new Random(20261126);

        // Truncations: every prefix of a valid body at a seeded stride is invalid JSON.
        foreach (string body in new[] { ValidUpsert, ValidSearch })
        {
            string path = body == ValidUpsert ? "/v1/collections/docs/items" : "/v1/collections/docs/search";
            for (int cut = 0; cut < body.Length - 1; cut += random.Next(2, 6))
            {
                yield return ("POST", path, body[..cut]);
            }
        }

        // Wrong types in every field of an upsert item.
        string[] wrongValues = ["\"text\"", "123", "true", "null", "[]", "{}", "[[1]]", "1e999", "-0.0e-", "\"\\u0000\""];
        foreach (string value in wrongValues)
        {
            if (value != "\"text\"")
            {
                yield return ("POST", "/v1/collections/docs/items", "{\"items\": [{\"id\": " + value + ", \"vectors\": {\"text@v1\": [0.1, 0.2, 0.3]}}]}");
            }

            yield return ("POST", "/v1/collections/docs/items", "{\"items\": [{\"id\": \"x\", \"vectors\": {\"text@v1\": " + value + "}}]}");
            yield return ("POST", "/v1/collections/docs/items", "{\"items\": " + value + "}");
            yield return ("POST", "/v1/collections/docs/search", "{\"vector\": " + value + "}");
        }

        // Huge and non-finite numbers where vectors and k go.
        foreach (string number in new[] { "1e39", "-1e39", "3.5e38", "1e400", "99999999999999999999", "NaN", "Infinity", "-Infinity", "0x10", "01" })
        {
            yield return ("POST", "/v1/collections/docs/items", "{\"items\": [{\"id\": \"x\", \"vectors\": {\"text@v1\": [" + number + ", 0.2, 0.3]}}]}");
            yield return ("POST", "/v1/collections/docs/search", "{\"vector\": [0.1, 0.2, 0.3], \"k\": " + number + "}");
        }

        // Deep nesting of the payload, and of the body itself.
        foreach (int depth in new[] { 65, 100, 1000, 5000 })
        {
            yield return ("POST", "/v1/collections/docs/items", "{\"items\": [{\"id\": \"x\", \"payload\": {\"a\": " + new string('[', depth) + new string(']', depth) + "}, \"vectors\": {\"text@v1\": [0.1, 0.2, 0.3]}}]}");
            yield return ("POST", "/v1/collections/docs/search", new string('[', depth) + new string(']', depth));
        }

        // Unknown fields and missing required fields.
        foreach (string field in new[] { "\"vector\": [1]", "\"ID\": \"x\"", "\"payloads\": {}", "\"__proto__\": {}", "\"id \": \"y\"" })
        {
            yield return ("POST", "/v1/collections/docs/items", "{\"items\": [{\"id\": \"x\", " + field + ", \"vectors\": {\"text@v1\": [0.1, 0.2, 0.3]}}]}");
        }

        yield return ("POST", "/v1/collections/docs/items", "{}");
        yield return ("POST", "/v1/collections/docs/items", "{\"items\": [{}]}");
        yield return ("POST", "/v1/collections/docs/items", "{\"items\": [{\"vectors\": {\"text@v1\": [0.1, 0.2, 0.3]}}]}");
        yield return ("PUT", "/v1/models/text/versions/v9", "{}");
        // (An empty collection body is valid since a collection may have no serving version; an unknown one is not.)
        yield return ("PUT", "/v1/collections/c9", "{\"servingVersion\": \"text@v9\"}");
        yield return ("POST", "/v1/links", "{}");

        // Unicode edge cases in ids (as JSON escapes): lone surrogates, controls, noncharacters embedded with a control, huge ids.
        foreach (string id in new[] { "\\ud800", "\\udc00", "a\\ud800b", "\\u0000", "\\u001f", "a\\u007fb", "\\ufffe\\u0001", new string('x', 65), new string('é', 100) })
        {
            yield return ("POST", "/v1/collections/docs/items", "{\"items\": [{\"id\": \"" + id + "\", \"vectors\": {\"text@v1\": [0.1, 0.2, 0.3]}}]}");
        }

        // Path tricks in collection, model and version names. (A NUL byte, %00, is refused by Kestrel itself with a bare 400
        // before the application sees the request, and the in-memory test host throws on it, so it is not in the corpus.)
        foreach (string name in new[] { "..", "%2e%2e", ".hidden", "a%2Fb", "%E2%80%AE", new string('n', 200), "a%20b", "-dash", "%C0%AE" })
        {
            yield return ("PUT", "/v1/collections/" + name, "{\"servingVersion\": \"text@v1\"}");
            yield return ("PUT", "/v1/models/" + name + "/versions/v1", "{\"dimension\": 3, \"metric\": \"cosine\"}");
            yield return ("POST", "/v1/collections/" + name + "/items", ValidUpsert);
        }

        // Random byte garbage of seeded lengths.
        for (int i = 0; i < 10; i++)
        {
            var bytes = new byte[random.Next(1, 300)];
            random.NextBytes(bytes);
            yield return ("POST", "/v1/collections/docs/items", Encoding.Latin1.GetString(bytes));
        }
    }

    [Fact]
    public async Task Corpus_EveryRequest_Is4xxProblemAndStoreUnchanged()
    {
        string before = await Api.SnapshotAsync(_client, Ct);
        var cases = Corpus().ToList();
        var failures = new List<string>();
        foreach ((string method, string path, string? body) in cases)
        {
            (HttpStatusCode status, _, string? mediaType) = await Api.SendAsync(_client, new HttpMethod(method), path, body, cancellationToken: Ct);
            if ((int)status < 400 || (int)status >= 500 || mediaType != "application/problem+json")
            {
                failures.Add($"{method} {path} {Shorten(body)} -> {(int)status} {mediaType}");
            }
        }

        Assert.True(cases.Count >= 100, $"only {cases.Count} requests in the corpus");
        Assert.True(failures.Count == 0, string.Join('\n', failures));
        Assert.Equal(before, await Api.SnapshotAsync(_client, Ct));
        TestContext.Current.TestOutputHelper?.WriteLine(cases.Count.ToString(CultureInfo.InvariantCulture) + " bad requests, all 4xx problem+json, store unchanged");
    }

    private static string Shorten(string? body) => body is null ? "(no body)" : body.Length <= 80 ? body : body[..80] + "...";
}
