// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Net;
using EmbeddingStore.Client.Tests.TestSupport;
using EmbeddingStore.Contracts;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace EmbeddingStore.Client.Tests;

// Faults are injected below the retry layer, in front of the real server: what is retried, what is not, on both the
// built-in handler and the Microsoft.Extensions.Http.Resilience (DI) path.
public sealed class RetryTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public enum Path
    {
        BuiltIn,
        DependencyInjection,
    }

    private EmbeddingStoreClient Create(Path path, FaultInjectingHandler faults, out IDisposable owner, TimeSpan? attemptTimeout = null)
    {
        if (path == Path.BuiltIn)
        {
            EmbeddingStoreClient client = new(new EmbeddingStoreClientOptions
            {
                BaseAddress = server.Address,
                RetryBaseDelay = TimeSpan.FromMilliseconds(1),
                MaxRetryDelay = TimeSpan.FromMilliseconds(5),
                AttemptTimeout = attemptTimeout ?? TimeSpan.FromSeconds(30),
            }, faults.WithNetwork());
            owner = client;
            return client;
        }

        var services = new ServiceCollection();
        services.AddEmbeddingStoreClient(o =>
        {
            o.BaseAddress = server.Address;
            o.RetryBaseDelay = TimeSpan.FromMilliseconds(1);
            o.MaxRetryDelay = TimeSpan.FromMilliseconds(5);
            o.ApiKey = "secret-key";
            o.AttemptTimeout = attemptTimeout ?? TimeSpan.FromSeconds(30);
        }).AddHttpMessageHandler(() => faults);
        ServiceProvider provider = services.BuildServiceProvider();
        owner = provider;
        return provider.GetRequiredService<EmbeddingStoreClient>();
    }

    private async Task<string> SeedAsync(string name)
    {
        using EmbeddingStoreClient client = server.CreateClient();
        await client.RegisterModelVersionAsync("retry", "v1", new ModelVersionRequest { Dimension = 2, Metric = "dot" }, Ct);
        await client.PutCollectionAsync(name, new CollectionRequest { ServingVersion = "retry@v1" }, Ct);
        await client.UpsertItemsAsync(name, new UpsertItemsRequest { Items = [new ItemRequest { Id = "a", Vectors = new() { ["retry@v1"] = [1, 0] } }] }, Ct);
        return name;
    }

    [Theory]
    [InlineData(Path.BuiltIn, HttpStatusCode.ServiceUnavailable)]
    [InlineData(Path.BuiltIn, HttpStatusCode.BadGateway)]
    [InlineData(Path.BuiltIn, HttpStatusCode.GatewayTimeout)]
    [InlineData(Path.BuiltIn, HttpStatusCode.RequestTimeout)]
    [InlineData(Path.BuiltIn, null)]
    [InlineData(Path.DependencyInjection, HttpStatusCode.ServiceUnavailable)]
    [InlineData(Path.DependencyInjection, null)]
    public async Task Search_TwoTransientFaults_RetriedAndSucceeds(Path path, HttpStatusCode? fault)
    {
        string name = await SeedAsync($"search-{path}-{(int?)fault ?? 0}");
        var faults = new FaultInjectingHandler(2, fault);
        EmbeddingStoreClient client = Create(path, faults, out IDisposable owner);
        using (owner)
        {
            SearchResponse result = await client.SearchAsync(name, new SearchRequest { Vector = [1, 0], K = 1 }, Ct);
            Assert.Equal("a", result.Hits.Single().Id);
            Assert.Equal(3, faults.Attempts("/search"));
        }
    }

    [Theory]
    [InlineData(Path.BuiltIn)]
    [InlineData(Path.DependencyInjection)]
    public async Task Get_TooManyRequestsWithRetryAfter_Retried(Path path)
    {
        string name = await SeedAsync($"get-429-{path}");
        var faults = new FaultInjectingHandler(1, HttpStatusCode.TooManyRequests, retryAfter: TimeSpan.Zero);
        EmbeddingStoreClient client = Create(path, faults, out IDisposable owner);
        using (owner)
        {
            Assert.Equal(1, (await client.GetCollectionAsync(name, Ct)).ItemCount);
            Assert.Equal(2, faults.Attempts($"/{name}"));
        }
    }

    [Theory]
    [InlineData(Path.BuiltIn)]
    [InlineData(Path.DependencyInjection)]
    public async Task Search_ValidationError_NotRetried(Path path)
    {
        string name = await SeedAsync($"validation-{path}");
        var faults = new FaultInjectingHandler(0, null);
        EmbeddingStoreClient client = Create(path, faults, out IDisposable owner);
        using (owner)
        {
            await Assert.ThrowsAsync<EmbeddingStoreValidationException>(() => client.SearchAsync(name, new SearchRequest { Vector = [1, 0, 0] }, Ct));
            Assert.Equal(1, faults.Attempts("/search"));
        }
    }

    [Theory]
    [InlineData(Path.BuiltIn, HttpStatusCode.ServiceUnavailable)]
    [InlineData(Path.BuiltIn, null)]
    [InlineData(Path.DependencyInjection, HttpStatusCode.ServiceUnavailable)]
    [InlineData(Path.DependencyInjection, null)]
    public async Task Upsert_TransientFaultWithoutKey_NotRetried(Path path, HttpStatusCode? fault)
    {
        string name = await SeedAsync($"upsert-{path}-{(int?)fault ?? 0}");
        var faults = new FaultInjectingHandler(1, fault);
        EmbeddingStoreClient client = Create(path, faults, out IDisposable owner);
        using (owner)
        {
            var batch = new UpsertItemsRequest { Items = [new ItemRequest { Id = "b", Vectors = new() { ["retry@v1"] = [0, 1] } }] };
            if (fault is null)
            {
                await Assert.ThrowsAsync<HttpRequestException>(() => client.UpsertItemsAsync(name, batch, Ct));
            }
            else
            {
                EmbeddingStoreException ex = await Assert.ThrowsAsync<EmbeddingStoreException>(() => client.UpsertItemsAsync(name, batch, Ct));
                Assert.True(ex.IsTransient);
            }

            Assert.Equal(1, faults.Attempts("/items"));
            Assert.Equal(1, (await client.GetCollectionAsync(name, Ct)).ItemCount);
        }
    }

    [Theory]
    [InlineData(Path.BuiltIn)]
    [InlineData(Path.DependencyInjection)]
    public async Task Upsert_TransientFaultWithKey_RetriedWithTheSameKey(Path path)
    {
        string name = await SeedAsync($"keyed-{path}");
        var faults = new FaultInjectingHandler(2, HttpStatusCode.ServiceUnavailable);
        EmbeddingStoreClient client = Create(path, faults, out IDisposable owner);
        using (owner)
        {
            var batch = new UpsertItemsRequest { Items = [new ItemRequest { Id = "b", Vectors = new() { ["retry@v1"] = [0, 1] } }] };
            // One key per test case: the server honours keys, and both cases share one server.
            string key = $"job-7-{path}-batch-0";
            Assert.Equal(1, (await client.UpsertItemsAsync(name, batch, key, Ct)).Upserted);
            Assert.Equal([key, key, key], faults.Requests.Where(r => r.Path.EndsWith("/items", StringComparison.Ordinal)).Select(r => r.IdempotencyKey));
            Assert.Equal(2, (await client.GetCollectionAsync(name, Ct)).ItemCount);
        }
    }

    [Theory]
    [InlineData(Path.BuiltIn)]
    [InlineData(Path.DependencyInjection)]
    public async Task Search_FirstAttemptHangs_AttemptTimesOutAndIsRetried(Path path)
    {
        string name = await SeedAsync($"hang-search-{path}");
        var faults = new FaultInjectingHandler(1, null, hang: true);
        EmbeddingStoreClient client = Create(path, faults, out IDisposable owner, attemptTimeout: TimeSpan.FromMilliseconds(300));
        using (owner)
        {
            Assert.Equal("a", (await client.SearchAsync(name, new SearchRequest { Vector = [1, 0], K = 1 }, Ct)).Hits.Single().Id);
            Assert.Equal(2, faults.Attempts("/search"));
        }
    }

    [Theory]
    [InlineData(Path.BuiltIn)]
    [InlineData(Path.DependencyInjection)]
    public async Task Upsert_AttemptHangsWithoutKey_ThrowsTimeoutWithoutRetry(Path path)
    {
        string name = await SeedAsync($"hang-upsert-{path}");
        var faults = new FaultInjectingHandler(1, null, hang: true);
        EmbeddingStoreClient client = Create(path, faults, out IDisposable owner, attemptTimeout: TimeSpan.FromMilliseconds(300));
        using (owner)
        {
            var batch = new UpsertItemsRequest { Items = [new ItemRequest { Id = "b", Vectors = new() { ["retry@v1"] = [0, 1] } }] };
            await Assert.ThrowsAsync<TimeoutException>(() => client.UpsertItemsAsync(name, batch, Ct));
            Assert.Equal(1, faults.Attempts("/items"));
        }
    }

    [Fact]
    public async Task Search_MoreFaultsThanRetries_ThrowsTheLastFault()
    {
        string name = await SeedAsync("exhausted");
        var faults = new FaultInjectingHandler(10, HttpStatusCode.ServiceUnavailable);
        using EmbeddingStoreClient client = server.CreateClient(faults, maxRetries: 2);
        EmbeddingStoreException ex = await Assert.ThrowsAsync<EmbeddingStoreException>(() => client.SearchAsync(name, new SearchRequest { Vector = [1, 0] }, Ct));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ex.Status);
        Assert.Equal(3, faults.Attempts("/search"));
    }

    [Fact]
    public async Task AddEmbeddingStoreClient_FromConfiguration_BindsSectionAndSendsApiKey()
    {
        string name = await SeedAsync("configured");
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["EmbeddingStore:BaseAddress"] = server.Address.ToString(),
            ["EmbeddingStore:ApiKey"] = "from-config",
            ["EmbeddingStore:MaxRetries"] = "1",
            ["EmbeddingStore:Timeout"] = "00:00:30",
            ["EmbeddingStore:RetryBaseDelay"] = "00:00:00.001",
            ["EmbeddingStore:MaxRetryDelay"] = "00:00:00.005",
        }).Build();
        var faults = new FaultInjectingHandler(5, HttpStatusCode.ServiceUnavailable);
        var services = new ServiceCollection();
        services.AddEmbeddingStoreClient(configuration).AddHttpMessageHandler(() => faults);
        using ServiceProvider provider = services.BuildServiceProvider();

        EmbeddingStoreClient client = provider.GetRequiredService<EmbeddingStoreClient>();
        await Assert.ThrowsAsync<EmbeddingStoreException>(() => client.GetCollectionAsync(name, Ct));
        Assert.Equal(2, faults.Attempts($"/{name}"));
        Assert.All(faults.Requests, r => Assert.Equal("from-config", r.ApiKey));
    }

    [Fact]
    public async Task AddEmbeddingStoreClient_CalledTwice_OnePipelineAndLaterSettingsWin()
    {
        string name = await SeedAsync("twice");
        var faults = new FaultInjectingHandler(10, HttpStatusCode.ServiceUnavailable);
        var services = new ServiceCollection();
        services.AddEmbeddingStoreClient(o => o.BaseAddress = new Uri("http://127.0.0.1:1/"));
        services.AddEmbeddingStoreClient(o =>
        {
            o.BaseAddress = server.Address;
            o.MaxRetries = 2;
            o.RetryBaseDelay = TimeSpan.FromMilliseconds(1);
            o.MaxRetryDelay = TimeSpan.FromMilliseconds(5);
        }).AddHttpMessageHandler(() => faults);
        await using ServiceProvider provider = services.BuildServiceProvider();

        await Assert.ThrowsAsync<EmbeddingStoreException>(() => provider.GetRequiredService<EmbeddingStoreClient>().GetCollectionAsync(name, Ct));
        Assert.Equal(3, faults.Attempts($"/{name}"));
    }

    [Fact]
    public void AddEmbeddingStoreClient_WithoutBaseAddress_ThrowsOnResolve()
    {
        var services = new ServiceCollection();
        services.AddEmbeddingStoreClient(_ => { });
        using ServiceProvider provider = services.BuildServiceProvider();
        ArgumentException ex = Assert.ThrowsAny<ArgumentException>(() => provider.GetRequiredService<EmbeddingStoreClient>());
        Assert.Contains("BaseAddress", ex.Message, StringComparison.Ordinal);
    }
}
