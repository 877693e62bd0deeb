// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Contracts;
using EmbeddingStore.Core;
using EmbeddingStore.Server.Infrastructure;
using EmbeddingStore.Storage.Sqlite;
using Microsoft.AspNetCore.Http.HttpResults;

namespace EmbeddingStore.Server.Endpoints;

// Anonymous and never rate limited: orchestrators and load balancers poll these without keys. They say no more than
// whether the process serves and how many collections it holds.
internal static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health", GetHealth).WithName(nameof(GetHealth)).WithTags("Health")
            .WithSummary("Readiness, as /health/ready: 200 once the database is open and loaded, 503 not-ready before that and while shutting down")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable).AllowAnonymous().DisableRateLimiting();
        app.MapGet("/health/live", GetLiveness).WithName(nameof(GetLiveness)).WithTags("Health")
            .WithSummary("Liveness: 200 whenever the process answers HTTP, loaded or not (restart the process only when this fails)")
            .AllowAnonymous().DisableRateLimiting();
        app.MapGet("/health/ready", GetReadiness).WithName(nameof(GetReadiness)).WithTags("Health")
            .WithSummary("Readiness: 200 once the schema is applied and every collection is loaded into memory; 503 not-ready before that and from the start of shutdown")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable).AllowAnonymous().DisableRateLimiting();
        return app;
    }

    public static Results<Ok<HealthResponse>, ProblemHttpResult> GetHealth(EmbeddingEngine engine, ServerReadiness readiness) =>
        Ready(engine, readiness, "healthy");

    public static Results<Ok<HealthResponse>, ProblemHttpResult> GetReadiness(EmbeddingEngine engine, ServerReadiness readiness) =>
        Ready(engine, readiness, "ready");

    // The collection count is read only while ready: before that the engine's maps are being filled, and during
    // shutdown the engine may already be disposed while the process still answers.
    public static Ok<HealthResponse> GetLiveness(EmbeddingEngine engine, ServerReadiness readiness) =>
        TypedResults.Ok(new HealthResponse("live", readiness.IsReady ? engine.ListCollections().Count : 0, SqliteSchema.LatestVersion));

    private static Results<Ok<HealthResponse>, ProblemHttpResult> Ready(EmbeddingEngine engine, ServerReadiness readiness, string status) =>
        readiness.Reason is { } reason
            ? NotReady(reason)
            : TypedResults.Ok(new HealthResponse(status, engine.ListCollections().Count, SqliteSchema.LatestVersion));

    public static ProblemHttpResult NotReady(string reason) =>
        TypedResults.Problem(detail: reason, statusCode: StatusCodes.Status503ServiceUnavailable, title: "Not ready", type: ProblemTypes.NotReady);
}
