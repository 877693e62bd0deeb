// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using EmbeddingStore.Server.Tests.TestSupport;
using EmbeddingStore.Tests.Shared;

namespace EmbeddingStore.Server.Tests.Endpoints;

// Instruments with one name are shared by every server in the process (the storage meter is static), so these tests
// run alone and compare counters before and after their own requests.
[CollectionDefinition(nameof(MetricsEndpointTests), DisableParallelization = true)]
public sealed class MetricsCollection;

[Collection(nameof(MetricsEndpointTests))]
public sealed class MetricsEndpointTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Metrics_AfterRequests_CountersMoveInPrometheusText()
    {
        using var factory = new ServerFactory();
        HttpClient client = factory.CreateClient();
        Assert.Equal(HttpStatusCode.Created, (await Api.PutAsync(client, "/v1/models/text/versions/v1", """{"dimension": 3, "metric": "cosine"}""", Ct)).Status);
        Assert.Equal(HttpStatusCode.Created, (await Api.PutAsync(client, "/v1/collections/metered", """{"servingVersion": "text@v1"}""", Ct)).Status);
        string before = await ScrapeAsync(client);

        Assert.Equal(HttpStatusCode.OK, (await Api.PostAsync(client, "/v1/collections/metered/items", """
            {"items": [{"id": "a", "vectors": {"text@v1": [1, 0, 0]}}, {"id": "b", "vectors": {"text@v1": [0, 1, 0]}},
                       {"id": "c", "vectors": {"text@v1": [0, 0, 1]}}]}
            """, Ct)).Status);
        Assert.Equal(HttpStatusCode.OK, (await Api.PostAsync(client, "/v1/collections/metered/search", """{"vector": [1, 0.1, 0], "k": 2}""", Ct)).Status);
        Assert.Equal(HttpStatusCode.OK, (await Api.PostAsync(client, "/v1/collections/metered/search", """{"vector": [1, 0.1, 0], "k": 2, "index": "int8"}""", Ct)).Status);
        Assert.Equal(HttpStatusCode.OK, (await Api.PostAsync(client, "/v1/collections/metered/search/batch", """{"vectors": [[1, 0, 0], [0, 1, 0]], "k": 1}""", Ct)).Status);
        string after = await ScrapeAsync(client);

        // Request count by route and status (ASP.NET Core's own instrument).
        const string SearchRoute = """http_server_request_duration_seconds_count{*http_request_method="POST",http_response_status_code="200",http_route="/v1/collections/{name}/search"*}""";
        Assert.Equal(2, Value(after, SearchRoute) - Value(before, SearchRoute));
        // Searches by index kind: one exact single search plus a batch of two; one int8 search.
        Assert.Equal(3, Value(after, """embeddingstore_search_queries_total{*index="exact"}""") - Value(before, """embeddingstore_search_queries_total{*index="exact"}"""));
        Assert.Equal(1, Value(after, """embeddingstore_search_queries_total{*index="int8"}""") - Value(before, """embeddingstore_search_queries_total{*index="int8"}"""));
        Assert.Equal(1, Value(after, """embeddingstore_search_duration_seconds_count{*endpoint="batch",index="exact"}"""));
        // Each query considered the collection's three vectors.
        Assert.Equal(9, Value(after, """embeddingstore_search_candidates_scanned_total{*index="exact"}""") - Value(before, """embeddingstore_search_candidates_scanned_total{*index="exact"}"""));
        // Vectors per collection and version, read from the engine when scraped.
        Assert.Equal(0, Value(before, """embeddingstore_collection_vectors{*collection="metered",version="text@v1"}"""));
        Assert.Equal(3, Value(after, """embeddingstore_collection_vectors{*collection="metered",version="text@v1"}"""));
        // The upsert committed one SQLite transaction.
        Assert.True(Value(after, "embeddingstore_sqlite_commit_duration_seconds_count{*}") - Value(before, "embeddingstore_sqlite_commit_duration_seconds_count{*}") >= 1);
        Assert.Equal(1, Value(after, "embeddingstore_ready{*}"));
    }

    [Fact]
    public async Task Metrics_OverRateLimit_CountsEveryRejection()
    {
        using var factory = new ServerFactory(new Dictionary<string, string?> { ["RateLimit:PermitsPerSecond"] = "1", ["RateLimit:Burst"] = "1" });
        HttpClient client = factory.CreateClient();
        int rejected = 0;
        for (int i = 0; i < 10; i++)
        {
            using HttpResponseMessage response = await client.GetAsync(new Uri("/v1/collections", UriKind.Relative), Ct);
            rejected += response.StatusCode == HttpStatusCode.TooManyRequests ? 1 : 0;
        }

        Assert.True(rejected > 0, "ten requests within a burst of one were all admitted");
        Assert.Equal(rejected, Value(await ScrapeAsync(client), """embeddingstore_rate_limit_rejections_total{*http_route="/v1/collections/"}"""));
    }

    [Fact]
    public async Task Metrics_WithKeys_NeedsTheReadScope()
    {
        string key = "metrics-test-key";
        using var factory = new ServerFactory(new Dictionary<string, string?>
        {
            ["Auth:Keys:0:Name"] = "scraper",
            ["Auth:Keys:0:Sha256"] = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key))),
            ["Auth:Keys:0:Scopes:0"] = "read",
        });
        HttpClient client = factory.CreateClient();
        var anonymous = await Api.GetAsync(client, "/metrics", Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.Status);
        Assert.Equal("application/problem+json", anonymous.MediaType);

        client.DefaultRequestHeaders.Add("X-Api-Key", key);
        Assert.Contains("embeddingstore_ready", await ScrapeAsync(client), StringComparison.Ordinal);
    }

    private static async Task<string> ScrapeAsync(HttpClient client)
    {
        using HttpResponseMessage response = await client.GetAsync(new Uri("/metrics", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadAsStringAsync(Ct);
    }

    // The value of the one sample matching a pattern in which * stands for any labels; 0 when the series is absent.
    private static double Value(string scrape, string pattern)
    {
        var regex = new Regex("^" + Regex.Escape(pattern).Replace(@"\*", "[^}]*", StringComparison.Ordinal) + @" (\S+)", RegexOptions.Multiline);
        MatchCollection matches = regex.Matches(scrape);
        Assert.True(matches.Count <= 1, $"{matches.Count} series match {pattern}");
        return matches.Count == 0 ? 0 : double.Parse(matches[0].Groups[1].Value, CultureInfo.InvariantCulture);
    }
}
