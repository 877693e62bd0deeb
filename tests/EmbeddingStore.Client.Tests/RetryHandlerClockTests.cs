// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Diagnostics;
using System.Net;
using EmbeddingStore.Client.Tests.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace EmbeddingStore.Client.Tests;

// EmbeddingStoreRetryHandler (the non-DI path) runs the Http.Resilience pipeline on the clock it is given: a 429's
// Retry-After is waited out on that clock, which the test advances itself, so nothing here depends on real time.
public sealed class RetryHandlerClockTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SendAsync_TooManyRequestsWithRetryAfter_RetriesOnlyOnceThatMuchTimeHasPassed()
    {
        var time = new FakeTimeProvider();
        var faults = new FaultInjectingHandler(1, HttpStatusCode.TooManyRequests, retryAfter: TimeSpan.FromSeconds(10)) { InnerHandler = new OkHandler() };
        var options = new EmbeddingStoreClientOptions
        {
            BaseAddress = new Uri("http://127.0.0.1:1/"),
            RetryBaseDelay = TimeSpan.FromMilliseconds(1),
            MaxRetryDelay = TimeSpan.FromMinutes(1),
        };
        using var invoker = new HttpMessageInvoker(new EmbeddingStoreRetryHandler(options, faults, time));
        using var request = new HttpRequestMessage(HttpMethod.Get, "http://127.0.0.1:1/v1/collections");

        Task<HttpResponseMessage> send = invoker.SendAsync(request, Ct);

        // Advance the fake clock in small steps until the retry arrives; the back-off alone would allow it after 1 ms.
        TimeSpan advanced = TimeSpan.Zero;
        long started = Stopwatch.GetTimestamp();
        while (faults.Requests.Count < 2 && Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(30))
        {
            time.Advance(TimeSpan.FromMilliseconds(100));
            advanced += TimeSpan.FromMilliseconds(100);
            await Task.Delay(1, Ct);
        }

        using HttpResponseMessage response = await send;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, faults.Requests.Count);
        Assert.True(advanced >= TimeSpan.FromSeconds(10), $"retried after {advanced} of a 10 s Retry-After");
    }

    [Fact]
    public async Task SendAsync_UnkeyedPostWithoutOperation_NotRetried()
    {
        var faults = new FaultInjectingHandler(1, HttpStatusCode.ServiceUnavailable) { InnerHandler = new OkHandler() };
        var options = new EmbeddingStoreClientOptions { BaseAddress = new Uri("http://127.0.0.1:1/"), RetryBaseDelay = TimeSpan.Zero, MaxRetryDelay = TimeSpan.Zero };
        using var invoker = new HttpMessageInvoker(new EmbeddingStoreRetryHandler(options, faults));
        using var request = new HttpRequestMessage(HttpMethod.Post, "http://127.0.0.1:1/v1/collections/c/items");

        using HttpResponseMessage response = await invoker.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Single(faults.Requests);
    }

    private sealed class OkHandler : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { RequestMessage = request });
    }
}
