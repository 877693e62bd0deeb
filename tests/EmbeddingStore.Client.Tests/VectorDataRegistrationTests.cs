// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Client.Tests.TestSupport;
using EmbeddingStore.Client.VectorData;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.VectorData;

namespace EmbeddingStore.Client.Tests;

// The keyed, lifetime-aware registrations of the store and of single collections.
public sealed class VectorDataRegistrationTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public sealed class Doc
    {
        [VectorStoreKey]
        public string Id { get; set; } = "";

        [VectorStoreData]
        public string? Text { get; set; }

        [VectorStoreVector(3)]
        [EmbeddingVersion("di-text@v1")]
        public ReadOnlyMemory<float> Vector { get; set; }
    }

    public static TheoryData<ServiceLifetime, object?> Lifetimes() => new()
    {
        { ServiceLifetime.Singleton, null },
        { ServiceLifetime.Scoped, null },
        { ServiceLifetime.Transient, null },
        { ServiceLifetime.Singleton, "primary" },
        { ServiceLifetime.Scoped, 7 },
        { ServiceLifetime.Transient, "primary" },
    };

    [Theory]
    [MemberData(nameof(Lifetimes))]
    public void AddKeyedEmbeddingStoreVectorStore_Lifetime_ConcreteAndAbstractionHonourIt(ServiceLifetime lifetime, object? key)
    {
        var services = new ServiceCollection();
        services.AddEmbeddingStoreClient(o => o.BaseAddress = server.Address);
        services.AddKeyedEmbeddingStoreVectorStore(key, lifetime: lifetime);
        using ServiceProvider provider = services.BuildServiceProvider();
        AssertLifetime<EmbeddingStoreVectorStore>(provider, key, lifetime);
        AssertLifetime<VectorStore>(provider, key, lifetime);
    }

    [Theory]
    [MemberData(nameof(Lifetimes))]
    public void AddKeyedEmbeddingStoreCollection_Lifetime_AllFourServicesHonourIt(ServiceLifetime lifetime, object? key)
    {
        var services = new ServiceCollection();
        services.AddEmbeddingStoreClient(o => o.BaseAddress = server.Address);
        services.AddKeyedEmbeddingStoreCollection<string, Doc>(key, "di-docs", lifetime: lifetime);
        using ServiceProvider provider = services.BuildServiceProvider();
        AssertLifetime<EmbeddingStoreCollection<string, Doc>>(provider, key, lifetime);
        AssertLifetime<VectorStoreCollection<string, Doc>>(provider, key, lifetime);
        AssertLifetime<IVectorSearchable<Doc>>(provider, key, lifetime);
        AssertLifetime<IKeywordHybridSearchable<Doc>>(provider, key, lifetime);
    }

    [Fact]
    public void AddEmbeddingStoreVectorStore_AnotherStoreRegisteredFirst_BothResolvable()
    {
        var services = new ServiceCollection();
        services.AddEmbeddingStoreClient(o => o.BaseAddress = server.Address);
        services.AddSingleton<VectorStore>(static provider => new EmbeddingStoreVectorStore(provider.GetRequiredService<EmbeddingStoreClient>()));
        services.AddEmbeddingStoreVectorStore();
        using ServiceProvider provider = services.BuildServiceProvider();

        // Added, not tried: the concrete type resolves, and the abstraction now resolves to the last registration.
        Assert.NotNull(provider.GetRequiredService<EmbeddingStoreVectorStore>());
        Assert.Equal(2, provider.GetServices<VectorStore>().Count());
    }

    [Fact]
    public void AddEmbeddingStoreCollection_BadArguments_ThrowBeforeRegistering()
    {
        Assert.Throws<ArgumentNullException>(() => ((IServiceCollection)null!).AddEmbeddingStoreVectorStore());
        Assert.Throws<ArgumentNullException>(() => ((IServiceCollection)null!).AddKeyedEmbeddingStoreCollection<string, Doc>("k", "docs"));
        var services = new ServiceCollection();
        Assert.Throws<ArgumentNullException>(() => services.AddEmbeddingStoreCollection<string, Doc>(null!));
        Assert.Throws<ArgumentException>(() => services.AddKeyedEmbeddingStoreCollection<string, Doc>("k", ""));
        Assert.Empty(services);
    }

    [Fact]
    public async Task AddEmbeddingStoreCollection_GeneratorInContainer_ResolvedLazilyAndUsedForSearch()
    {
        var services = new ServiceCollection();
        services.AddEmbeddingStoreClient(o => o.BaseAddress = server.Address);
        int resolved = 0;
        services.AddSingleton<IEmbeddingGenerator>(_ =>
        {
            resolved++;
            return new FixedGenerator([0, 1, 0]);
        });
        services.AddEmbeddingStoreCollection<string, Doc>("di-generated");
        await using ServiceProvider provider = services.BuildServiceProvider();
        Assert.Equal(0, resolved);

        VectorStoreCollection<string, Doc> docs = provider.GetRequiredService<VectorStoreCollection<string, Doc>>();
        Assert.Equal(1, resolved);
        await docs.EnsureCollectionExistsAsync(Ct);
        await docs.UpsertAsync([new Doc { Id = "x", Text = "x", Vector = new float[] { 1, 0, 0 } }, new Doc { Id = "y", Text = "y", Vector = new float[] { 0, 1, 0 } }], Ct);

        // The container's generator embeds a string query (as (0, 1, 0)), so the nearest record is y.
        Assert.Equal("y", (await docs.SearchAsync("anything", 1, cancellationToken: Ct).SingleAsync(Ct)).Record.Id);
    }

    private static void AssertLifetime<TService>(ServiceProvider provider, object? key, ServiceLifetime lifetime)
        where TService : class
    {
        TService Resolve(IServiceProvider scope) => key is null ? scope.GetRequiredService<TService>() : scope.GetRequiredKeyedService<TService>(key);
        TService first;
        using (IServiceScope scope = provider.CreateScope())
        {
            first = Resolve(scope.ServiceProvider);
        }

        using IServiceScope second = provider.CreateScope();
        TService a = Resolve(second.ServiceProvider);
        TService b = Resolve(second.ServiceProvider);
        switch (lifetime)
        {
            case ServiceLifetime.Singleton:
                Assert.Same(first, a);
                Assert.Same(a, b);
                break;
            case ServiceLifetime.Scoped:
                Assert.NotSame(first, a);
                Assert.Same(a, b);
                break;
            default:
                Assert.NotSame(first, a);
                Assert.NotSame(a, b);
                break;
        }

        // A keyed registration is not visible without its key, and the reverse.
        if (key is null)
        {
            Assert.Null(provider.GetKeyedService<TService>("other"));
        }
        else
        {
            Assert.Null(provider.GetService<TService>());
        }
    }

    private sealed class FixedGenerator(float[] vector) : IEmbeddingGenerator<string, Embedding<float>>
    {
        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default) =>
            Task.FromResult(new GeneratedEmbeddings<Embedding<float>>(values.Select(_ => new Embedding<float>(vector))));

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
