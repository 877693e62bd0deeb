// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Contracts;
using EmbeddingStore.Core;
using EmbeddingStore.Storage.Sqlite;
using Microsoft.AspNetCore.Http.HttpResults;

namespace EmbeddingStore.Server.Endpoints;

internal static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health", GetHealth).WithName(nameof(GetHealth)).WithTags("Health")
            .WithSummary("Liveness and readiness: answers once the database is open and loaded").AllowAnonymous().DisableRateLimiting();
        return app;
    }

    // The server listens only after the engine has loaded (see EngineStartup), so any answer here means ready.
    public static Ok<HealthResponse> GetHealth(EmbeddingEngine engine) =>
        TypedResults.Ok(new HealthResponse("healthy", engine.ListCollections().Count, SqliteSchema.LatestVersion));
}
