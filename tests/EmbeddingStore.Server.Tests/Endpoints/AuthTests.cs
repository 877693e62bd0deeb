// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using EmbeddingStore.Contracts;
using EmbeddingStore.Tests.Shared;

namespace EmbeddingStore.Server.Tests.Endpoints;

public sealed class AuthTests
{
    // Which scope each operation needs. A route missing here fails the enumeration test: every new route needs a decision.
    private static readonly Dictionary<string, string> s_required = new(StringComparer.Ordinal)
    {
        ["GET /v1/models/versions"] = "read",
        ["GET /v1/models/{model}/versions/{version}"] = "read",
        ["PUT /v1/models/{model}/versions/{version}"] = "admin",
        ["GET /v1/collections"] = "read",
        ["GET /v1/collections/{name}"] = "read",
        ["PUT /v1/collections/{name}"] = "admin",
        ["DELETE /v1/collections/{name}"] = "admin",
        ["POST /v1/collections/{name}/items"] = "write",
        ["GET /v1/collections/{name}/items"] = "read",
        ["POST /v1/collections/{name}/items/scroll"] = "read",
        ["GET /v1/collections/{name}/items/{id}"] = "read",
        ["POST /v1/collections/{name}/items/delete"] = "write",
        ["POST /v1/collections/{name}/items/bulk"] = "write",
        ["POST /v1/collections/{name}/items/count"] = "read",
        ["POST /v1/collections/{name}/search"] = "read",
        ["POST /v1/collections/{name}/search/batch"] = "read",
        ["POST /v1/collections/{name}/search/hybrid"] = "read",
        ["POST /v1/links"] = "admin",
        ["GET /v1/links"] = "read",
        ["GET /v1/links/{id}"] = "read",
        ["DELETE /v1/links/{id}"] = "admin",
        ["POST /v1/links/{id}/derive"] = "admin",
        ["GET /v1/jobs"] = "read",
        ["GET /v1/jobs/{id}"] = "read",
        ["POST /v1/jobs/{id}/cancel"] = "admin",
        ["POST /v1/jobs/{id}/pause"] = "admin",
        ["POST /v1/jobs/{id}/resume"] = "admin",
        ["PUT /v1/aliases/{alias}"] = "admin",
        ["GET /v1/aliases"] = "read",
        ["GET /v1/aliases/{alias}"] = "read",
        ["DELETE /v1/aliases/{alias}"] = "admin",
        ["POST /v1/collections/{name}/migrations"] = "admin",
        ["GET /v1/collections/{name}/migrations"] = "read",
        ["GET /v1/collections/{name}/migrations/{id}"] = "read",
        ["POST /v1/collections/{name}/migrations/{id}/start"] = "admin",
        ["POST /v1/collections/{name}/migrations/{id}/pause"] = "admin",
        ["POST /v1/collections/{name}/migrations/{id}/resume"] = "admin",
        ["POST /v1/collections/{name}/migrations/{id}/cancel"] = "admin",
        ["POST /v1/collections/{name}/migrations/{id}/cutover"] = "admin",
        ["POST /v1/collections/{name}/migrations/{id}/rollback"] = "admin",
        ["POST /v1/collections/{name}/migrations/{id}/purge"] = "admin",
        ["GET /v1/collections/{name}/migrations/{id}/pending"] = "read",
        ["POST /v1/collections/{name}/migrations/{id}/vectors"] = "write",
        ["POST /v1/collections/{name}/migrations/{id}/refit"] = "admin",
        ["PUT /v1/collections/{name}/indexes/{field}"] = "admin",
        ["GET /v1/collections/{name}/indexes"] = "read",
        ["GET /v1/collections/{name}/indexes/{field}"] = "read",
        ["DELETE /v1/collections/{name}/indexes/{field}"] = "admin",
        ["POST /v1/admin/backup"] = "admin",
        ["GET /v1/admin/verify"] = "admin",
    };

    private static readonly Dictionary<string, string> s_keys = new(StringComparer.Ordinal)
    {
        ["reader"] = "read-key-0123456789",
        ["writer"] = "write-key-0123456789",
        ["admin"] = "admin-key-0123456789",
        ["nobody"] = "no-scope-key-0123456789",
    };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task EveryRoute_InOpenApiDocument_EnforcesKeysAndScopes()
    {
        using ServerFactory factory = CreateFactory();
        HttpClient client = factory.CreateClient();
        JsonObject paths = JsonNode.Parse(await client.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative), Ct))!["paths"]!.AsObject();
        int checkedOperations = 0;
        foreach ((string path, JsonNode? item) in paths)
        {
            foreach ((string method, _) in item!.AsObject())
            {
                string operation = $"{method.ToUpperInvariant()} {path}";
                if (path is "/health" or "/health/live" or "/health/ready")
                {
                    Assert.Equal(HttpStatusCode.OK, (await SendAsync(client, method, path, null)).Status);
                    continue;
                }

                Assert.True(s_required.TryGetValue(operation, out string? scope), $"{operation} has no scope decision in this test");
                checkedOperations++;

                var anonymous = await SendAsync(client, method, path, null);
                AssertProblem(anonymous, HttpStatusCode.Unauthorized, ProblemTypes.Unauthorized, operation + " without a key");
                AssertProblem(await SendAsync(client, method, path, "not-a-configured-key"), HttpStatusCode.Unauthorized, ProblemTypes.Unauthorized, operation + " with a wrong key");
                AssertProblem(await SendAsync(client, method, path, s_keys["nobody"]), HttpStatusCode.Forbidden, ProblemTypes.Forbidden, operation + " with no scope");

                foreach ((string name, string key) in s_keys)
                {
                    // Scopes nest: admin includes write, write includes read.
                    bool allowed = name == "admin" || (name == "writer" && scope != "admin") || (name == "reader" && scope == "read");
                    var response = await SendAsync(client, method, path, key);
                    if (allowed)
                    {
                        Assert.True(
                            response.Status is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden) && (int)response.Status < 500,
                            $"{operation} with the {name} key: {(int)response.Status}");
                    }
                    else
                    {
                        Assert.True(response.Status == HttpStatusCode.Forbidden, $"{operation} with the {name} key should be 403, was {(int)response.Status}");
                    }
                }
            }
        }

        Assert.True(checkedOperations >= 17, $"only {checkedOperations} operations enumerated");
    }

    [Fact]
    public async Task Request_BearerHeader_AcceptedLikeApiKeyHeader()
    {
        using ServerFactory factory = CreateFactory();
        HttpClient client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/collections");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", s_keys["reader"]);
        using HttpResponseMessage response = await client.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Requests_OverRateLimit_Get429WithRetryAfter()
    {
        using var factory = new ServerFactory(new Dictionary<string, string?> { ["RateLimit:PermitsPerSecond"] = "1", ["RateLimit:Burst"] = "2" });
        HttpClient client = factory.CreateClient();
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? limited = null;
        for (int i = 0; i < 20; i++)
        {
            HttpResponseMessage response = await client.GetAsync(new Uri("/v1/collections", UriKind.Relative), Ct);
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests && limited is null)
            {
                limited = response;
            }
        }

        Assert.Equal(HttpStatusCode.OK, statuses[0]);
        Assert.NotNull(limited);
        Assert.True(limited.Headers.RetryAfter is not null, "429 without Retry-After");
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
        Assert.Equal(ProblemTypes.RateLimited, JsonNode.Parse(await limited.Content.ReadAsStringAsync(Ct))!["type"]!.GetValue<string>());

        // Health stays reachable for load balancers.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/health", UriKind.Relative), Ct)).StatusCode);
    }

    [Fact]
    public async Task Start_NonLoopbackWithoutKeys_RefusesWithClearMessage()
    {
        string directory = Path.Combine(Path.GetTempPath(), "es-auth-tests", Guid.NewGuid().ToString("N"));
        InvalidOperationException ex = await Assert.ThrowsAsync<InvalidOperationException>(
            () => ServerProcess.StartAsync(Path.Combine(directory, "x.db"), Ct, urls: "http://0.0.0.0:0"));
        Assert.Contains("refusing to listen on http://0.0.0.0:0 without API keys", ex.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(directory, "x.db")), "a refused start must not create the database");
    }

    private static ServerFactory CreateFactory()
    {
        var settings = new Dictionary<string, string?>();
        int i = 0;
        foreach ((string name, string key) in s_keys)
        {
            settings[$"Auth:Keys:{i}:Name"] = name;
            settings[$"Auth:Keys:{i}:Sha256"] = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
            if (name != "nobody")
            {
                settings[$"Auth:Keys:{i}:Scopes:0"] = name switch { "reader" => "read", "writer" => "write", _ => "admin" };
            }

            i++;
        }

        return new ServerFactory(settings);
    }

    private static async Task<(HttpStatusCode Status, JsonNode? Body, string? MediaType)> SendAsync(HttpClient client, string method, string path, string? key)
    {
        string concrete = path.Replace("{model}", "text", StringComparison.Ordinal).Replace("{version}", "v1", StringComparison.Ordinal)
            .Replace("{name}", "docs", StringComparison.Ordinal).Replace("{id}", "x", StringComparison.Ordinal);
        using var request = new HttpRequestMessage(new HttpMethod(method.ToUpperInvariant()), concrete);
        if (method is "post" or "put")
        {
            request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        }

        if (key is not null)
        {
            request.Headers.Add("X-Api-Key", key);
        }

        using HttpResponseMessage response = await client.SendAsync(request, Ct);
        string text = await response.Content.ReadAsStringAsync(Ct);
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text), response.Content.Headers.ContentType?.MediaType);
    }

    private static void AssertProblem((HttpStatusCode Status, JsonNode? Body, string? MediaType) response, HttpStatusCode status, string type, string what)
    {
        Assert.True(response.Status == status, $"{what}: expected {(int)status}, got {(int)response.Status}");
        Assert.Equal("application/problem+json", response.MediaType);
        Assert.Equal(type, response.Body!["type"]!.GetValue<string>());
    }
}
