// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Net;
using System.Net.Http.Headers;

namespace EmbeddingStore.Client.Internal;

// The one place that decides what may be retried and how long to wait, shared by the built-in handler and the
// Microsoft.Extensions.Http.Resilience pipeline so both paths retry exactly the same calls.
internal static class RetryPolicy
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    // Set by the client on calls that are reads although they are POSTs (search, count).
    public static readonly HttpRequestOptionsKey<bool> ReadOnlyPost = new("EmbeddingStore.ReadOnlyPost");

    // GET, PUT and DELETE are idempotent by HTTP's definition and by our API (PUT of a model version or collection
    // repeats harmlessly, DELETE of a missing thing is a 404 the caller sees). A POST is retried only when it is a read
    // or carries an idempotency key the caller chose; otherwise a lost answer could mean a write applied twice.
    public static bool IsRetryable(HttpRequestMessage request)
    {
        HttpMethod method = request.Method;
        if (method == HttpMethod.Get || method == HttpMethod.Head || method == HttpMethod.Put || method == HttpMethod.Delete || method == HttpMethod.Options)
        {
            return true;
        }

        return (request.Options.TryGetValue(ReadOnlyPost, out bool readOnly) && readOnly) || request.Headers.Contains(IdempotencyKeyHeader);
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
