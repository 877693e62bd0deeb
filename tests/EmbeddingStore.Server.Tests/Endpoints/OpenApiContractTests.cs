// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using EmbeddingStore.Server.Tests.TestSupport;
using EmbeddingStore.Tests.Shared;

namespace EmbeddingStore.Server.Tests.Endpoints;

// The committed API document checked by tools nobody here wrote: Spectral lints it, and Prism stands as a validating
// proxy in front of real servers while the walk-through, every bad-input case and a probe of every documented operation
// (unauthenticated, unknown path values, an unknown body member, no Content-Type) go through it. Any response that breaks
// the document fails the test. Skipped, with the reason, when the tools in tools/openapi are not installed.
public sealed class OpenApiContractTests
{
    private const string AdminKey = "contract-test-admin-key";
    private const string ReaderKey = "contract-test-reader-key";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Lint_CommittedDocument_NoSpectralErrors()
    {
        string spectral = OpenApiTools.Require(OpenApiTools.Spectral);

        (int _, string output, string error) = await OpenApiTools.RunAsync(
            spectral, ["lint", OpenApiTools.SnapshotPath, "--ruleset", Path.Combine(OpenApiTools.Folder, ".spectral.yaml"), "--format", "json", "--quiet"], Ct);

        JsonArray results = JsonNode.Parse(output)?.AsArray() ?? throw new InvalidOperationException("spectral printed no JSON: " + output + error);
        // Spectral severities: 0 error, 1 warning, 2 information, 3 hint.
        List<string> errors = [.. results.Where(r => r!["severity"]!.GetValue<int>() == 0).Select(r => $"{r!["code"]}: {r["message"]} at {r["path"]?.ToJsonString()}")];
        TestContext.Current.TestOutputHelper?.WriteLine($"spectral:oas: {errors.Count} errors, {results.Count - errors.Count} warnings or hints");
        Assert.True(errors.Count == 0, "Spectral errors in schema/openapi/v1.json:\n" + string.Join('\n', errors));
    }

    [Fact]
    public async Task Prism_WalkthroughErrorsAndProbes_EveryResponseMatchesDocument()
    {
        string prism = OpenApiTools.Require(OpenApiTools.Prism);
        string directory = Path.Combine(Path.GetTempPath(), "es-contract-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var results = new List<Result>();
        try
        {
            // 1. An open server (no keys) with the test limits, as BadInputTests sees it.
            using (ServerProcess open = await ServerProcess.StartAsync(Path.Combine(directory, "open.db"), Ct, settings: OpenServerSettings()))
            using (PrismProxy proxy = await PrismProxy.StartAsync(prism, OpenApiTools.SnapshotPath, open.Address, Ct))
            using (HttpClient client = proxy.CreateClient())
            {
                foreach (Exchange exchange in Walkthrough().Concat(BadInputs()).Concat(Probes(ReadOperations())))
                {
                    results.Add(await SendAsync(client, exchange));
                }
            }

            // 2. A server with keys: every operation without a key (401), every write with a read key (403).
            using (ServerProcess keyed = await ServerProcess.StartAsync(Path.Combine(directory, "keyed.db"), Ct, settings: KeyedSettings(rateLimited: false)))
            using (PrismProxy proxy = await PrismProxy.StartAsync(prism, OpenApiTools.SnapshotPath, keyed.Address, Ct))
            using (HttpClient client = proxy.CreateClient())
            {
                foreach (Exchange exchange in AuthProbes(ReadOperations()))
                {
                    results.Add(await SendAsync(client, exchange));
                }
            }

            // 3. A server with keys and one request per second: 429 with Retry-After.
            using (ServerProcess limited = await ServerProcess.StartAsync(Path.Combine(directory, "limited.db"), Ct, settings: KeyedSettings(rateLimited: true)))
            using (PrismProxy proxy = await PrismProxy.StartAsync(prism, OpenApiTools.SnapshotPath, limited.Address, Ct))
            using (HttpClient client = proxy.CreateClient())
            {
                // Until two have been refused (one permit a second: on a loaded machine a request may take long enough to earn one).
                for (int i = 0, refused = 0; i < 50 && refused < 2; i++)
                {
                    Result result = await SendAsync(client, new Exchange($"rate limit {i}", "GET", "/v1/collections", null, Headers: Key(ReaderKey)));
                    results.Add(result);
                    refused += result.Status == HttpStatusCode.TooManyRequests ? 1 : 0;
                }
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // Best effort.
            }
        }

        List<Result> forwarded = [.. results.Where(r => r.Forwarded)];
        List<Result> answeredByPrism = [.. results.Where(r => !r.Forwarded)];
        List<Result> broken = [.. forwarded.Where(r => r.ResponseViolations.Count > 0)];
        string statuses = string.Join(", ", forwarded.GroupBy(r => r.Status).OrderBy(g => g.Key).Select(g => $"{g.Key}×{g.Count()}"));
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{results.Count} requests, {forwarded.Count} forwarded to the server ({statuses}), {answeredByPrism.Count} answered by Prism itself "
            + $"(bodies that are not JSON), {broken.Count} responses that break the document");

        Assert.True(broken.Count == 0, "Responses that break schema/openapi/v1.json:\n" + string.Join('\n', broken.Select(r => r.Describe())));
        // Prism answers itself only when it cannot read the body as JSON; everything else must have reached the server.
        List<Result> unexpected = [.. answeredByPrism.Where(r => IsJson(r.Exchange.Body))];
        Assert.True(unexpected.Count == 0, "Prism answered requests with JSON bodies itself:\n" + string.Join('\n', unexpected.Select(r => r.Describe())));
        Assert.Contains(forwarded, r => r.Status == HttpStatusCode.Unauthorized);
        Assert.Contains(forwarded, r => r.Status == HttpStatusCode.Forbidden);
        Assert.Contains(forwarded, r => r.Status == HttpStatusCode.TooManyRequests);
        Assert.Contains(forwarded, r => r.Status == HttpStatusCode.UnsupportedMediaType);
        Assert.Contains(forwarded, r => r.Status == HttpStatusCode.UnprocessableEntity);
    }

    private static IEnumerable<string> OpenServerSettings() =>
    [
        "--Limits:MaxBatchItems", "50", "--Limits:MaxK", "100", "--Limits:MaxBatchQueries", "5", "--Limits:MaxIdLength", "64",
        "--Limits:MaxPayloadBytes", "2048", "--Limits:MaxRequestBodyBytes", "262144", "--Limits:MaxFilterConditions", "4",
    ];

    private static IEnumerable<string> KeyedSettings(bool rateLimited)
    {
        var settings = new List<string>();
        (string Name, string Key, string Scope)[] keys = [("admin", AdminKey, "admin"), ("reader", ReaderKey, "read")];
        for (int i = 0; i < keys.Length; i++)
        {
            settings.AddRange([$"--Auth:Keys:{i}:Name", keys[i].Name, $"--Auth:Keys:{i}:Sha256", Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(keys[i].Key))),
                $"--Auth:Keys:{i}:Scopes:0", keys[i].Scope]);
        }

        if (rateLimited)
        {
            settings.AddRange(["--RateLimit:PermitsPerSecond", "1", "--RateLimit:Burst", "1"]);
        }

        return settings;
    }

    private static Dictionary<string, string> Key(string key) => new() { ["X-Api-Key"] = key };

    // The README's walk-through and the rest of the API's ordinary use, in order.
    private static IEnumerable<Exchange> Walkthrough()
    {
        const string Json = "application/json";
        yield return new("register v1", "PUT", "/v1/models/text/versions/v1", """{"dimension": 3, "metric": "cosine", "normalized": false}""");
        yield return new("register v1 again", "PUT", "/v1/models/text/versions/v1", """{"dimension": 3, "metric": "cosine", "normalized": false}""");
        yield return new("register other", "PUT", "/v1/models/other/versions/v1", """{"dimension": 3, "metric": "cosine"}""");
        yield return new("register unit", "PUT", "/v1/models/unit/versions/v1", """{"dimension": 3, "metric": "dot", "normalized": true}""");
        yield return new("create collection", "PUT", "/v1/collections/docs", """{"servingVersion": "text@v1"}""");
        yield return new("upsert", "POST", "/v1/collections/docs/items", """
            {"items": [
              {"id": "a1", "payload": {"lang": "en", "title": "cats"},  "vectors": {"text@v1": [0.9, 0.1, 0.0]}},
              {"id": "a2", "payload": {"lang": "de", "title": "Katzen"}, "vectors": {"text@v1": [0.8, 0.2, 0.1]}},
              {"id": "a3", "vectors": {"text@v1": [0.0, 0.3, 0.9]}}]}
            """);
        yield return new("search with filter", "POST", "/v1/collections/docs/search", """{"vector": [1.0, 0.1, 0.0], "version": "text@v1", "k": 2, "filter": {"must": [{"key": "lang", "match": "en"}]}}""");
        yield return new("search without payload", "POST", "/v1/collections/docs/search", """{"vector": [1.0, 0.1, 0.0], "withPayload": false}""");
        yield return new("search with vectors", "POST", "/v1/collections/docs/search", """{"vector": [1.0, 0.1, 0.0], "withVectors": true, "bridging": "none"}""");
        yield return new("search int8", "POST", "/v1/collections/docs/search", """{"vector": [1.0, 0.1, 0.0], "index": "int8", "oversampling": 2}""");
        yield return new("batch search", "POST", "/v1/collections/docs/search/batch", """{"vectors": [[1.0, 0.1, 0.0], [0.0, 0.2, 1.0]], "k": 2, "withVectors": true}""");
        yield return new("batch search without payload", "POST", "/v1/collections/docs/search/batch", """{"vectors": [[1.0, 0.1, 0.0]], "withPayload": false}""");
        yield return new("get item", "GET", "/v1/collections/docs/items/a1", null);
        yield return new("get item without payload", "GET", "/v1/collections/docs/items/a3", null);
        yield return new("get item with vectors", "GET", "/v1/collections/docs/items/a1?withVectors=true", null);
        yield return new("get collection", "GET", "/v1/collections/docs", null);
        yield return new("list collections", "GET", "/v1/collections", null);
        yield return new("scroll", "GET", "/v1/collections/docs/items?limit=2", null);
        yield return new("scroll on", "GET", "/v1/collections/docs/items?limit=2&cursor=YTI", null);
        yield return new("scroll with vectors", "GET", "/v1/collections/docs/items?withVectors=true", null);
        yield return new("count", "POST", "/v1/collections/docs/items/count", """{}""");
        yield return new("count filtered", "POST", "/v1/collections/docs/items/count", """{"filter": {"must": [{"key": "lang", "match": "de"}]}}""");
        yield return new("list versions", "GET", "/v1/models/versions", null);
        yield return new("get version", "GET", "/v1/models/text/versions/v1", null);
        yield return new("register v2", "PUT", "/v1/models/text/versions/v2", """{"dimension": 3, "metric": "cosine"}""");
        yield return new("search v2 refused", "POST", "/v1/collections/docs/search", """{"vector": [1.0, 0.1, 0.0], "version": "text@v2"}""");
        yield return new("declare identity link", "POST", "/v1/links", """{"from": "text@v2", "to": "text@v1", "kind": "identity"}""");
        yield return new("list links", "GET", "/v1/links", null);
        yield return new("search v2 through link", "POST", "/v1/collections/docs/search", """{"vector": [1.0, 0.1, 0.0], "version": "text@v2"}""");
        yield return new("multi-version search", "POST", "/v1/collections/docs/search", """{"vectors": {"text@v1": [1.0, 0.1, 0.0], "text@v2": [1.0, 0.1, 0.0]}, "version": "text@v2"}""");

        // Enough items in both versions (v2 a fixed rotation of v1) to fit a bridge with a quality report.
        var random = new Random(15);
        for (int batch = 0; batch < 3; batch++)
        {
            var items = new List<string>();
            for (int i = 0; i < 40; i++)
            {
                float[] v1 = [(float)random.NextDouble() + 0.1f, (float)random.NextDouble(), (float)random.NextDouble()];
                float[] v2 = [v1[1], -v1[0], v1[2]];
                items.Add($$$"""{"id": "p{{{(batch * 40) + i}}}", "payload": {"n": {{{i}}}}, "vectors": {"text@v1": {{{Api.Vector(v1)}}}, "text@v2": {{{Api.Vector(v2)}}}}}""");
            }

            yield return new($"upsert pairs {batch}", "POST", "/v1/collections/docs/items", $$"""{"items": [{{string.Join(", ", items)}}]}""");
        }

        yield return new("fit link", "POST", "/v1/links", """{"from": "other@v1", "to": "text@v1", "kind": "ridge", "pairs": {"from": [[1, 0, 0], [0, 1, 0]], "to": [[1, 0, 0], [0, 1, 0]]}}""");
        yield return new("fit auto link", "POST", "/v1/links", """{"from": "unit@v1", "to": "text@v2", "kind": "auto", "fit": {"collection": "docs", "holdout": 0.2, "seed": 1}}""");
        yield return new("list fitted links", "GET", "/v1/links", null);
        yield return new("delete items", "POST", "/v1/collections/docs/items/delete", """{"ids": ["a3", "nope"]}""");

        // Idempotent writes: first answer, replay, and the same key for another request.
        var key = new Dictionary<string, string> { ["Idempotency-Key"] = "contract-key-1" };
        string item = """{"items": [{"id": "i1", "vectors": {"text@v1": [0.5, 0.5, 0.1]}}]}""";
        yield return new("idempotent upsert", "POST", "/v1/collections/docs/items", item, Json, key);
        yield return new("idempotent replay", "POST", "/v1/collections/docs/items", item, Json, key);
        yield return new("idempotency key reused", "POST", "/v1/collections/docs/items", """{"items": [{"id": "i2", "vectors": {"text@v1": [0.5, 0.5, 0.1]}}]}""", Json, key);

        yield return new("text body", "POST", "/v1/collections/docs/search", "vector=1,2,3", "text/plain");
        yield return new("no content type", "POST", "/v1/collections/docs/search", """{"vector": [1, 0, 0]}""", null);
        yield return new("temporary collection", "PUT", "/v1/collections/tmp", """{"servingVersion": "text@v1", "defaultIndex": "int8"}""");
        yield return new("delete collection", "DELETE", "/v1/collections/tmp", null);
        yield return new("health", "GET", "/health", null);
    }

    private static IEnumerable<Exchange> BadInputs() =>
        BadInputTests.Cases().Select(row => ((ITheoryDataRow)row).GetData()).Select(data => new Exchange(
            "bad input: " + (string)data[0]!, (string)data[1]!, (string)data[2]!, (string?)data[3]));

    // Every operation in the document, derived from it, so a route added later is probed without being listed here.
    private static IEnumerable<Exchange> Probes(IEnumerable<Operation> operations)
    {
        foreach (Operation operation in operations)
        {
            if (operation.Path.Contains('{', StringComparison.Ordinal) && operation.Method != "PUT")
            {
                yield return new($"probe unknown path values: {operation}", operation.Method, Fill(operation.Path, unknown: true), operation.HasBody ? "{}" : null);
            }

            if (operation.HasBody)
            {
                yield return new($"probe unknown member: {operation}", operation.Method, Fill(operation.Path, unknown: false), """{"noSuchMember": 1}""");
                yield return new($"probe no content type: {operation}", operation.Method, Fill(operation.Path, unknown: false), "{}", null);
            }
        }
    }

    private static IEnumerable<Exchange> AuthProbes(IEnumerable<Operation> operations)
    {
        foreach (Operation operation in operations.Where(o => !o.Anonymous))
        {
            string? body = operation.HasBody ? "{}" : null;
            yield return new($"no key: {operation}", operation.Method, Fill(operation.Path, unknown: false), body);
            yield return new($"wrong key: {operation}", operation.Method, Fill(operation.Path, unknown: false), body, Headers: Key("not-a-key"));
            if (operation.Method != "GET" && !operation.Path.EndsWith("/search", StringComparison.Ordinal)
                && !operation.Path.EndsWith("/search/batch", StringComparison.Ordinal) && !operation.Path.EndsWith("/count", StringComparison.Ordinal))
            {
                yield return new($"read key on a write: {operation}", operation.Method, Fill(operation.Path, unknown: false), body, Headers: Key(ReaderKey));
            }
        }
    }

    private static string Fill(string template, bool unknown) => template
        .Replace("{name}", unknown ? "no-such-collection" : "docs", StringComparison.Ordinal)
        .Replace("{model}", "text", StringComparison.Ordinal)
        .Replace("{version}", unknown ? "v404" : "v1", StringComparison.Ordinal)
        .Replace("{id}", unknown ? "no-such-id" : "a1", StringComparison.Ordinal);

    private static List<Operation> ReadOperations()
    {
        JsonNode document = JsonNode.Parse(File.ReadAllText(OpenApiTools.SnapshotPath))!;
        var operations = new List<Operation>();
        foreach ((string path, JsonNode? item) in document["paths"]!.AsObject())
        {
            foreach ((string method, JsonNode? operation) in item!.AsObject())
            {
                // No security, or only the empty requirement: the operation needs no key.
                bool anonymous = operation!["security"] is not JsonArray security || security.All(r => r!.AsObject().Count == 0);
                operations.Add(new Operation(method.ToUpperInvariant(), path, operation["requestBody"] is not null, anonymous));
            }
        }

        return operations;
    }

    private static async Task<Result> SendAsync(HttpClient client, Exchange exchange)
    {
        using var request = new HttpRequestMessage(new HttpMethod(exchange.Method), exchange.Path);
        if (exchange.Body is not null)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(exchange.Body));
            if (exchange.ContentType is not null)
            {
                request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(exchange.ContentType);
            }
        }

        foreach ((string name, string value) in exchange.Headers ?? new Dictionary<string, string>())
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using HttpResponseMessage response = await client.SendAsync(request, Ct);
        string body = await response.Content.ReadAsStringAsync(Ct);
        bool forwarded = response.Headers.Server.Any(s => s.Product?.Name == "Kestrel");
        var violations = new List<string>();
        if (response.Headers.TryGetValues("sl-violations", out IEnumerable<string>? values))
        {
            foreach (JsonNode? violation in JsonNode.Parse(string.Join(string.Empty, values))!.AsArray())
            {
                JsonArray location = violation!["location"]!.AsArray();
                if (location.Count > 0 && location[0]!.GetValue<string>() == "response")
                {
                    violations.Add($"{violation["severity"]}: {violation["message"]} at {location.ToJsonString()}");
                }
            }
        }

        return new Result(exchange, response.StatusCode, forwarded, violations, body);
    }

    private static bool IsJson(string? body)
    {
        if (body is null)
        {
            return true;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private sealed record Exchange(
        string Name, string Method, string Path, string? Body, string? ContentType = "application/json", IReadOnlyDictionary<string, string>? Headers = null);

    private sealed record Operation(string Method, string Path, bool HasBody, bool Anonymous)
    {
        public override string ToString() => $"{Method} {Path}";
    }

    private sealed record Result(Exchange Exchange, HttpStatusCode Status, bool Forwarded, IReadOnlyList<string> ResponseViolations, string Body)
    {
        public string Describe() =>
            $"  {Exchange.Name}: {Exchange.Method} {Exchange.Path} → {(int)Status} {Body[..Math.Min(Body.Length, 300)]}\n    "
            + string.Join("\n    ", ResponseViolations);
    }
}
