// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Client.Internal;
using Microsoft.Extensions.Http.Resilience;

namespace EmbeddingStore.Client;

/// <summary>
/// The client's retry and timeout pipeline as a handler, for callers that build their own <see cref="HttpClient"/>
/// without IHttpClientFactory. It is Microsoft.Extensions.Http.Resilience's <see cref="ResilienceHandler"/> running the
/// same pipeline that <c>AddEmbeddingStoreClient</c> registers, so both paths retry the same calls in the same way
/// (there is no second retry loop).
/// </summary>
/// <remarks>
/// <para>Retried: operations that are reads or idempotent writes in <c>EmbeddingStore.Contracts.ApiOperations</c> (GETs,
/// PUTs, DELETEs, search, batch search, count), and any request that carries an <c>Idempotency-Key</c> header. Never
/// retried: upserts, item deletes and link creation without a key, because a lost answer may hide a write that was
/// applied, and a repeat could overwrite a newer write. Requests not built by <see cref="EmbeddingStoreClient"/> are
/// retried when their method is idempotent (GET, HEAD, OPTIONS, PUT, DELETE).</para>
/// <para>Transient: connection failures (<see cref="HttpRequestException"/> without a status), an attempt that exceeded
/// <see cref="EmbeddingStoreClientOptions.AttemptTimeout"/>, and 408, 429, 502, 503, 504. A 4xx validation problem is
/// returned at once: the same request would be refused again.</para>
/// <para>Waits grow exponentially from <see cref="EmbeddingStoreClientOptions.RetryBaseDelay"/> with jitter (between half
/// and all of the nominal delay); a <c>Retry-After</c> header is honoured, capped at
/// <see cref="EmbeddingStoreClientOptions.MaxRetryDelay"/>. The whole call, back-off included, is bounded by
/// <see cref="EmbeddingStoreClientOptions.Timeout"/>. Timeouts surface as Polly's <c>TimeoutRejectedException</c>;
/// <see cref="EmbeddingStoreClient"/> turns them into a <see cref="TimeoutException"/>.</para>
/// </remarks>
public sealed class EmbeddingStoreRetryHandler : ResilienceHandler
{
    /// <summary>Creates the handler; set <see cref="DelegatingHandler.InnerHandler"/> (or pass it) before use.</summary>
    /// <param name="options">Retry count, delays and timeouts; validated here, and copied (later changes are not seen).</param>
    /// <param name="innerHandler">The handler that sends to the network, or null to set it later.</param>
    /// <param name="timeProvider">Clock for delays, timeouts and <c>Retry-After</c> dates; defaults to the system clock.</param>
    public EmbeddingStoreRetryHandler(EmbeddingStoreClientOptions options, HttpMessageHandler? innerHandler = null, TimeProvider? timeProvider = null)
        : base(RetryPipeline.Build(Validated(options), timeProvider))
    {
        if (innerHandler is not null)
        {
            InnerHandler = innerHandler;
        }
    }

    private static EmbeddingStoreClientOptions Validated(EmbeddingStoreClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return options;
    }
}
