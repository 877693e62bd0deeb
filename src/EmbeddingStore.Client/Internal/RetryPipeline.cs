// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Http.Resilience;
using Polly;
using Polly.Timeout;

namespace EmbeddingStore.Client.Internal;

// The one resilience pipeline of the client, built by Microsoft.Extensions.Http.Resilience on both paths: the
// IHttpClientFactory registration adds it with AddResilienceHandler, and the client that owns its HttpClient (and
// EmbeddingStoreRetryHandler) runs it in a ResilienceHandler. Outermost first:
//   total timeout (Timeout, unless infinite)  ->  retry (MaxRetries, only what RetryPolicy allows)  ->  attempt timeout
// so the attempt timeout cuts one hung attempt, the retry sees that as a transient failure, and the total timeout bounds
// the whole call, back-off included.
internal static class RetryPipeline
{
    public static void Configure(ResiliencePipelineBuilder<HttpResponseMessage> pipeline, EmbeddingStoreClientOptions options)
    {
        // Copied, so a later change to the options object does not change a pipeline already built.
        TimeSpan timeout = options.Timeout, attemptTimeout = options.AttemptTimeout, baseDelay = options.RetryBaseDelay, maxDelay = options.MaxRetryDelay;
        int maxRetries = options.MaxRetries;
        TimeProvider time = pipeline.TimeProvider ?? TimeProvider.System;

        if (timeout != Timeout.InfiniteTimeSpan)
        {
            pipeline.AddTimeout(timeout);
        }

        if (maxRetries > 0)
        {
            pipeline.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = maxRetries,
                MaxDelay = maxDelay,

                // The delay, Retry-After included, comes from RetryPolicy.Delay, so it is the same arithmetic on both paths
                // and is tested without a network.
                ShouldRetryAfterHeader = false,
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(RetryPolicy.Delay(args.AttemptNumber, args.Outcome.Result, baseDelay, maxDelay, time)),
                ShouldHandle = static args => ValueTask.FromResult(ShouldRetry(args.Context.GetRequestMessage(), args.Outcome)),

                // The answer that is retried is never seen by the caller; its connection goes back to the pool now.
                OnRetry = static args =>
                {
                    args.Outcome.Result?.Dispose();
                    return default;
                },
            });
        }

        pipeline.AddTimeout(attemptTimeout);
    }

    public static ResiliencePipeline<HttpResponseMessage> Build(EmbeddingStoreClientOptions options, TimeProvider? timeProvider)
    {
        var pipeline = new ResiliencePipelineBuilder<HttpResponseMessage>();
        if (timeProvider is not null)
        {
            pipeline.TimeProvider = timeProvider;
        }

        Configure(pipeline, options);
        return pipeline.Build();
    }

    // Polly's attempt timeout counts as transient, like a connection failure.
    private static bool ShouldRetry(HttpRequestMessage? request, Outcome<HttpResponseMessage> outcome)
    {
        if (request is null || !RetryPolicy.IsRetryable(request))
        {
            return false;
        }

        return outcome.Exception switch
        {
            TimeoutRejectedException => true,
            Exception exception => RetryPolicy.IsTransient(exception),
            null => outcome.Result is { } response && RetryPolicy.IsTransient(response.StatusCode),
        };
    }
}
