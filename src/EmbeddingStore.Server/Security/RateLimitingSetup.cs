// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Globalization;
using System.Threading.RateLimiting;
using EmbeddingStore.Contracts;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace EmbeddingStore.Server.Security;

internal static class RateLimitingSetup
{
    public static IServiceCollection AddEmbeddingStoreRateLimiting(this IServiceCollection services) =>
        services.AddRateLimiter(options =>
        {
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            {
                RateLimitOptions limits = context.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value;
                int permits = limits.EffectivePermitsPerSecond(context.RequestServices.GetRequiredService<IOptions<AuthOptions>>().Value.Enabled);
                if (permits == 0)
                {
                    return RateLimitPartition.GetNoLimiter("unlimited");
                }

                // Partition by key name when authenticated with a key, else by client address.
                string partition = context.User.Identity is { IsAuthenticated: true, Name: { } name } && name != "anonymous"
                    ? "key:" + name
                    : "ip:" + context.Connection.RemoteIpAddress;
                return RateLimitPartition.GetTokenBucketLimiter(partition, _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = limits.Burst,
                    TokensPerPeriod = permits,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
            });
            options.OnRejected = async (context, cancellationToken) =>
            {
                int retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out TimeSpan wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 1;
                HttpContext http = context.HttpContext;
                http.RequestServices.GetRequiredService<Telemetry.ServerMetrics>().RecordRateLimitRejection((http.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText);
                http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                http.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
                await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = http,
                    ProblemDetails = new ProblemDetails
                    {
                        Status = StatusCodes.Status429TooManyRequests,
                        Type = ProblemTypes.RateLimited,
                        Title = "Too many requests",
                        Detail = $"The request rate for this client exceeds RateLimit:PermitsPerSecond; retry after {retryAfter} s.",
                    },
                });
            };
        });
}
