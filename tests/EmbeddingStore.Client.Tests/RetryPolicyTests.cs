// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Net;
using System.Net.Http.Headers;
using EmbeddingStore.Client.Internal;
using EmbeddingStore.Contracts;

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
    [InlineData("GetCollection", false, true)]
    [InlineData("Search", false, true)]
    [InlineData("SearchBatch", false, true)]
    [InlineData("CountItems", false, true)]
    [InlineData("PutCollectionAsync", false, true)]
    [InlineData("RegisterModelVersionAsync", false, true)]
    [InlineData("DeleteCollectionAsync", false, true)]
    [InlineData("DeleteLinkAsync", false, true)]
    [InlineData("UpsertItemsAsync", false, false)]
    [InlineData("UpsertItemsAsync", true, true)]
    [InlineData("DeleteItemsAsync", false, false)]
    [InlineData("DeleteItemsAsync", true, true)]
    [InlineData("CreateLinkAsync", false, false)]
    [InlineData("CreateLinkAsync", true, true)]
    [InlineData("DeriveVectorsAsync", false, false)]
    public void IsRetryable_OperationAndKey_DecideTogether(string name, bool keyed, bool expected)
    {
        Assert.True(ApiOperations.TryGet(name, out ApiOperation? operation));
        using var request = new HttpRequestMessage(HttpMethod.Parse(operation.Method), "http://127.0.0.1/" + operation.Route.Replace("{", "x", StringComparison.Ordinal));
        request.Options.Set(RetryPolicy.Operation, operation);
        if (keyed)
        {
            request.Headers.Add(RetryPolicy.IdempotencyKeyHeader, "k");
        }

        Assert.Equal(expected, RetryPolicy.IsRetryable(request));
    }

    [Fact]
    public void IsRetryable_UpsertAtASearchLookingPath_StillNotRetried()
    {
        // The operation decides, not the path: no suffix matching is left to be fooled.
        using var request = new HttpRequestMessage(HttpMethod.Post, "http://127.0.0.1/v1/collections/search/items?x=/search");
        request.Options.Set(RetryPolicy.Operation, ApiOperations.UpsertItems);
        Assert.False(RetryPolicy.IsRetryable(request));
    }

    [Theory]
    [InlineData("GET", false, true)]
    [InlineData("PUT", false, true)]
    [InlineData("DELETE", false, true)]
    [InlineData("POST", false, false)]
    [InlineData("POST", true, true)]
    public void IsRetryable_RequestWithoutOperation_JudgedByMethodAndKey(string method, bool keyed, bool expected)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), "http://127.0.0.1/v1/collections/c/search");
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
