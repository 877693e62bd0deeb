// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Net;
using EmbeddingStore.Contracts;
using EmbeddingStore.Server.Tests.TestSupport;
using EmbeddingStore.Tests.Shared;

namespace EmbeddingStore.Server.Tests.Endpoints;

// Every bad input answers 4xx application/problem+json with a stable type, and leaves the store exactly as it was.
public sealed class BadInputTests : IAsyncLifetime
{
    private static readonly string s_v3 = "[0.1, 0.2, 0.3]";
    // Filters are capped low so that the limit is crossed with five conditions.
    private readonly ServerFactory _factory = new(new Dictionary<string, string?> { ["Limits:MaxFilterConditions"] = "4" });
    private HttpClient _client = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string, string, string, string?, int, string> Cases() => new()
    {
        // name, method, path, body, status, problem type
        { "wrong dimension", "POST", "/v1/collections/docs/items", Items("""{"id": "x", "vectors": {"text@v1": [1, 2]}}"""), 400, ProblemTypes.DimensionMismatch },
        { "NaN literal", "POST", "/v1/collections/docs/items", Items("""{"id": "x", "vectors": {"text@v1": [NaN, 1, 2]}}"""), 400, ProblemTypes.MalformedRequest },
        { "NaN as string", "POST", "/v1/collections/docs/items", Items("""{"id": "x", "vectors": {"text@v1": ["NaN", 1, 2]}}"""), 400, ProblemTypes.MalformedRequest },
        { "Infinity string", "POST", "/v1/collections/docs/items", Items("""{"id": "x", "vectors": {"text@v1": ["Infinity", 1, 2]}}"""), 400, ProblemTypes.MalformedRequest },
        { "overflow to infinity", "POST", "/v1/collections/docs/items", Items("""{"id": "x", "vectors": {"text@v1": [1e39, 1, 2]}}"""), 400, ProblemTypes.InvalidVector },
        { "unknown version", "POST", "/v1/collections/docs/items", Items("""{"id": "x", "vectors": {"text@v9": [1, 2, 3]}}"""), 404, ProblemTypes.ModelVersionNotFound },
        { "version without @", "POST", "/v1/collections/docs/items", Items("""{"id": "x", "vectors": {"textv1": [1, 2, 3]}}"""), 400, ProblemTypes.InvalidArgument },
        { "unknown collection", "POST", "/v1/collections/nope/items", Items((J("{'id': 'x', 'vectors': {'text@v1': ") + s_v3 + J("}}"))), 404, ProblemTypes.CollectionNotFound },
        { "zero vector under cosine", "POST", "/v1/collections/docs/items", Items("""{"id": "x", "vectors": {"text@v1": [0, 0, 0]}}"""), 400, ProblemTypes.InvalidVector },
        { "not unit length", "POST", "/v1/collections/docs/items", Items("""{"id": "x", "vectors": {"unit@v1": [1, 1, 0]}}"""), 400, ProblemTypes.InvalidVector },
        { "duplicate ids", "POST", "/v1/collections/docs/items", Items((J("{'id': 'x', 'vectors': {'text@v1': ") + s_v3 + J("}}")), (J("{'id': 'x', 'vectors': {'text@v1': ") + s_v3 + J("}}"))), 400, ProblemTypes.DuplicateId },
        { "empty batch", "POST", "/v1/collections/docs/items", """{"items": []}""", 400, ProblemTypes.InvalidArgument },
        { "over-limit batch", "POST", "/v1/collections/docs/items", Items([.. Enumerable.Range(0, 51).Select(i => (J("{'id': 'n") + i.ToString(System.Globalization.CultureInfo.InvariantCulture) + J("', 'vectors': {'text@v1': ") + s_v3 + J("}}")))]), 400, ProblemTypes.LimitExceeded },
        { "truncated JSON", "POST", "/v1/collections/docs/items", """{"items": [{"id": "x", "vec""", 400, ProblemTypes.MalformedRequest },
        { "not JSON", "POST", "/v1/collections/docs/items", "hello", 400, ProblemTypes.MalformedRequest },
        { "empty body", "POST", "/v1/collections/docs/items", string.Empty, 400, ProblemTypes.MalformedRequest },
        { "id is a number", "POST", "/v1/collections/docs/items", Items((J("{'id': 5, 'vectors': {'text@v1': ") + s_v3 + J("}}"))), 400, ProblemTypes.MalformedRequest },
        { "vector is a string", "POST", "/v1/collections/docs/items", Items("""{"id": "x", "vectors": {"text@v1": "0.1,0.2,0.3"}}"""), 400, ProblemTypes.MalformedRequest },
        { "number as string", "POST", "/v1/collections/docs/items", Items("""{"id": "x", "vectors": {"text@v1": ["0.1", 0.2, 0.3]}}"""), 400, ProblemTypes.MalformedRequest },
        { "missing vectors", "POST", "/v1/collections/docs/items", Items("""{"id": "x"}"""), 400, ProblemTypes.MalformedRequest },
        { "unknown field", "POST", "/v1/collections/docs/items", Items((J("{'id': 'x', 'vector': ") + s_v3 + J(", 'vectors': {'text@v1': ") + s_v3 + J("}}"))), 400, ProblemTypes.MalformedRequest },
        { "empty id", "POST", "/v1/collections/docs/items", Items((J("{'id': '', 'vectors': {'text@v1': ") + s_v3 + J("}}"))), 400, ProblemTypes.InvalidArgument },
        { "over-long id", "POST", "/v1/collections/docs/items", Items((J("{'id': '") + new string('x', 65) + J("', 'vectors': {'text@v1': ") + s_v3 + J("}}"))), 400, ProblemTypes.LimitExceeded },
        { "control character in id", "POST", "/v1/collections/docs/items", Items((J("{'id': 'a\\u0007b', 'vectors': {'text@v1': ") + s_v3 + J("}}"))), 400, ProblemTypes.InvalidArgument },
        { "lone surrogate in id", "POST", "/v1/collections/docs/items", Items((J("{'id': 'a\\ud800', 'vectors': {'text@v1': ") + s_v3 + J("}}"))), 400, ProblemTypes.MalformedRequest },
        { "payload is an array", "POST", "/v1/collections/docs/items", Items((J("{'id': 'x', 'payload': [1, 2], 'vectors': {'text@v1': ") + s_v3 + J("}}"))), 400, ProblemTypes.InvalidArgument },
        { "payload is a string", "POST", "/v1/collections/docs/items", Items((J("{'id': 'x', 'payload': 'hi', 'vectors': {'text@v1': ") + s_v3 + J("}}"))), 400, ProblemTypes.InvalidArgument },
        { "payload too large", "POST", "/v1/collections/docs/items", Items((J("{'id': 'x', 'payload': {'s': '") + new string('p', 3000) + J("'}, 'vectors': {'text@v1': ") + s_v3 + J("}}"))), 400, ProblemTypes.LimitExceeded },
        { "deeply nested payload", "POST", "/v1/collections/docs/items", Items((J("{'id': 'x', 'payload': {'a': ") + new string('[', 200) + new string(']', 200) + J(", 'vectors': {'text@v1': ") + s_v3 + J("}}"))), 400, ProblemTypes.MalformedRequest },
        { "body too large", "POST", "/v1/collections/docs/items", Items((J("{'id': 'x', 'payload': {'s': '") + new string('p', 300_000) + J("'}, 'vectors': {'text@v1': ") + s_v3 + J("}}"))), 413, ProblemTypes.PayloadTooLarge },
        { "k zero", "POST", "/v1/collections/docs/search", (J("{'vector': ") + s_v3 + J(", 'k': 0}")), 400, ProblemTypes.InvalidArgument },
        { "k negative", "POST", "/v1/collections/docs/search", (J("{'vector': ") + s_v3 + J(", 'k': -3}")), 400, ProblemTypes.InvalidArgument },
        { "k above maximum", "POST", "/v1/collections/docs/search", (J("{'vector': ") + s_v3 + J(", 'k': 101}")), 400, ProblemTypes.LimitExceeded },
        { "k huge", "POST", "/v1/collections/docs/search", (J("{'vector': ") + s_v3 + J(", 'k': 99999999999}")), 400, ProblemTypes.MalformedRequest },
        { "query wrong dimension", "POST", "/v1/collections/docs/search", """{"vector": [1, 2, 3, 4]}""", 400, ProblemTypes.DimensionMismatch },
        { "query zero under cosine", "POST", "/v1/collections/docs/search", """{"vector": [0, 0, 0]}""", 400, ProblemTypes.InvalidVector },
        { "query version not held", "POST", "/v1/collections/docs/search", (J("{'vector': ") + s_v3 + J(", 'version': 'other@v1'}")), 409, ProblemTypes.IncompatibleVersions },
        { "query version unknown", "POST", "/v1/collections/docs/search", (J("{'vector': ") + s_v3 + J(", 'version': 'text@v7'}")), 404, ProblemTypes.ModelVersionNotFound },
        { "query missing vector", "POST", "/v1/collections/docs/search", """{"k": 3}""", 400, ProblemTypes.InvalidArgument },
        { "query vector and vectors", "POST", "/v1/collections/docs/search", """{"vector": [1, 0, 0], "vectors": {"text@v1": [1, 0, 0]}}""", 400, ProblemTypes.InvalidArgument },
        { "primary not among vectors", "POST", "/v1/collections/docs/search", """{"version": "other@v1", "vectors": {"text@v1": [1, 0, 0]}}""", 400, ProblemTypes.InvalidArgument },
        { "bridging unknown", "POST", "/v1/collections/docs/search", """{"vector": [1, 0, 0], "bridging": "sometimes"}""", 400, ProblemTypes.InvalidArgument },
        { "link unknown version", "POST", "/v1/links", """{"from": "text@v9", "to": "text@v1", "kind": "identity"}""", 404, ProblemTypes.ModelVersionNotFound },
        { "link to itself", "POST", "/v1/links", """{"from": "text@v1", "to": "text@v1", "kind": "identity"}""", 400, ProblemTypes.InvalidArgument },
        { "identity across metrics", "POST", "/v1/links", """{"from": "unit@v1", "to": "text@v1", "kind": "identity"}""", 400, ProblemTypes.InvalidArgument },
        { "link unknown kind", "POST", "/v1/links", """{"from": "other@v1", "to": "text@v1", "kind": "magic", "fit": {"collection": "docs"}}""", 400, ProblemTypes.InvalidArgument },
        { "fit without pairs", "POST", "/v1/links", """{"from": "other@v1", "to": "text@v1", "kind": "ridge"}""", 400, ProblemTypes.InvalidArgument },
        { "fit too few pairs", "POST", "/v1/links", """{"from": "other@v1", "to": "text@v1", "kind": "auto", "fit": {"collection": "docs"}}""", 400, ProblemTypes.InvalidArgument },
        { "fit bad holdout", "POST", "/v1/links", """{"from": "other@v1", "to": "text@v1", "kind": "ridge", "fit": {"collection": "docs", "holdout": 0.9}}""", 400, ProblemTypes.InvalidArgument },
        { "pairs mismatched", "POST", "/v1/links", """{"from": "other@v1", "to": "text@v1", "kind": "ridge", "pairs": {"from": [[1, 0, 0]], "to": []}}""", 400, ProblemTypes.InvalidArgument },
        { "get unknown link", "GET", "/v1/links/lnk-nope", null, 404, ProblemTypes.LinkNotFound },
        { "delete unknown link", "DELETE", "/v1/links/lnk-nope", null, 404, ProblemTypes.LinkNotFound },
        { "filter match is object", "POST", "/v1/collections/docs/search", (J("{'vector': ") + s_v3 + J(", 'filter': {'must': [{'key': 'lang', 'match': {'a': 1}}]}}")), 400, ProblemTypes.InvalidArgument },
        { "filter unknown clause", "POST", "/v1/collections/docs/search", (J("{'vector': ") + s_v3 + J(", 'filter': {'must_not': []}}")), 400, ProblemTypes.MalformedRequest },
        { "search unknown collection", "POST", "/v1/collections/nope/search", (J("{'vector': ") + s_v3 + J("}")), 404, ProblemTypes.CollectionNotFound },
        { "register dimension zero", "PUT", "/v1/models/text/versions/v2", """{"dimension": 0, "metric": "cosine"}""", 400, ProblemTypes.InvalidArgument },
        { "register dimension over max", "PUT", "/v1/models/text/versions/v2", """{"dimension": 1000000, "metric": "cosine"}""", 400, ProblemTypes.LimitExceeded },
        { "register unknown metric", "PUT", "/v1/models/text/versions/v2", """{"dimension": 3, "metric": "manhattan"}""", 400, ProblemTypes.InvalidArgument },
        { "register missing metric", "PUT", "/v1/models/text/versions/v2", """{"dimension": 3}""", 400, ProblemTypes.MalformedRequest },
        { "register bad name", "PUT", "/v1/models/te%20xt/versions/v2", """{"dimension": 3, "metric": "dot"}""", 400, ProblemTypes.InvalidArgument },
        { "re-register used version", "PUT", "/v1/models/text/versions/v1", """{"dimension": 4, "metric": "cosine"}""", 409, ProblemTypes.VersionConflict },
        { "collection bad name", "PUT", "/v1/collections/.hidden", """{"servingVersion": "text@v1"}""", 400, ProblemTypes.InvalidArgument },
        { "collection unknown version", "PUT", "/v1/collections/c2", """{"servingVersion": "text@v5"}""", 404, ProblemTypes.ModelVersionNotFound },
        { "collection version syntax", "PUT", "/v1/collections/c2", """{"servingVersion": "text"}""", 400, ProblemTypes.InvalidArgument },
        { "collection unknown default index", "PUT", "/v1/collections/docs", """{"servingVersion": "text@v1", "defaultIndex": "ivf"}""", 400, ProblemTypes.InvalidArgument },
        { "get unknown item", "GET", "/v1/collections/docs/items/nope", null, 404, ProblemTypes.ItemNotFound },
        { "get unknown collection", "GET", "/v1/collections/nope", null, 404, ProblemTypes.CollectionNotFound },
        { "get unknown version", "GET", "/v1/models/text/versions/v404", null, 404, ProblemTypes.ModelVersionNotFound },
        { "delete unknown collection", "DELETE", "/v1/collections/nope", null, 404, ProblemTypes.CollectionNotFound },
        { "scroll bad cursor", "GET", "/v1/collections/docs/items?cursor=%25%25%25", null, 400, ProblemTypes.InvalidArgument },
        { "scroll limit zero", "GET", "/v1/collections/docs/items?limit=0", null, 400, ProblemTypes.InvalidArgument },
        { "scroll limit not a number", "GET", "/v1/collections/docs/items?limit=ten", null, 400, ProblemTypes.MalformedRequest },
        { "delete empty ids", "POST", "/v1/collections/docs/items/delete", """{"ids": []}""", 400, ProblemTypes.InvalidArgument },
        { "delete ids wrong type", "POST", "/v1/collections/docs/items/delete", """{"ids": "a1"}""", 400, ProblemTypes.MalformedRequest },
        { "search unknown index", "POST", "/v1/collections/docs/search", (J("{'vector': ") + s_v3 + J(", 'index': 'ivf'}")), 400, ProblemTypes.InvalidArgument },
        { "search oversampling zero", "POST", "/v1/collections/docs/search", (J("{'vector': ") + s_v3 + J(", 'index': 'int8', 'oversampling': 0}")), 400, ProblemTypes.InvalidArgument },
        { "batch empty", "POST", "/v1/collections/docs/search/batch", """{"vectors": []}""", 400, ProblemTypes.InvalidArgument },
        { "batch missing vectors", "POST", "/v1/collections/docs/search/batch", """{"k": 3}""", 400, ProblemTypes.MalformedRequest },
        { "batch over limit", "POST", "/v1/collections/docs/search/batch", (J("{'vectors': [") + string.Join(", ", Enumerable.Repeat(s_v3, 6)) + "]}"), 400, ProblemTypes.LimitExceeded },
        { "batch wrong dimension", "POST", "/v1/collections/docs/search/batch", (J("{'vectors': [") + s_v3 + ", [1, 2]]}"), 400, ProblemTypes.DimensionMismatch },
        { "batch null vector", "POST", "/v1/collections/docs/search/batch", (J("{'vectors': [") + s_v3 + ", null]}"), 400, ProblemTypes.InvalidArgument },
        { "batch unknown index", "POST", "/v1/collections/docs/search/batch", (J("{'vectors': [") + s_v3 + J("], 'index': 'fast'}")), 400, ProblemTypes.InvalidArgument },
        { "batch unknown collection", "POST", "/v1/collections/nope/search/batch", (J("{'vectors': [") + s_v3 + "]}"), 404, ProblemTypes.CollectionNotFound },
        { "batch version not held", "POST", "/v1/collections/docs/search/batch", (J("{'vectors': [") + s_v3 + J("], 'version': 'other@v1'}")), 409, ProblemTypes.IncompatibleVersions },
        { "search null filter condition", "POST", "/v1/collections/docs/search", (J("{'vector': ") + s_v3 + J(", 'filter': {'must': [null]}}")), 400, ProblemTypes.InvalidArgument },
        { "search null among conditions", "POST", "/v1/collections/docs/search", (J("{'vector': ") + s_v3 + J(", 'filter': {'must': [{'key': 'lang', 'match': 'en'}, null]}}")), 400, ProblemTypes.InvalidArgument },
        { "batch null filter condition", "POST", "/v1/collections/docs/search/batch", (J("{'vectors': [") + s_v3 + J("], 'filter': {'must': [null]}}")), 400, ProblemTypes.InvalidArgument },
        { "count null filter condition", "POST", "/v1/collections/docs/items/count", """{"filter": {"must": [null]}}""", 400, ProblemTypes.InvalidArgument },
        { "search too many conditions", "POST", "/v1/collections/docs/search", (J("{'vector': ") + s_v3 + J(", 'filter': {'must': [") + Conditions(5) + "]}}"), 400, ProblemTypes.LimitExceeded },
        { "batch too many conditions", "POST", "/v1/collections/docs/search/batch", (J("{'vectors': [") + s_v3 + J("], 'filter': {'must': [") + Conditions(5) + "]}}"), 400, ProblemTypes.LimitExceeded },
        { "count too many conditions", "POST", "/v1/collections/docs/items/count", (J("{'filter': {'must': [") + Conditions(5) + "]}}"), 400, ProblemTypes.LimitExceeded },
        // Refused on the raw body, before binding: the wrong-typed k is never reached.
        { "too many conditions before binding", "POST", "/v1/collections/docs/search", (J("{'vector': ") + s_v3 + J(", 'k': 'ten', 'filter': {'must': [") + Conditions(5) + "]}}"), 400, ProblemTypes.LimitExceeded },
        { "filter too deep", "POST", "/v1/collections/docs/items/count", (J("{'filter': {'must': [{'key': 'lang', 'match': ") + new string('[', 6) + "1" + new string(']', 6) + "}]}}"), 400, ProblemTypes.LimitExceeded },
        { "filter match beyond double", "POST", "/v1/collections/docs/items/count", """{"filter": {"must": [{"key": "n", "match": 1e999}]}}""", 400, ProblemTypes.InvalidArgument },
        { "count condition without key", "POST", "/v1/collections/docs/items/count", """{"filter": {"must": [{"key": "", "match": 1}]}}""", 400, ProblemTypes.InvalidArgument },
        { "id is a dot", "POST", "/v1/collections/docs/items", Items((J("{'id': '.', 'vectors': {'text@v1': ") + s_v3 + J("}}"))), 400, ProblemTypes.InvalidArgument },
        { "id is two dots", "POST", "/v1/collections/docs/items", Items((J("{'id': '..', 'vectors': {'text@v1': ") + s_v3 + J("}}"))), 400, ProblemTypes.InvalidArgument },
        { "id with right-to-left override", "POST", "/v1/collections/docs/items", Items((J("{'id': 'abc\\u202Etxt', 'vectors': {'text@v1': ") + s_v3 + J("}}"))), 400, ProblemTypes.InvalidArgument },
        { "id with zero-width joiner", "POST", "/v1/collections/docs/items", Items((J("{'id': 'a\\u200Db', 'vectors': {'text@v1': ") + s_v3 + J("}}"))), 400, ProblemTypes.InvalidArgument },
        { "id with byte order mark", "POST", "/v1/collections/docs/items", Items((J("{'id': '\\uFEFFa', 'vectors': {'text@v1': ") + s_v3 + J("}}"))), 400, ProblemTypes.InvalidArgument },
        { "id with line separator", "POST", "/v1/collections/docs/items", Items((J("{'id': 'a\\u2028b', 'vectors': {'text@v1': ") + s_v3 + J("}}"))), 400, ProblemTypes.InvalidArgument },
        { "id with paragraph separator", "POST", "/v1/collections/docs/items", Items((J("{'id': 'a\\u2029b', 'vectors': {'text@v1': ") + s_v3 + J("}}"))), 400, ProblemTypes.InvalidArgument },
        { "id with astral format character", "POST", "/v1/collections/docs/items", Items((J("{'id': 'a\\uDB40\\uDC01b', 'vectors': {'text@v1': ") + s_v3 + J("}}"))), 400, ProblemTypes.InvalidArgument },
        { "payload number beyond double", "POST", "/v1/collections/docs/items", Items((J("{'id': 'x', 'payload': {'n': 1e999}, 'vectors': {'text@v1': ") + s_v3 + J("}}"))), 400, ProblemTypes.InvalidArgument },
        { "nested payload number beyond double", "POST", "/v1/collections/docs/items", Items((J("{'id': 'x', 'payload': {'a': {'b': [1, -1e999]}}, 'vectors': {'text@v1': ") + s_v3 + J("}}"))), 400, ProblemTypes.InvalidArgument },
        { "scroll cursor of a control character", "GET", "/v1/collections/docs/items?cursor=Bw", null, 400, ProblemTypes.InvalidArgument },
        { "no such route", "GET", "/v1/nothing/here", null, 404, ProblemTypes.RouteNotFound },
        { "wrong method", "PATCH", "/v1/collections/docs", """{}""", 405, ProblemTypes.MethodNotAllowed },
    };

    public async ValueTask InitializeAsync()
    {
        _client = _factory.CreateClient();
        CancellationToken ct = TestContext.Current.CancellationToken;
        await Api.PutAsync(_client, "/v1/models/text/versions/v1", """{"dimension": 3, "metric": "cosine"}""", ct);
        await Api.PutAsync(_client, "/v1/models/other/versions/v1", """{"dimension": 3, "metric": "cosine"}""", ct);
        await Api.PutAsync(_client, "/v1/models/unit/versions/v1", """{"dimension": 3, "metric": "dot", "normalized": true}""", ct);
        await Api.PutAsync(_client, "/v1/collections/docs", """{"servingVersion": "text@v1"}""", ct);
        var seeded = await Api.PostAsync(_client, "/v1/collections/docs/items", Items(
            """{"id": "a1", "payload": {"lang": "en"}, "vectors": {"text@v1": [1, 0, 0]}}""",
            """{"id": "a2", "payload": {"lang": "de"}, "vectors": {"text@v1": [0, 1, 0]}}"""), ct);
        Assert.Equal(HttpStatusCode.OK, seeded.Status);
    }

    public ValueTask DisposeAsync()
    {
        _factory.Dispose();
        return ValueTask.CompletedTask;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Request_BadInput_ProblemJsonAndStoreUnchanged(string name, string method, string path, string? body, int status, string type)
    {
        string before = await Api.SnapshotAsync(_client, Ct);

        var response = await Api.SendAsync(_client, new HttpMethod(method), path, body, cancellationToken: Ct);

        Assert.True((int)response.Status == status, $"{name}: expected {status}, got {(int)response.Status} {response.Body?.ToJsonString()}");
        Assert.Equal("application/problem+json", response.MediaType);
        Assert.Equal(type, response.Body!["type"]!.GetValue<string>());
        Assert.Equal(status, response.Body!["status"]!.GetValue<int>());
        Assert.Equal(before, await Api.SnapshotAsync(_client, Ct));
    }

    [Fact]
    public async Task Request_WrongContentType_Is415ProblemJson()
    {
        var response = await Api.SendAsync(_client, HttpMethod.Post, "/v1/collections/docs/search", "vector=1,2,3", "text/plain", Ct);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.Status);
        Assert.Equal("application/problem+json", response.MediaType);
        Assert.Equal(ProblemTypes.UnsupportedMediaType, response.Body!["type"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("/v1/collections/docs/search", """{"vector": [0.1, 0.2, 0.3]}""", null)]
    [InlineData("/v1/collections/docs/search", """{"vector": [0.1, 0.2, 0.3]}""", "")]
    [InlineData("/v1/collections/docs/items", """{"items": [{"id": "x", "vectors": {"text@v1": [0.1, 0.2, 0.3]}}]}""", null)]
    [InlineData("/v1/collections/docs/items", """{"items": [{"id": "x", "vectors": {"text@v1": [0.1, 0.2, 0.3]}}]}""", "")]
    public async Task Request_MissingOrEmptyContentType_Is415AndStoreUnchanged(string path, string body, string? contentType)
    {
        string before = await Api.SnapshotAsync(_client, Ct);
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(body)) };
        if (contentType is not null)
        {
            request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        using HttpResponseMessage response = await _client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(ProblemTypes.UnsupportedMediaType, System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["type"]!.GetValue<string>());
        Assert.Equal(before, await Api.SnapshotAsync(_client, Ct));
    }

    [Fact]
    public async Task Scroll_WellFormedCursorNotIssued_ContinuesAfterThatId()
    {
        // A cursor is the base64url form of the id to continue after: "a1" → "YTE". One made by hand works like an issued one.
        var response = await Api.GetAsync(_client, "/v1/collections/docs/items?cursor=YTE", Ct);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal(["a2"], response.Body!["items"]!.AsArray().Select(i => i!["id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Search_VersionNotHeld_ProblemNamesBothVersions()
    {
        var response = await Api.PostAsync(_client, "/v1/collections/docs/search", (J("{'vector': ") + s_v3 + J(", 'version': 'other@v1'}")), Ct);
        Assert.Equal(HttpStatusCode.Conflict, response.Status);
        Assert.Equal(["other@v1", "text@v1"], response.Body!["versions"]!.AsArray().Select(v => v!.GetValue<string>()));
        string detail = response.Body!["detail"]!.GetValue<string>();
        Assert.Contains("other@v1", detail, StringComparison.Ordinal);
        Assert.Contains("text@v1", detail, StringComparison.Ordinal);
    }

    // Single quotes keep the cases readable; they become double quotes before sending.
    private static string J(string singleQuoted) => singleQuoted.Replace('\'', '"');

    private static string Conditions(int count) =>
        string.Join(", ", Enumerable.Range(0, count).Select(i => $$"""{"key": "k{{i}}", "match": {{i}}}"""));

    private static string Items(params string[] items) => $$"""{"items": [{{string.Join(", ", items)}}]}""";
}
