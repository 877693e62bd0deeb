// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using EmbeddingStore.Contracts;
using EmbeddingStore.Server.Tests.TestSupport;
using EmbeddingStore.Tests.Shared;

namespace EmbeddingStore.Server.Tests.Endpoints;

// Base64 vectors on the wire: accepted wherever a vector goes, stored bit for bit like the same values as a JSON array,
// offered in responses with vectorEncoding=base64, and every malformed string is a 400 problem that stores nothing.
public sealed class VectorEncodingTests : IAsyncLifetime
{
    private const int Dimension = 8;
    private readonly ServerFactory _factory = new();
    private HttpClient _client = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _client = _factory.CreateClient();
        // Dot product keeps vectors as sent (cosine would normalise them), so stored bits can be compared with sent bits.
        Assert.Equal(HttpStatusCode.Created, (await Api.PutAsync(_client, "/v1/models/raw/versions/v1", """{"dimension": 8, "metric": "dot"}""", Ct)).Status);
        Assert.Equal(HttpStatusCode.Created, (await Api.PutAsync(_client, "/v1/collections/docs", """{"servingVersion": "raw@v1"}""", Ct)).Status);
    }

    public ValueTask DisposeAsync()
    {
        _factory.Dispose();
        return ValueTask.CompletedTask;
    }

    // Bit patterns chosen to catch any decimal detour: -0.0, the smallest and largest subnormals, the smallest normal,
    // float.MaxValue, and values whose shortest decimal needs 9 digits.
    private static float[] AwkwardVector() =>
    [
        -0.0f,
        float.Epsilon,
        BitConverter.Int32BitsToSingle(0x007FFFFF),
        BitConverter.Int32BitsToSingle(0x00800000),
        float.MaxValue,
        BitConverter.Int32BitsToSingle(0x3DCCCCCD), // 0.1f
        BitConverter.Int32BitsToSingle(0x3F7FFFFF), // just below 1
        -BitConverter.Int32BitsToSingle(0x4049_0FDB), // -pi
    ];

    private static string Base64(float[] values) => Convert.ToBase64String(MemoryMarshal.AsBytes(values.AsSpan()));

    private static string ArrayJson(float[] values) =>
        "[" + string.Join(", ", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture))) + "]";

    private static float[] Decode(string base64) => MemoryMarshal.Cast<byte, float>(Convert.FromBase64String(base64)).ToArray();

    private static float[] Seeded(Random random) => [.. Enumerable.Range(0, Dimension).Select(_ => (float)((random.NextDouble() * 2) - 1))];

    private async Task<long> CountAsync() => (await Api.PostAsync(_client, "/v1/collections/docs/items/count", "{}", Ct)).Body!["count"]!.GetValue<long>();

    [Fact]
    public async Task UpsertItems_Base64AndArray_StoreBitwiseIdenticalVectors()
    {
        var random = new Random(13);
        var vectors = new List<float[]> { AwkwardVector() };
        vectors.AddRange(Enumerable.Range(0, 12).Select(_ => Seeded(random)));
        // Random bit patterns too (finite ones), which rarely have short decimals. 25 vectors twice: the test server's batch limit of 50.
        vectors.AddRange(Enumerable.Range(0, 12).Select(_ =>
            Enumerable.Range(0, Dimension).Select(_ => BitConverter.Int32BitsToSingle(random.Next() & 0x7EFFFFFF) * (random.Next(2) == 0 ? 1 : -1)).ToArray()));

        string items = string.Join(", ", vectors.SelectMany((v, i) => new[]
        {
            $$$"""{"id": "a{{{i:D3}}}", "vectors": {"raw@v1": {{{ArrayJson(v)}}}}}""",
            $$$"""{"id": "b{{{i:D3}}}", "vectors": {"raw@v1": "{{{Base64(v)}}}"}}""",
        }));
        var upsert = await Api.PostAsync(_client, "/v1/collections/docs/items", "{\"items\": [" + items + "]}", Ct);
        Assert.True(upsert.Status == HttpStatusCode.OK, upsert.Body?.ToJsonString());

        for (int i = 0; i < vectors.Count; i++)
        {
            string fromArray = (await Api.GetAsync(_client, $"/v1/collections/docs/items/a{i:D3}?withVectors=true&vectorEncoding=base64", Ct)).Body!["vectors"]!["raw@v1"]!.GetValue<string>();
            string fromBase64 = (await Api.GetAsync(_client, $"/v1/collections/docs/items/b{i:D3}?withVectors=true&vectorEncoding=base64", Ct)).Body!["vectors"]!["raw@v1"]!.GetValue<string>();
            Assert.Equal(Base64(vectors[i]), fromArray);
            Assert.Equal(Base64(vectors[i]), fromBase64);
        }
    }

    [Fact]
    public async Task GetItem_DefaultEncoding_ArrayEqualsDecodedBase64()
    {
        float[] sent = Seeded(new Random(5));
        Assert.Equal(HttpStatusCode.OK, (await Api.PostAsync(_client, "/v1/collections/docs/items", $$$"""{"items": [{"id": "x", "vectors": {"raw@v1": "{{{Base64(sent)}}}"}}]}""", Ct)).Status);

        JsonNode asArray = (await Api.GetAsync(_client, "/v1/collections/docs/items/x?withVectors=true", Ct)).Body!["vectors"]!["raw@v1"]!;
        JsonNode explicitArray = (await Api.GetAsync(_client, "/v1/collections/docs/items/x?withVectors=true&vectorEncoding=array", Ct)).Body!["vectors"]!["raw@v1"]!;

        Assert.Equal(sent, asArray.AsArray().Select(n => n!.GetValue<float>()).ToArray());
        Assert.Equal(asArray.ToJsonString(), explicitArray.ToJsonString());
    }

    [Fact]
    public async Task ScrollSearchAndBatch_Base64Requested_VectorsAreBase64OfStoredValues()
    {
        var random = new Random(21);
        float[][] stored = [.. Enumerable.Range(0, 6).Select(_ => Seeded(random))];
        string items = string.Join(", ", stored.Select((v, i) => $$$"""{"id": "s{{{i}}}", "vectors": {"raw@v1": "{{{Base64(v)}}}"}}"""));
        Assert.Equal(HttpStatusCode.OK, (await Api.PostAsync(_client, "/v1/collections/docs/items", "{\"items\": [" + items + "]}", Ct)).Status);
        var byId = stored.Select((v, i) => (Id: "s" + i.ToString(CultureInfo.InvariantCulture), V: v)).ToDictionary(p => p.Id, p => p.V);

        JsonNode scroll = (await Api.GetAsync(_client, "/v1/collections/docs/items?withVectors=true&vectorEncoding=base64", Ct)).Body!;
        foreach (JsonNode? item in scroll["items"]!.AsArray())
        {
            Assert.Equal(byId[item!["id"]!.GetValue<string>()], Decode(item["vectors"]!["raw@v1"]!.GetValue<string>()));
        }

        string query = Base64(stored[2]);
        JsonNode search = (await Api.PostAsync(_client, "/v1/collections/docs/search?vectorEncoding=base64", $$$"""{"vector": "{{{query}}}", "k": 3, "withVectors": true}""", Ct)).Body!;
        JsonNode arraySearch = (await Api.PostAsync(_client, "/v1/collections/docs/search", $$$"""{"vector": {{{ArrayJson(stored[2])}}}, "k": 3, "withVectors": true}""", Ct)).Body!;
        JsonArray hits = search["hits"]!.AsArray();
        Assert.Equal(3, hits.Count);
        Assert.Equal(arraySearch["hits"]!.AsArray().Select(h => h!["id"]!.GetValue<string>()), hits.Select(h => h!["id"]!.GetValue<string>()));
        foreach (JsonNode? hit in hits)
        {
            Assert.Equal(byId[hit!["id"]!.GetValue<string>()], Decode(hit["vector"]!.GetValue<string>()));
        }

        var batch = await Api.PostAsync(
            _client, "/v1/collections/docs/search/batch?vectorEncoding=base64", $$$"""{"vectors": ["{{{query}}}", {{{ArrayJson(stored[4])}}}], "k": 2, "withVectors": true}""", Ct);
        Assert.Equal(HttpStatusCode.OK, batch.Status);
        JsonArray results = batch.Body!["results"]!.AsArray();
        Assert.Equal(2, results.Count);
        foreach (JsonNode? hit in results.SelectMany(r => r!["hits"]!.AsArray()))
        {
            Assert.Equal(byId[hit!["id"]!.GetValue<string>()], Decode(hit["vector"]!.GetValue<string>()));
        }
    }

    [Fact]
    public async Task Search_MultiVersionBase64Map_EqualsArrayMap()
    {
        float[] v = Seeded(new Random(8));
        Assert.Equal(HttpStatusCode.OK, (await Api.PostAsync(_client, "/v1/collections/docs/items", $$$"""{"items": [{"id": "m", "vectors": {"raw@v1": {{{ArrayJson(v)}}}}}]}""", Ct)).Status);

        var base64 = await Api.PostAsync(_client, "/v1/collections/docs/search", $$$"""{"vectors": {"raw@v1": "{{{Base64(v)}}}"}, "version": "raw@v1", "k": 1}""", Ct);
        var array = await Api.PostAsync(_client, "/v1/collections/docs/search", $$$"""{"vectors": {"raw@v1": {{{ArrayJson(v)}}}}, "version": "raw@v1", "k": 1}""", Ct);

        Assert.Equal(HttpStatusCode.OK, base64.Status);
        Assert.Equal(array.Body!["hits"]!.ToJsonString(), base64.Body!["hits"]!.ToJsonString());
    }

    public static TheoryData<string, string, string> BadVectors()
    {
        float[] ok = [1, 2, 3, 4, 5, 6, 7, 8];
        string good = Base64(ok);
        float[] nan = [.. ok];
        nan[3] = float.NaN;
        float[] inf = [.. ok];
        inf[7] = float.PositiveInfinity;
        float[] negInf = [.. ok];
        negInf[0] = float.NegativeInfinity;
        return new()
        {
            // name, base64 string, problem type
            { "length not a multiple of 4", good[..^1], ProblemTypes.MalformedRequest },
            { "missing padding", "AACAPwAAAEAAAEBA", ProblemTypes.DimensionMismatch }, // 3 floats, no padding needed: a valid string, wrong dimension
            { "bytes not whole floats", "AAAAAAA=", ProblemTypes.MalformedRequest },
            { "one float short", Base64([.. ok[..7]]), ProblemTypes.DimensionMismatch },
            { "one float long", Base64([.. ok, 9f]), ProblemTypes.DimensionMismatch },
            { "empty string", string.Empty, ProblemTypes.DimensionMismatch },
            { "bad character", "!" + good[1..], ProblemTypes.MalformedRequest },
            { "base64url alphabet", good[..^4] + "-_AA", ProblemTypes.MalformedRequest },
            { "padding in the middle", "AA==" + good[4..], ProblemTypes.MalformedRequest },
            { "non-zero padding bits", "AACAPx==", ProblemTypes.MalformedRequest },
            { "whitespace inside", good[..4] + " " + good[5..], ProblemTypes.MalformedRequest },
            { "NaN", Base64(nan), ProblemTypes.InvalidVector },
            { "positive infinity", Base64(inf), ProblemTypes.InvalidVector },
            { "negative infinity", Base64(negInf), ProblemTypes.InvalidVector },
        };
    }

    [Theory]
    [MemberData(nameof(BadVectors))]
    public async Task UpsertItems_BadBase64_ProblemNamesFieldAndStoresNothing(string name, string base64, string problemType)
    {
        _ = name;
        string good = Base64([1, 2, 3, 4, 5, 6, 7, 8]);
        string body = $$$"""{"items": [{"id": "fine", "vectors": {"raw@v1": "{{{good}}}"}}, {"id": "bad", "vectors": {"raw@v1": "{{{base64}}}"}}]}""";

        var response = await Api.PostAsync(_client, "/v1/collections/docs/items", body, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("application/problem+json", response.MediaType);
        Assert.Equal(problemType, response.Body!["type"]!.GetValue<string>());
        string detail = response.Body["detail"]!.GetValue<string>();
        Assert.True(detail.Contains("items[1]", StringComparison.Ordinal), detail);
        Assert.Equal(0, await CountAsync());
    }

    [Theory]
    [MemberData(nameof(BadVectors))]
    public async Task Search_BadBase64Query_ProblemNamesField(string name, string base64, string problemType)
    {
        _ = name;
        var single = await Api.PostAsync(_client, "/v1/collections/docs/search", $$$"""{"vector": "{{{base64}}}"}""", Ct);
        var map = await Api.PostAsync(_client, "/v1/collections/docs/search", $$$"""{"vectors": {"raw@v1": "{{{base64}}}"}, "version": "raw@v1"}""", Ct);
        var batch = await Api.PostAsync(_client, "/v1/collections/docs/search/batch", $$$"""{"vectors": ["{{{Base64([1, 2, 3, 4, 5, 6, 7, 8])}}}", "{{{base64}}}"]}""", Ct);

        foreach ((var response, string field) in new[] { (single, "vector"), (map, "raw@v1"), (batch, "vectors[1]") })
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.Status);
            Assert.Equal(problemType, response.Body!["type"]!.GetValue<string>());
            string detail = response.Body["detail"]!.GetValue<string>();
            Assert.True(detail.Contains(field, StringComparison.Ordinal), detail);
        }
    }

    [Theory]
    [InlineData("/v1/collections/docs/items/x?vectorEncoding=BASE64")]
    [InlineData("/v1/collections/docs/items?vectorEncoding=binary")]
    public async Task GetAndScroll_UnknownVectorEncoding_InvalidArgument(string path)
    {
        var response = await Api.GetAsync(_client, path, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal(ProblemTypes.InvalidArgument, response.Body!["type"]!.GetValue<string>());
        Assert.Contains(VectorEncodingNames.Parameter, response.Body["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UpsertItems_EscapedBase64String_DecodedLikeUnescaped()
    {
        float[] v = [0.5f, -1, 2, 3, 4, 5, 6, 7];
        string base64 = Base64(v);
        // JSON may escape '/' and '+'; the string means the same and must decode to the same floats.
        string escaped = base64.Replace("/", "\\/", StringComparison.Ordinal).Replace("+", "\\u002B", StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await Api.PostAsync(_client, "/v1/collections/docs/items", $$$"""{"items": [{"id": "e", "vectors": {"raw@v1": "{{{escaped}}}"}}]}""", Ct)).Status);

        string stored = (await Api.GetAsync(_client, "/v1/collections/docs/items/e?withVectors=true&vectorEncoding=base64", Ct)).Body!["vectors"]!["raw@v1"]!.GetValue<string>();
        Assert.Equal(base64, stored);
    }
}
