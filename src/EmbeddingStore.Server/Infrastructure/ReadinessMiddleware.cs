// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Server.Endpoints;

namespace EmbeddingStore.Server.Infrastructure;

// While the database is loading in the background (Startup:WaitForLoad=false) or the server is shutting down, the
// API answers 503 not-ready rather than from half-filled maps; health, metrics and the API description still answer.
// Each response names its request id (X-Request-Id, the id that every log line of the request carries).
internal static class ReadinessMiddleware
{
    public static IApplicationBuilder UseEmbeddingStoreReadiness(this IApplicationBuilder app)
    {
        ServerReadiness readiness = app.ApplicationServices.GetRequiredService<ServerReadiness>();
        return app.Use(async (context, next) =>
        {
            context.Response.Headers["X-Request-Id"] = context.TraceIdentifier;
            if (!readiness.IsLoaded && !IsAlwaysServed(context.Request.Path))
            {
                context.Response.Headers.RetryAfter = "1";
                await HealthEndpoints.NotReady(readiness.Reason ?? "Not ready.").ExecuteAsync(context);
                return;
            }

            await next(context);
        });
    }

    private static bool IsAlwaysServed(PathString path) =>
        path.StartsWithSegments("/health", StringComparison.Ordinal)
        || path.StartsWithSegments("/metrics", StringComparison.Ordinal)
        || path.StartsWithSegments("/openapi", StringComparison.Ordinal)
        || path.StartsWithSegments("/docs", StringComparison.Ordinal);
}
