// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Client;
using EmbeddingStore.Client.Internal;
using EmbeddingStore.Client.VectorData;
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
    /// Registers <see cref="EmbeddingStoreVectorStore"/> as the Microsoft.Extensions.VectorData <see cref="VectorStore"/>,
    /// over the <see cref="EmbeddingStoreClient"/> registered by <c>AddEmbeddingStoreClient</c> (call that first).
    /// Transient like the client, so HTTP handlers keep rotating; the store holds no state of its own.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddEmbeddingStoreVectorStore(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddTransient(static provider => new EmbeddingStoreVectorStore(provider.GetRequiredService<EmbeddingStoreClient>()));
        services.TryAddTransient<VectorStore>(static provider => provider.GetRequiredService<EmbeddingStoreVectorStore>());
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
