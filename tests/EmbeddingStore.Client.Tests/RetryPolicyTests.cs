// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Net;
using System.Net.Http.Headers;
using EmbeddingStore.Client.Internal;

namespace EmbeddingStore.Client.Tests;

// The back-off arithmetic and the retryable/transient tables, without a network.
public sealed class RetryPolicyTests
{
    private static readonly TimeSpan s_base = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan s_max = TimeSpan.FromSeconds(30);

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    [Theory]
    [InlineData(0, 100, 200)]
    [InlineData(1, 200, 400)]
    [InlineData(3, 800, 1600)]
    [InlineData(20, 15000, 30000)]
    public void Delay_NoRetryAfter_IsJitteredExponentialWithinHalfToFull(int attempt, double minMs, double maxMs)
    {
        for (int i = 0; i < 50; i++)
        {
            double ms = RetryPolicy.Delay(attempt, null, s_base, s_max, TimeProvider.System).TotalMilliseconds;
            Assert.InRange(ms, minMs, maxMs);
        }
    }

    [Fact]
    public void Delay_RetryAfterSeconds_IsHonouredAndCapped()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(7));
        Assert.Equal(TimeSpan.FromSeconds(7), RetryPolicy.Delay(0, response, s_base, s_max, TimeProvider.System));

        response.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromMinutes(5));
        Assert.Equal(s_max, RetryPolicy.Delay(0, response, s_base, s_max, TimeProvider.System));
    }

    [Fact]
    public void Delay_RetryAfterDate_IsMeasuredFromNow()
    {
        var now = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        using var response = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
        response.Headers.RetryAfter = new RetryConditionHeaderValue(now.AddSeconds(12));
        Assert.Equal(TimeSpan.FromSeconds(12), RetryPolicy.Delay(2, response, s_base, s_max, new FixedTime(now)));

        response.Headers.RetryAfter = new RetryConditionHeaderValue(now.AddSeconds(-12));
        Assert.Equal(TimeSpan.Zero, RetryPolicy.Delay(2, response, s_base, s_max, new FixedTime(now)));
    }

    [Theory]
    [InlineData("GET", false, false, true)]
    [InlineData("PUT", false, false, true)]
    [InlineData("DELETE", false, false, true)]
    [InlineData("POST", false, false, false)]
    [InlineData("POST", true, false, true)]
    [InlineData("POST", false, true, true)]
    public void IsRetryable_MethodReadMarkerAndKey_DecideTogether(string method, bool readOnly, bool keyed, bool expected)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), "http://127.0.0.1/v1/x");
        if (readOnly)
        {
            request.Options.Set(RetryPolicy.ReadOnlyPost, true);
        }

        if (keyed)
        {
            request.Headers.Add(RetryPolicy.IdempotencyKeyHeader, "k");
        }

        Assert.Equal(expected, RetryPolicy.IsRetryable(request));
    }

    [Theory]
    [InlineData(HttpStatusCode.RequestTimeout, true)]
    [InlineData(HttpStatusCode.TooManyRequests, true)]
    [InlineData(HttpStatusCode.BadGateway, true)]
    [InlineData(HttpStatusCode.ServiceUnavailable, true)]
    [InlineData(HttpStatusCode.GatewayTimeout, true)]
    [InlineData(HttpStatusCode.BadRequest, false)]
    [InlineData(HttpStatusCode.Conflict, false)]
    [InlineData(HttpStatusCode.UnprocessableEntity, false)]
    [InlineData(HttpStatusCode.InternalServerError, false)]
    public void IsTransient_Status_OnlyNotNowAnswers(HttpStatusCode status, bool expected) =>
        Assert.Equal(expected, RetryPolicy.IsTransient(status));
}
