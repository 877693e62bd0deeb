// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Contracts;
using EmbeddingStore.Core;
using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Jobs;
using EmbeddingStore.Server.Infrastructure;
using EmbeddingStore.Server.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace EmbeddingStore.Server.Endpoints;

internal static class JobEndpoints
{
    public static IEndpointRouteBuilder MapJobEndpoints(this IEndpointRouteBuilder app)
    {
        RouteGroupBuilder group = app.MapGroup("/v1/jobs").WithTags("Jobs").RequireAuthorization(Scopes.Read);
        group.MapGet("/", ListJobs).WithName(nameof(ListJobs)).WithSummary("List background jobs, newest first");
        group.MapGet("/{id}", GetJob).WithName(nameof(GetJob)).WithSummary("Get one job with its state and progress")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{id}/cancel", CancelJobAsync).WithName(nameof(CancelJobAsync))
            .WithSummary("Cancel a job between chunks; what it committed stays").ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict).RequireAuthorization(Scopes.Admin);
        group.MapPost("/{id}/pause", PauseJobAsync).WithName(nameof(PauseJobAsync))
            .WithSummary("Pause a job between chunks").ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict).RequireAuthorization(Scopes.Admin);
        group.MapPost("/{id}/resume", ResumeJobAsync).WithName(nameof(ResumeJobAsync))
            .WithSummary("Resume a paused job from its stored cursor").ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict).RequireAuthorization(Scopes.Admin);
        return app;
    }

    public static async Task<Ok<JobListResponse>> ListJobs(IEmbeddingService service, CancellationToken cancellationToken) =>
        TypedResults.Ok(new JobListResponse([.. (await service.ListJobsAsync(cancellationToken)).Select(j => j.ToResponse())]));

    public static async Task<Results<Ok<JobResponse>, ProblemHttpResult>> GetJob(string id, IEmbeddingService service, CancellationToken cancellationToken) =>
        ToResult(await service.GetJobAsync(id, cancellationToken));

    public static async Task<Results<Ok<JobResponse>, ProblemHttpResult>> CancelJobAsync(string id, IEmbeddingService service, CancellationToken cancellationToken) =>
        ToResult(await service.CancelJobAsync(id, cancellationToken));

    public static async Task<Results<Ok<JobResponse>, ProblemHttpResult>> PauseJobAsync(string id, IEmbeddingService service, CancellationToken cancellationToken) =>
        ToResult(await service.PauseJobAsync(id, cancellationToken));

    public static async Task<Results<Ok<JobResponse>, ProblemHttpResult>> ResumeJobAsync(string id, IEmbeddingService service, CancellationToken cancellationToken) =>
        ToResult(await service.ResumeJobAsync(id, cancellationToken));

    private static Results<Ok<JobResponse>, ProblemHttpResult> ToResult(StoreResult<JobRecord> result) =>
        result.IsSuccess ? TypedResults.Ok(result.Value!.ToResponse()) : ProblemMapping.ToProblem(result.Error);
}
