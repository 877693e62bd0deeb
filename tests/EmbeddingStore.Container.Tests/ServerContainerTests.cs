// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Containers;
using DotNet.Testcontainers.Volumes;

namespace EmbeddingStore.Container.Tests;

// The server image as an operator runs it: host networking (every connection stays on 127.0.0.1), the database on a
// named volume, configuration through environment variables. Each test uses its own port and volume.
public sealed class ServerContainerTests(ServerImageFixture image) : IClassFixture<ServerImageFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Container_RegisterUpsertSearch_DataSurvivesANewContainerOnTheSameVolume()
    {
        SkipWithoutEngine();
        string volumeName = "es-container-tests-" + Guid.NewGuid().ToString("N")[..12];
        IVolume volume = new VolumeBuilder().WithName(volumeName).WithCleanUp(false).Build();
        await volume.CreateAsync(Ct);
        var started = new List<string>();
        try
        {
            int port = FreeLoopbackPort();
            string before;
            await using (IContainer first = await StartServerAsync(volume, port, started))
            {
                using HttpClient client = Client(port);
                Assert.Equal(HttpStatusCode.Created, (await SendAsync(client, HttpMethod.Put, "/v1/models/text/versions/v1", """{"dimension": 3, "metric": "cosine"}""")).Status);
                Assert.Equal(HttpStatusCode.Created, (await SendAsync(client, HttpMethod.Put, "/v1/collections/docs", """{"servingVersion": "text@v1"}""")).Status);
                var upsert = await SendAsync(client, HttpMethod.Post, "/v1/collections/docs/items", """
                    {"items": [{"id": "a1", "payload": {"title": "cats"}, "vectors": {"text@v1": [0.9, 0.1, 0.0]}},
                               {"id": "a2", "payload": {"title": "Katzen"}, "vectors": {"text@v1": [0.8, 0.2, 0.1]}},
                               {"id": "a3", "payload": {"title": "cars"}, "vectors": {"text@v1": [0.0, 0.3, 0.9]}}]}
                    """);
                Assert.Equal(HttpStatusCode.OK, upsert.Status);
                before = await SearchAsync(client);
                Assert.StartsWith("a1,a2", before, StringComparison.Ordinal);

                // docker stop: SIGTERM, the server drains and folds the WAL into the file on the volume.
                await first.StopAsync(Ct);
                Assert.Equal(0, await first.GetExitCodeAsync(Ct));
            }

            // A new container, not the old one restarted: the data can only come from the volume.
            await using IContainer second = await StartServerAsync(volume, port, started);
            using HttpClient again = Client(port);
            Assert.Equal(before, await SearchAsync(again));
            var collection = await SendAsync(again, HttpMethod.Get, "/v1/collections/docs");
            Assert.Equal(3, collection.Body!["itemCount"]!.GetValue<long>());
        }
        finally
        {
            await DockerEngine.RemoveAsync(started, volumeName);
        }
    }

    [Fact]
    public async Task Container_AfterRequests_MetricsMoveAndHealthIsReportedToDocker()
    {
        SkipWithoutEngine();
        string volumeName = "es-container-tests-" + Guid.NewGuid().ToString("N")[..12];
        IVolume volume = new VolumeBuilder().WithName(volumeName).WithCleanUp(false).Build();
        await volume.CreateAsync(Ct);
        var started = new List<string>();
        try
        {
            int port = FreeLoopbackPort();
            await using IContainer server = await StartServerAsync(volume, port, started);
            using HttpClient client = Client(port);
            var live = await SendAsync(client, HttpMethod.Get, "/health/live");
            Assert.Equal(HttpStatusCode.OK, live.Status);
            Assert.Equal("live", live.Body!["status"]!.GetValue<string>());

            string first = await ScrapeAsync(client);
            await SendAsync(client, HttpMethod.Put, "/v1/models/m/versions/v1", """{"dimension": 2, "metric": "dot"}""");
            await SendAsync(client, HttpMethod.Put, "/v1/collections/c", """{"servingVersion": "m@v1"}""");
            await SendAsync(client, HttpMethod.Post, "/v1/collections/c/items", """{"items": [{"id": "x", "vectors": {"m@v1": [1, 0]}}, {"id": "y", "vectors": {"m@v1": [0, 1]}}]}""");
            for (int i = 0; i < 5; i++)
            {
                Assert.Equal(HttpStatusCode.OK, (await SendAsync(client, HttpMethod.Post, "/v1/collections/c/search", """{"vector": [1, 0], "k": 1}""")).Status);
            }

            string second = await ScrapeAsync(client);
            const string Searches = """embeddingstore_search_queries_total{*index="exact"}""";
            Assert.Equal(5, Value(second, Searches) - Value(first, Searches));
            Assert.Equal(2, Value(second, """embeddingstore_collection_vectors{*collection="c",version="m@v1"}"""));
            Assert.True(Value(second, "embeddingstore_sqlite_commit_duration_seconds_count{*}") >= 3, "three writes, at least three commits");
            Assert.Equal(5, Value(second, """http_server_request_duration_seconds_count{*http_response_status_code="200",http_route="/v1/collections/{name}/search"*}"""));

            // The image's HEALTHCHECK asks /health/ready; Docker's status goes from starting to healthy.
            DateTime deadline = DateTime.UtcNow.AddSeconds(60);
            string? health = await DockerEngine.HealthStatusAsync(server.Id);
            Assert.True(health is "starting" or "healthy", $"health status {health}");
            while (health != "healthy" && DateTime.UtcNow < deadline)
            {
                await Task.Delay(250, Ct);
                health = await DockerEngine.HealthStatusAsync(server.Id);
            }

            Assert.Equal("healthy", health);
        }
        finally
        {
            await DockerEngine.RemoveAsync(started, volumeName);
        }
    }

    private void SkipWithoutEngine()
    {
        if (image.SkipReason is { } reason)
        {
            Assert.Skip(reason);
        }
    }

    private static async Task<IContainer> StartServerAsync(IVolume volume, int port, List<string> started)
    {
        IContainer container = new ContainerBuilder(ServerImageFixture.ImageName)
            .WithVolumeMount(volume, "/data")
            .WithEnvironment("Urls", $"http://127.0.0.1:{port}")
            .WithCreateParameterModifier(parameters => (parameters.HostConfig ??= new Docker.DotNet.Models.HostConfig()).NetworkMode = "host")
            .WithCleanUp(true)
            .Build();
        await container.StartAsync(Ct);
        started.Add(container.Id);

        // Ready means loaded: poll with a bounded deadline (the port refuses until Kestrel listens, then 503 until loaded).
        using HttpClient client = Client(port);
        DateTime deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                using HttpResponseMessage response = await client.GetAsync(new Uri("/health/ready", UriKind.Relative), Ct);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return container;
                }

                Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
                // Not listening yet.
            }

            if (DateTime.UtcNow > deadline)
            {
                (string stdout, string stderr) = await container.GetLogsAsync(ct: Ct);
                await container.DisposeAsync();
                Assert.Fail($"the container did not become ready on 127.0.0.1:{port} within 60 s:\n{stdout}\n{stderr}");
            }

            await Task.Delay(100, Ct);
        }
    }

    private static HttpClient Client(int port) => new() { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };

    // An ephemeral port the container's server can take: bound and released here, on loopback.
    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<string> SearchAsync(HttpClient client)
    {
        var search = await SendAsync(client, HttpMethod.Post, "/v1/collections/docs/search", """{"vector": [1.0, 0.1, 0.0], "k": 3}""");
        Assert.Equal(HttpStatusCode.OK, search.Status);
        return string.Join(',', search.Body!["hits"]!.AsArray().Select(h => h!["id"]!.GetValue<string>()));
    }

    private static async Task<(HttpStatusCode Status, JsonNode? Body)> SendAsync(HttpClient client, HttpMethod method, string path, string? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        using HttpResponseMessage response = await client.SendAsync(request, Ct);
        string text = await response.Content.ReadAsStringAsync(Ct);
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
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
