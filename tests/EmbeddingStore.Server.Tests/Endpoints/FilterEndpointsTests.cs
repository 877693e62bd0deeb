// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using EmbeddingStore.Contracts;
using EmbeddingStore.Server.Tests.TestSupport;
using EmbeddingStore.Tests.Shared;

namespace EmbeddingStore.Server.Tests.Endpoints;

// The filter language over real HTTP: every route that takes a filter refuses a bad one with a 400 naming its path
// (and a bad delete deletes nothing); the same filter selects the same items on every route; delete-by-filter
// deletes exactly the matching items, durably in SQLite.
public sealed class FilterEndpointsTests
{
    private const int ItemCount = 60;

    private static readonly string[] s_routes = ["search", "search/batch", "items/count", "items/scroll", "items/delete"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string, string, string> BadFilters() => new()
    {
        // name, filter, what the detail must contain
        { "range bound a string", """{"must": [{"key": "n", "match": 1}, {"key": "n", "match": 2}, {"key": "n", "range": {"gte": "1"}}]}""", "filter.must[2].range.gte must be a number" },
        { "range without bounds", """{"must": [{"key": "n", "range": {}}]}""", "filter.must[0].range needs at least one of gt, gte, lt, lte" },
        { "range unknown bound", """{"must": [{"key": "n", "range": {"from": 1}}]}""", "filter.must[0].range.from" },
        { "two operators", """{"should": [{"key": "n", "match": 1, "any": [1]}]}""", "filter.should[0] has both match and any" },
        { "no operator", """{"mustNot": [{"key": "n"}]}""", "filter.mustNot[0] has a key but no operator" },
        { "no key", """{"must": [{"match": 1}]}""", "filter.must[0].key must be a non-empty field name" },
        { "empty key segment", """{"must": [{"key": "meta..src", "match": 1}]}""", "filter.must[0].key 'meta..src' has an empty segment" },
        { "object in any", """{"must": [{"key": "tags", "any": ["a", {"b": 1}]}]}""", "filter.must[0].any[1] must be a string, number or boolean" },
        { "null in except", """{"must": [{"key": "tags", "except": [null]}]}""", "filter.must[0].except[0] must be a string, number or boolean" },
        { "nested null condition", """{"must": [{"should": [{"key": "n", "match": 1}, null]}]}""", "filter.must[0].should[1] is null" },
        { "nested bad match", """{"must": [{"mustNot": [{"key": "n", "match": {"a": 1}}]}]}""", "filter.must[0].mustNot[0].match must be a string, number or boolean" },
        { "array match holding an array", """{"must": [{"key": "n", "match": [1, [2]]}]}""", "filter.must[0].match[1] must be a string, number or boolean" },
        { "field mixed with clause", """{"must": [{"key": "n", "match": 1, "must": []}]}""", "filter.must[0] mixes a field condition with a nested" },
        { "empty condition", """{"should": [{}]}""", "filter.should[0] is empty" },
        { "match beyond double", """{"must": [{"key": "n", "match": 1e999}]}""", "filter.must[0].match is a number beyond the range of a double" },
        { "isNull not a boolean", """{"must": [{"key": "n", "isNull": "yes"}]}""", "filter.must[0].isNull" },
        { "unknown operator", """{"must": [{"key": "n", "regex": "a.*"}]}""", "filter.must[0].regex" },
    };

    public static TheoryData<string> Routes() => [.. s_routes];

    [Theory]
    [MemberData(nameof(BadFilters))]
    public async Task Filter_BadOnEveryRoute_Is400NamingPathAndDeletesNothing(string name, string filter, string detail)
    {
        using var factory = new ServerFactory();
        HttpClient client = factory.CreateClient();
        await SeedAsync(client);
        foreach (string route in s_routes)
        {
            var response = await Api.PostAsync(client, "/v1/collections/docs/" + route, Body(route, filter), Ct);
            Assert.True(response.Status == HttpStatusCode.BadRequest, $"{name} on {route}: {(int)response.Status} {response.Body?.ToJsonString()}");
            Assert.Equal("application/problem+json", response.MediaType);
            string type = response.Body!["type"]!.GetValue<string>();
            Assert.True(type is ProblemTypes.InvalidArgument or ProblemTypes.MalformedRequest, $"{name} on {route}: {type}");
            Assert.True(response.Body!["detail"]!.GetValue<string>().Contains(detail, StringComparison.Ordinal), $"{name} on {route}: {response.Body["detail"]}");
        }

        Assert.Equal(ItemCount, await CountAsync(client, null));
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Filter_TooManyNestedConditions_IsLimitExceeded(string route)
    {
        using var factory = new ServerFactory(new Dictionary<string, string?> { ["Limits:MaxFilterConditions"] = "4" });
        HttpClient client = factory.CreateClient();
        await SeedAsync(client);

        // Two top-level conditions, but five counting the nested ones.
        const string Filter = """{"must": [{"key": "n", "match": 1}, {"should": [{"key": "n", "match": 1}, {"key": "n", "match": 2}, {"mustNot": [{"key": "n", "match": 3}]}]}]}""";
        var response = await Api.PostAsync(client, "/v1/collections/docs/" + route, Body(route, Filter), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal(ProblemTypes.LimitExceeded, response.Body!["type"]!.GetValue<string>());
        Assert.Contains("Limits:MaxFilterConditions", response.Body!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(ItemCount, await CountAsync(client, null));
    }

    [Fact]
    public async Task Filter_NestedDeeperThanLimit_IsLimitExceeded()
    {
        using var factory = new ServerFactory();
        HttpClient client = factory.CreateClient();
        await SeedAsync(client);

        // filter(1) → must(2) → {}(3) → should(4) → {}(5) → mustNot(6) → {}(7) → must(8) → {}(9): past the default 8.
        const string Filter = """{"must": [{"should": [{"mustNot": [{"must": [{"key": "n", "match": 1}]}]}]}]}""";
        var response = await Api.PostAsync(client, "/v1/collections/docs/items/count", Body("items/count", Filter), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal(ProblemTypes.LimitExceeded, response.Body!["type"]!.GetValue<string>());
        Assert.Contains("Limits:MaxFilterDepth", response.Body!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Filter_SameFilterOnEveryReadRoute_SelectsSameItems()
    {
        using var factory = new ServerFactory();
        HttpClient client = factory.CreateClient();
        await SeedAsync(client);

        // n in [2, 5), not tagged b, and either lang en or a meta.src of x.
        const string Filter = """
            {"must": [{"key": "n", "range": {"gte": 2, "lt": 5}},
                      {"should": [{"key": "lang", "match": "en"}, {"key": "meta.src", "match": "x"}]}],
             "mustNot": [{"key": "tags", "any": ["b"]}]}
            """;
        var expected = Enumerable.Range(0, ItemCount)
            .Where(i => i % 7 is >= 2 and < 5 && (i % 2 == 0 || i % 3 == 0) && i % 5 != 0)
            .Select(Id).Order(StringComparer.Ordinal).ToList();
        Assert.InRange(expected.Count, 5, ItemCount - 5);

        Assert.Equal(expected.Count, await CountAsync(client, Filter));
        var search = await Api.PostAsync(client, "/v1/collections/docs/search", Body("search", Filter), Ct);
        Assert.Equal(expected, search.Body!["hits"]!.AsArray().Select(h => h!["id"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        var batch = await Api.PostAsync(client, "/v1/collections/docs/search/batch", Body("search/batch", Filter), Ct);
        Assert.Equal(expected, batch.Body!["results"]![0]!["hits"]!.AsArray().Select(h => h!["id"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.Equal(expected, await ScrollAsync(client, Filter, pageSize: 4));
    }

    [Fact]
    public async Task DeleteItems_ByFilter_DeletesExactlyMatchingItemsAndSurvivesRestart()
    {
        string directory = Path.Combine(Path.GetTempPath(), "es-filter-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var settings = new Dictionary<string, string?> { ["Storage:Path"] = Path.Combine(directory, "store.db") };
        try
        {
            // Tagged b, or with a null score: i % 5 == 0 or i % 4 == 1.
            const string Filter = """{"should": [{"key": "tags", "match": "b"}, {"key": "score", "isNull": true}]}""";
            var kept = Enumerable.Range(0, ItemCount).Where(i => i % 5 != 0 && i % 4 != 1).Select(Id).Order(StringComparer.Ordinal).ToList();
            using (var factory = new ServerFactory(settings))
            {
                HttpClient client = factory.CreateClient();
                await SeedAsync(client);
                var deleted = await Api.PostAsync(client, "/v1/collections/docs/items/delete", $$"""{"filter": {{Filter}}}""", Ct);
                Assert.Equal(HttpStatusCode.OK, deleted.Status);
                Assert.Equal(ItemCount - kept.Count, deleted.Body!["deleted"]!.GetValue<int>());
                Assert.Equal(kept, await ScrollAsync(client, null, pageSize: 1_000));
                Assert.Equal(0, await CountAsync(client, Filter));
            }

            using (var restarted = new ServerFactory(settings))
            {
                HttpClient client = restarted.CreateClient();
                Assert.Equal(kept, await ScrollAsync(client, null, pageSize: 1_000));
                Assert.Equal(0, await CountAsync(client, Filter));
                Assert.Equal(kept.Count, await CountAsync(client, null));
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    [Theory]
    [InlineData("""{"ids": ["i00"], "filter": {"must": [{"key": "n", "match": 1}]}}""")]
    [InlineData("""{}""")]
    public async Task DeleteItems_BothOrNeitherOfIdsAndFilter_Is400AndDeletesNothing(string body)
    {
        using var factory = new ServerFactory();
        HttpClient client = factory.CreateClient();
        await SeedAsync(client);
        var response = await Api.PostAsync(client, "/v1/collections/docs/items/delete", body, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal(ProblemTypes.InvalidArgument, response.Body!["type"]!.GetValue<string>());
        Assert.Contains("exactly one of ids", response.Body!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(ItemCount, await CountAsync(client, null));
    }

    private static string Id(int i) => "i" + i.ToString("D2", CultureInfo.InvariantCulture);

    private static string Body(string route, string filter) => route switch
    {
        "search" => $$"""{"vector": [1, 0.5, 0.25], "k": 100, "filter": {{filter}}}""",
        "search/batch" => $$"""{"vectors": [[1, 0.5, 0.25]], "k": 100, "filter": {{filter}}}""",
        "items/scroll" => $$"""{"limit": 10, "filter": {{filter}}}""",
        _ => $$"""{"filter": {{filter}}}""",
    };

    // Item i: n = i % 7; lang en for even i; meta.src x when i % 3 == 0; tags [a, b] when i % 5 == 0; score null when i % 4 == 1.
    private static async Task SeedAsync(HttpClient client)
    {
        Assert.Equal(HttpStatusCode.Created, (await Api.PutAsync(client, "/v1/models/text/versions/v1", """{"dimension": 3, "metric": "dot"}""", Ct)).Status);
        Assert.Equal(HttpStatusCode.Created, (await Api.PutAsync(client, "/v1/collections/docs", """{"servingVersion": "text@v1"}""", Ct)).Status);
        var items = new JsonArray();
        for (int i = 0; i < ItemCount; i++)
        {
            var payload = new JsonObject
            {
                ["n"] = i % 7,
                ["lang"] = i % 2 == 0 ? "en" : "de",
                ["meta"] = new JsonObject { ["src"] = i % 3 == 0 ? "x" : "y" },
                ["tags"] = i % 5 == 0 ? new JsonArray("a", "b") : new JsonArray("a"),
                ["score"] = i % 4 == 1 ? null : i,
            };
            items.Add(new JsonObject
            {
                ["id"] = Id(i),
                ["payload"] = payload,
                ["vectors"] = new JsonObject { ["text@v1"] = new JsonArray(1f + i, 0.5f * i, 0.25f) },
            });
        }

        foreach (JsonNode?[] chunk in items.ToArray().Chunk(30))
        {
            var body = new JsonObject { ["items"] = new JsonArray([.. chunk.Select(n => n!.DeepClone())]) };
            Assert.Equal(HttpStatusCode.OK, (await Api.PostAsync(client, "/v1/collections/docs/items", body.ToJsonString(), Ct)).Status);
        }
    }

    private static async Task<long> CountAsync(HttpClient client, string? filter)
    {
        var response = await Api.PostAsync(client, "/v1/collections/docs/items/count", filter is null ? "{}" : Body("items/count", filter), Ct);
        Assert.Equal(HttpStatusCode.OK, response.Status);
        return response.Body!["count"]!.GetValue<long>();
    }

    private static async Task<List<string>> ScrollAsync(HttpClient client, string? filter, int pageSize)
    {
        var ids = new List<string>();
        string? cursor = null;
        do
        {
            var body = new JsonObject { ["limit"] = pageSize, ["cursor"] = cursor };
            if (filter is not null)
            {
                body["filter"] = JsonNode.Parse(filter);
            }

            var page = await Api.PostAsync(client, "/v1/collections/docs/items/scroll", body.ToJsonString(), Ct);
            Assert.Equal(HttpStatusCode.OK, page.Status);
            ids.AddRange(page.Body!["items"]!.AsArray().Select(i => i!["id"]!.GetValue<string>()));
            cursor = page.Body!["nextCursor"]?.GetValue<string>();
        }
        while (cursor is not null);

        return ids;
    }
}
