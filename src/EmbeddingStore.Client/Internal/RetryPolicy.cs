// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Net;
using System.Net.Http.Headers;
using EmbeddingStore.Contracts;

namespace EmbeddingStore.Client.Internal;

// The one place that decides what may be retried and how long to wait; RetryPipeline applies it on both the
// IHttpClientFactory path and the client that owns its HttpClient, so both retry exactly the same calls.
internal static class RetryPolicy
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    // Set by the client on every request it builds: the operation's row in ApiOperations says whether a repeat is safe.
    public static readonly HttpRequestOptionsKey<ApiOperation> Operation = new("EmbeddingStore.Operation");

    // A request carrying an idempotency key the caller chose is retried whatever it is: the server applies it once. Any
    // other request is retried when its operation is idempotent (reads, PUTs, DELETEs); an upsert, an item delete or a
    // link creation is not, because a lost answer could mean a write applied twice, or a repeat over a newer write.
    // A request the client did not build (a caller's own, through EmbeddingStoreRetryHandler) has no row; it is judged by
    // HTTP's idempotent methods.
    public static bool IsRetryable(HttpRequestMessage request)
    {
        if (request.Headers.Contains(IdempotencyKeyHeader))
        {
            return true;
        }

        if (request.Options.TryGetValue(Operation, out ApiOperation? operation) && operation is not null)
        {
            return operation.IsIdempotent;
        }

        HttpMethod method = request.Method;
        return method == HttpMethod.Get || method == HttpMethod.Head || method == HttpMethod.Put || method == HttpMethod.Delete || method == HttpMethod.Options;
    }

    // 408, 429 and the gateway family say "not now"; every other 4xx says "not ever" and 500 says "a bug", neither of
    // which a retry fixes.
    public static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests or HttpStatusCode.BadGateway
            or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout;

    // Connection refused/reset and similar: HttpRequestException without a status code. One with a status code came
    // from EnsureSuccessStatusCode somewhere above us and is not a transport failure.
    public static bool IsTransient(Exception exception) => exception is HttpRequestException { StatusCode: null };

    // Exponential back-off with "half jitter": the wait is between half and all of base * 2^attempt, so concurrent
    // clients spread out but none waits less than half the nominal delay. A server's Retry-After wins when present.
    public static TimeSpan Delay(int attempt, HttpResponseMessage? response, TimeSpan baseDelay, TimeSpan maxDelay, TimeProvider time)
    {
        if (response is not null && TryGetRetryAfter(response.Headers.RetryAfter, time, out TimeSpan retryAfter))
        {
            return retryAfter > maxDelay ? maxDelay : retryAfter;
        }

        double nominal = baseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 30));
        nominal = Math.Min(nominal, maxDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds((nominal / 2) + (Random.Shared.NextDouble() * nominal / 2));
    }

    private static bool TryGetRetryAfter(RetryConditionHeaderValue? header, TimeProvider time, out TimeSpan delay)
    {
        delay = TimeSpan.Zero;
        if (header?.Delta is TimeSpan delta)
        {
            delay = delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
            return true;
        }

        if (header?.Date is DateTimeOffset date)
        {
            TimeSpan wait = date - time.GetUtcNow();
            delay = wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
            return true;
        }

        return false;
    }
}
