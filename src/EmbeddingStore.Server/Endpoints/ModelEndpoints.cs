// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Contracts;
using EmbeddingStore.Core;
using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Vectors;
using EmbeddingStore.Core.Versioning;
using EmbeddingStore.Server.Infrastructure;
using EmbeddingStore.Server.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace EmbeddingStore.Server.Endpoints;

internal static class ModelEndpoints
{
    // 'cosine', 'dot', 'l2' or 'l1': the refusal names every metric the table knows.
    private static readonly string MetricList =
        string.Join(", ", ScoreMapping.WireNames.SkipLast(1).Select(n => $"'{n}'")) + $" or '{ScoreMapping.WireNames[^1]}'";

    public static IEndpointRouteBuilder MapModelEndpoints(this IEndpointRouteBuilder app)
    {
        RouteGroupBuilder group = app.MapGroup("/v1/models").WithTags("Model versions").RequireAuthorization(Scopes.Read);
        group.MapPut("/{model}/versions/{version}", RegisterModelVersionAsync).WithName(nameof(RegisterModelVersionAsync))
            .WithSummary("Register a model version (idempotent; immutable once vectors use it)")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status409Conflict).RequireAuthorization(Scopes.Admin);
        group.MapGet("/versions", ListModelVersions).WithName(nameof(ListModelVersions)).WithSummary("List registered model versions");
        group.MapGet("/{model}/versions/{version}", GetModelVersion).WithName(nameof(GetModelVersion))
            .WithSummary("Get one model version").ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    public static async Task<Results<Created<ModelVersionResponse>, Ok<ModelVersionResponse>, ProblemHttpResult>> RegisterModelVersionAsync(
        string model, string version, ModelVersionRequest request, IEmbeddingService service, CancellationToken cancellationToken)
    {
        if (!ScoreMapping.TryParseWireName(request.Metric, out DistanceMetric metric))
        {
            return ProblemMapping.ToProblem(new StoreError(StoreErrorCode.InvalidArgument, $"metric must be {MetricList}; it was '{request.Metric}'."));
        }

        StoreResult<Outcome<ModelVersion>> result =
            await service.RegisterModelVersionAsync(model, version, request.Dimension, metric, request.Normalized, cancellationToken);
        if (!result.IsSuccess)
        {
            return ProblemMapping.ToProblem(result.Error);
        }

        ModelVersionResponse response = result.Value!.Value.ToResponse();
        return result.Value.Created
            ? TypedResults.Created($"/v1/models/{model}/versions/{version}", response)
            : TypedResults.Ok(response);
    }

    public static async Task<Ok<ModelVersionListResponse>> ListModelVersions(IEmbeddingService service, CancellationToken cancellationToken) =>
        TypedResults.Ok(new ModelVersionListResponse([.. (await service.ListModelVersionsAsync(cancellationToken)).Select(v => v.ToResponse())]));

    public static async Task<Results<Ok<ModelVersionResponse>, ProblemHttpResult>> GetModelVersion(
        string model, string version, IEmbeddingService service, CancellationToken cancellationToken)
    {
        StoreResult<ModelVersion> result = await service.GetModelVersionAsync(model, version, cancellationToken);
        return result.IsSuccess ? TypedResults.Ok(result.Value!.ToResponse()) : ProblemMapping.ToProblem(result.Error);
    }
}
