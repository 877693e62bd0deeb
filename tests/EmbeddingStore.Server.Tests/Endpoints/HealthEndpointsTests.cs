// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Net;
using System.Text.Json.Nodes;
using EmbeddingStore.Contracts;
using EmbeddingStore.Server.Infrastructure;
using EmbeddingStore.Server.Tests.TestSupport;
using EmbeddingStore.Tests.Shared;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace EmbeddingStore.Server.Tests.Endpoints;

public sealed class HealthEndpointsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Ready_WhileLoadingInBackground_Answers503NotReadyThenFlipsToReady()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var server = new ServerFactory(new Dictionary<string, string?> { ["Startup:WaitForLoad"] = "false" });
        using WebApplicationFactory<Program> factory = server.WithWebHostBuilder(builder => builder.ConfigureTestServices(services =>
            services.AddSingleton(sp => new ServerReadiness(sp.GetRequiredService<IHostApplicationLifetime>()) { LoadGate = gate.Task })));
        HttpClient client = factory.CreateClient();

        // The load is held: the process is live, not ready, and the API refuses rather than answering from empty maps.
        var live = await Api.GetAsync(client, "/health/live", Ct);
        Assert.Equal(HttpStatusCode.OK, live.Status);
        Assert.Equal("live", live.Body!["status"]!.GetValue<string>());
        foreach (string path in new[] { "/health/ready", "/health", "/v1/collections" })
        {
            var notReady = await Api.GetAsync(client, path, Ct);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.Status);
            Assert.Equal("application/problem+json", notReady.MediaType);
            Assert.Equal(ProblemTypes.NotReady, notReady.Body!["type"]!.GetValue<string>());
        }

        using (HttpResponseMessage refused = await client.GetAsync(new Uri("/v1/collections", UriKind.Relative), Ct))
        {
            Assert.NotNull(refused.Headers.RetryAfter);
        }

        gate.SetResult();
        (HttpStatusCode Status, JsonNode? Body, string? MediaType) ready = await PollReadyAsync(client);
        Assert.Equal(HttpStatusCode.OK, ready.Status);
        Assert.Equal("ready", ready.Body!["status"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await Api.GetAsync(client, "/v1/collections", Ct)).Status);
    }

    [Fact]
    public void Readiness_WhenApplicationStopping_IsNotReady()
    {
        // ApplicationStopping is what SIGTERM (docker stop) fires first, before Kestrel stops and requests drain.
        var lifetime = new Microsoft.Extensions.Hosting.Internal.ApplicationLifetime(
            Microsoft.Extensions.Logging.Abstractions.NullLogger<Microsoft.Extensions.Hosting.Internal.ApplicationLifetime>.Instance);
        var readiness = new ServerReadiness(lifetime);
        readiness.MarkLoaded();
        Assert.True(readiness.IsReady);

        lifetime.StopApplication();

        Assert.False(readiness.IsReady);
        Assert.Equal("The server is shutting down.", readiness.Reason);
    }

    [Fact]
    public async Task Ready_WhileShuttingDown_Answers503WhileLiveStays200()
    {
        using var server = new ServerFactory();
        using WebApplicationFactory<Program> factory = server.WithWebHostBuilder(builder => builder.ConfigureTestServices(services =>
            services.AddSingleton(sp =>
            {
                var readiness = new ServerReadiness(sp.GetRequiredService<IHostApplicationLifetime>());
                readiness.MarkStopping();
                return readiness;
            })));
        HttpClient client = factory.CreateClient();

        var ready = await Api.GetAsync(client, "/health/ready", Ct);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.Status);
        Assert.Equal("application/problem+json", ready.MediaType);
        Assert.Equal(ProblemTypes.NotReady, ready.Body!["type"]!.GetValue<string>());
        Assert.Contains("shutting down", ready.Body!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        // Requests still in flight or on open connections are served while the server drains.
        Assert.Equal(HttpStatusCode.OK, (await Api.GetAsync(client, "/health/live", Ct)).Status);
        Assert.Equal(HttpStatusCode.OK, (await Api.GetAsync(client, "/v1/collections", Ct)).Status);
    }

    [Fact]
    public async Task Ready_WithKeysAndNoKey_AnswersWithoutAuthentication()
    {
        using var factory = new ServerFactory(new Dictionary<string, string?>
        {
            ["Auth:Keys:0:Name"] = "ops",
            ["Auth:Keys:0:Sha256"] = new string('0', 64),
            ["Auth:Keys:0:Scopes:0"] = "admin",
        });
        HttpClient client = factory.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await Api.GetAsync(client, "/health/ready", Ct)).Status);
        Assert.Equal(HttpStatusCode.OK, (await Api.GetAsync(client, "/health/live", Ct)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Api.GetAsync(client, "/v1/collections", Ct)).Status);
    }

    // Readiness after the gate opens comes from a background task: poll with a bounded deadline.
    private static async Task<(HttpStatusCode Status, JsonNode? Body, string? MediaType)> PollReadyAsync(HttpClient client)
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var ready = await Api.GetAsync(client, "/health/ready", Ct);
            if (ready.Status == HttpStatusCode.OK || DateTime.UtcNow > deadline)
            {
                return ready;
            }

            await Task.Delay(20, Ct);
        }
    }
}
