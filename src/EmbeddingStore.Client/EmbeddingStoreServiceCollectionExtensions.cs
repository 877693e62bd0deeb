// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Diagnostics.CodeAnalysis;
using EmbeddingStore.Client;
using EmbeddingStore.Client.Internal;
using EmbeddingStore.Client.VectorData;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.VectorData;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers <see cref="EmbeddingStoreClient"/> on IHttpClientFactory with Microsoft.Extensions.Http.Resilience retries
/// and timeouts, in the namespace of <see cref="IServiceCollection"/> so it is found without an extra using.
/// </summary>
public static class EmbeddingStoreServiceCollectionExtensions
{
    /// <summary>The name of the IHttpClientFactory client the SDK uses, for callers that add their own handlers to it.</summary>
    public const string HttpClientName = "EmbeddingStore";

    /// <summary>
    /// Registers a transient <see cref="EmbeddingStoreClient"/> configured in code. The pipeline is: total timeout
    /// (<see cref="EmbeddingStoreClientOptions.Timeout"/>), retry (idempotent calls and keyed writes only, on transient
    /// failures, jittered exponential back-off honouring <c>Retry-After</c>), per-attempt timeout.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options; <see cref="EmbeddingStoreClientOptions.BaseAddress"/> is required.</param>
    /// <returns>The HTTP client builder, to add handlers below the resilience pipeline (logging, test faults).</returns>
    public static IHttpClientBuilder AddEmbeddingStoreClient(this IServiceCollection services, Action<EmbeddingStoreClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<EmbeddingStoreClientOptions>().Configure(configure);
        return AddCore(services);
    }

    /// <summary>
    /// Registers a transient <see cref="EmbeddingStoreClient"/> with options bound from the <c>EmbeddingStore</c> section
    /// of <paramref name="configuration"/> (<c>EmbeddingStore:BaseAddress</c>, <c>:ApiKey</c>, <c>:Timeout</c>,
    /// <c>:MaxRetries</c>, ...), so deployments change the server without a rebuild.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The application's configuration root (the section is looked up in it).</param>
    /// <param name="configure">Optional changes applied after binding.</param>
    /// <returns>The HTTP client builder.</returns>
    public static IHttpClientBuilder AddEmbeddingStoreClient(this IServiceCollection services, IConfiguration configuration, Action<EmbeddingStoreClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        OptionsBuilder<EmbeddingStoreClientOptions> options = services.AddOptions<EmbeddingStoreClientOptions>()
            .Bind(configuration.GetSection(EmbeddingStoreClientOptions.SectionName));
        if (configure is not null)
        {
            options.Configure(configure);
        }

        return AddCore(services);
    }

    /// <summary>
    /// Registers <see cref="EmbeddingStoreVectorStore"/>, and the same object as the Microsoft.Extensions.VectorData
    /// <see cref="VectorStore"/>, over the <see cref="EmbeddingStoreClient"/> registered by <c>AddEmbeddingStoreClient</c>
    /// (call that first). Transient by default, like the client, so HTTP handlers keep rotating; the store holds no state
    /// of its own, so any lifetime is safe.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="optionsProvider">The store's options; without an embedding generator in them, an <see cref="IEmbeddingGenerator"/> registered in the container is used.</param>
    /// <param name="lifetime">The store's lifetime.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddEmbeddingStoreVectorStore(
        this IServiceCollection services, Func<IServiceProvider, EmbeddingStoreVectorStoreOptions>? optionsProvider = null, ServiceLifetime lifetime = ServiceLifetime.Transient) =>
        AddKeyedEmbeddingStoreVectorStore(services, serviceKey: null, optionsProvider, lifetime);

    /// <summary>
    /// Registers <see cref="EmbeddingStoreVectorStore"/> and <see cref="VectorStore"/> under <paramref name="serviceKey"/>,
    /// so an application can hold several stores (another server, other options) side by side. Registrations are added,
    /// never tried: a <see cref="VectorStore"/> registered earlier by another connector stays resolvable as its own type.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="serviceKey">The key; null registers the store without one.</param>
    /// <param name="optionsProvider">The store's options; without an embedding generator in them, an <see cref="IEmbeddingGenerator"/> registered in the container is used.</param>
    /// <param name="lifetime">The store's lifetime.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddKeyedEmbeddingStoreVectorStore(
        this IServiceCollection services, object? serviceKey, Func<IServiceProvider, EmbeddingStoreVectorStoreOptions>? optionsProvider = null, ServiceLifetime lifetime = ServiceLifetime.Transient)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.Add(new ServiceDescriptor(typeof(EmbeddingStoreVectorStore), serviceKey, (provider, _) =>
        {
            EmbeddingStoreVectorStoreOptions? options = optionsProvider?.Invoke(provider);
            if (options?.EmbeddingGenerator is null && provider.GetService<IEmbeddingGenerator>() is { } generator)
            {
                // A copy: the caller's options object may be shared by other registrations.
                options = new EmbeddingStoreVectorStoreOptions(options) { EmbeddingGenerator = generator };
            }

            return new EmbeddingStoreVectorStore(provider.GetRequiredService<EmbeddingStoreClient>(), options);
        }, lifetime));
        services.Add(new ServiceDescriptor(typeof(VectorStore), serviceKey, static (provider, key) => provider.GetRequiredKeyedService<EmbeddingStoreVectorStore>(key), lifetime));
        return services;
    }

    /// <summary>
    /// Registers one collection as <see cref="EmbeddingStoreCollection{TKey, TRecord}"/>,
    /// <see cref="VectorStoreCollection{TKey, TRecord}"/>, <see cref="IVectorSearchable{TRecord}"/> and
    /// <see cref="IKeywordHybridSearchable{TRecord}"/>, for code that
    /// needs one collection rather than the store. Transient by default, like the client it uses.
    /// </summary>
    /// <typeparam name="TKey">The key type: string or Guid.</typeparam>
    /// <typeparam name="TRecord">The record type.</typeparam>
    /// <param name="services">The service collection.</param>
    /// <param name="name">The collection's name.</param>
    /// <param name="optionsProvider">The collection's options; without an embedding generator in them, an <see cref="IEmbeddingGenerator"/> registered in the container is used.</param>
    /// <param name="lifetime">The collection's lifetime.</param>
    /// <returns>The service collection.</returns>
    [RequiresUnreferencedCode("Maps records by reflection.")]
    [RequiresDynamicCode("Maps records by reflection.")]
    public static IServiceCollection AddEmbeddingStoreCollection<TKey, TRecord>(
        this IServiceCollection services, string name, Func<IServiceProvider, EmbeddingStoreCollectionOptions>? optionsProvider = null, ServiceLifetime lifetime = ServiceLifetime.Transient)
        where TKey : notnull
        where TRecord : class =>
        AddKeyedEmbeddingStoreCollection<TKey, TRecord>(services, serviceKey: null, name, optionsProvider, lifetime);

    /// <summary>
    /// Registers one collection under <paramref name="serviceKey"/> as <see cref="EmbeddingStoreCollection{TKey, TRecord}"/>,
    /// <see cref="VectorStoreCollection{TKey, TRecord}"/>, <see cref="IVectorSearchable{TRecord}"/> and
    /// <see cref="IKeywordHybridSearchable{TRecord}"/>. The collection
    /// is built when first resolved, so a record type that cannot be mapped fails there, naming the problem.
    /// </summary>
    /// <typeparam name="TKey">The key type: string or Guid.</typeparam>
    /// <typeparam name="TRecord">The record type.</typeparam>
    /// <param name="services">The service collection.</param>
    /// <param name="serviceKey">The key; null registers the collection without one.</param>
    /// <param name="name">The collection's name.</param>
    /// <param name="optionsProvider">The collection's options; without an embedding generator in them, an <see cref="IEmbeddingGenerator"/> registered in the container is used.</param>
    /// <param name="lifetime">The collection's lifetime.</param>
    /// <returns>The service collection.</returns>
    [RequiresUnreferencedCode("Maps records by reflection.")]
    [RequiresDynamicCode("Maps records by reflection.")]
    public static IServiceCollection AddKeyedEmbeddingStoreCollection<TKey, TRecord>(
        this IServiceCollection services, object? serviceKey, string name, Func<IServiceProvider, EmbeddingStoreCollectionOptions>? optionsProvider = null,
        ServiceLifetime lifetime = ServiceLifetime.Transient)
        where TKey : notnull
        where TRecord : class
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(name);
        services.Add(new ServiceDescriptor(typeof(EmbeddingStoreCollection<TKey, TRecord>), serviceKey, (provider, _) =>
        {
            EmbeddingStoreCollectionOptions? options = optionsProvider?.Invoke(provider);
            if (options?.EmbeddingGenerator is null && provider.GetService<IEmbeddingGenerator>() is { } generator)
            {
                options = new EmbeddingStoreCollectionOptions(options) { EmbeddingGenerator = generator };
            }

            return new EmbeddingStoreCollection<TKey, TRecord>(provider.GetRequiredService<EmbeddingStoreClient>(), name, options);
        }, lifetime));
        services.Add(new ServiceDescriptor(typeof(VectorStoreCollection<TKey, TRecord>), serviceKey,
            static (provider, key) => provider.GetRequiredKeyedService<EmbeddingStoreCollection<TKey, TRecord>>(key), lifetime));
        services.Add(new ServiceDescriptor(typeof(IVectorSearchable<TRecord>), serviceKey,
            static (provider, key) => provider.GetRequiredKeyedService<EmbeddingStoreCollection<TKey, TRecord>>(key), lifetime));
        services.Add(new ServiceDescriptor(typeof(IKeywordHybridSearchable<TRecord>), serviceKey,
            static (provider, key) => provider.GetRequiredKeyedService<EmbeddingStoreCollection<TKey, TRecord>>(key), lifetime));
        return services;
    }

    private static IHttpClientBuilder AddCore(IServiceCollection services)
    {
        // A second call only adds configuration: the client, its validation and its pipeline are registered once
        // (a second resilience handler would retry retries).
        if (services.Any(d => d.ServiceType == typeof(EmbeddingStoreClient)))
        {
            return services.AddHttpClient(HttpClientName);
        }

        // Validate() throws an ArgumentException naming the bad setting the first time the client is resolved.
        services.AddOptions<EmbeddingStoreClientOptions>().Validate(o =>
        {
            o.Validate();
            return true;
        });

        IHttpClientBuilder builder = services.AddHttpClient(HttpClientName, (provider, http) =>
        {
            EmbeddingStoreClientOptions options = provider.GetRequiredService<IOptions<EmbeddingStoreClientOptions>>().Value;
            http.BaseAddress = options.NormalizedBaseAddress();

            // The pipeline's total timeout governs; HttpClient's own 100 s default would cut retries short.
            http.Timeout = Timeout.InfiniteTimeSpan;
            EmbeddingStoreClient.ApplyDefaultHeaders(http, options);
        });

        // The same pipeline as the client that owns its HttpClient (RetryPipeline), here built by the factory.
        builder.AddResilienceHandler("embeddingstore", static (pipeline, context) =>
            RetryPipeline.Configure(pipeline, context.ServiceProvider.GetRequiredService<IOptions<EmbeddingStoreClientOptions>>().Value));

        services.TryAddTransient(static provider => new EmbeddingStoreClient(
            provider.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName),
            provider.GetRequiredService<IOptions<EmbeddingStoreClientOptions>>().Value.VectorEncoding));
        return builder;
    }
}
