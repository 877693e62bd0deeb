// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Client.Internal;

namespace EmbeddingStore.Client;

/// <summary>
/// Retries idempotent EmbeddingStore calls on transient failures, for callers that build their own
/// <see cref="HttpClient"/> without Microsoft.Extensions.Http.Resilience. The dependency-injection path uses that
/// library instead, with the same rules.
/// </summary>
/// <remarks>
/// <para>Retried: GET, PUT and DELETE; the read-only POSTs (search, count); and any POST that carries an
/// <c>Idempotency-Key</c> header. Never retried: upserts, item deletes and link creation without a key, because a
/// lost answer may hide a write that was applied, and a repeat could overwrite a newer write.</para>
/// <para>Transient: connection failures (<see cref="HttpRequestException"/> without a status), an attempt that exceeded
/// <see cref="EmbeddingStoreClientOptions.AttemptTimeout"/>, and 408, 429, 502, 503, 504. A 4xx validation problem is
/// returned at once: the same request would be refused again.</para>
/// <para>Waits grow exponentially from <see cref="EmbeddingStoreClientOptions.RetryBaseDelay"/> with jitter; a
/// <c>Retry-After</c> header is honoured, capped at <see cref="EmbeddingStoreClientOptions.MaxRetryDelay"/>.</para>
/// </remarks>
public sealed class EmbeddingStoreRetryHandler : DelegatingHandler
{
    private readonly int _maxRetries;
    private readonly TimeSpan _attemptTimeout;
    private readonly TimeSpan _baseDelay;
    private readonly TimeSpan _maxDelay;
    private readonly TimeProvider _time;

    /// <summary>Creates the handler; set <see cref="DelegatingHandler.InnerHandler"/> (or pass it) before use.</summary>
    /// <param name="options">Retry count, delays and attempt timeout; validated here.</param>
    /// <param name="innerHandler">The handler that sends to the network, or null to set it later.</param>
    /// <param name="timeProvider">Clock for <c>Retry-After</c> dates and delays; defaults to the system clock.</param>
    public EmbeddingStoreRetryHandler(EmbeddingStoreClientOptions options, HttpMessageHandler? innerHandler = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _maxRetries = options.MaxRetries;
        _attemptTimeout = options.AttemptTimeout;
        _baseDelay = options.RetryBaseDelay;
        _maxDelay = options.MaxRetryDelay;
        _time = timeProvider ?? TimeProvider.System;
        if (innerHandler is not null)
        {
            InnerHandler = innerHandler;
        }
    }

    /// <inheritdoc/>
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        int retries = RetryPolicy.IsRetryable(request) ? _maxRetries : 0;
        for (int attempt = 0; ; attempt++)
        {
            HttpResponseMessage? response = null;
            using (var attemptCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                attemptCancellation.CancelAfter(_attemptTimeout);
                try
                {
                    response = await base.SendAsync(request, attemptCancellation.Token).ConfigureAwait(false);
                }
                catch (HttpRequestException ex) when (attempt < retries && RetryPolicy.IsTransient(ex))
                {
                    // Connection failure: fall through to the back-off below.
                }
                catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested && attemptCancellation.IsCancellationRequested)
                {
                    if (attempt >= retries)
                    {
                        throw new TimeoutException(
                            $"EmbeddingStore did not answer {request.Method} {request.RequestUri} within the attempt timeout of {_attemptTimeout.TotalSeconds:0.###} s.", ex);
                    }
                }
            }

            if (response is not null && (attempt >= retries || !RetryPolicy.IsTransient(response.StatusCode)))
            {
                return response;
            }

            TimeSpan delay = RetryPolicy.Delay(attempt, response, _baseDelay, _maxDelay, _time);
            response?.Dispose();
            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
        }
    }
}
