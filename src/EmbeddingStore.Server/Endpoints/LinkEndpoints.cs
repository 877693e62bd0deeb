// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Contracts;
using EmbeddingStore.Core;
using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Jobs;
using EmbeddingStore.Core.Versioning;
using EmbeddingStore.Server.Infrastructure;
using EmbeddingStore.Server.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace EmbeddingStore.Server.Endpoints;

internal static class LinkEndpoints
{
    public static IEndpointRouteBuilder MapLinkEndpoints(this IEndpointRouteBuilder app)
    {
        RouteGroupBuilder group = app.MapGroup("/v1/links").WithTags("Links").RequireAuthorization(Scopes.Read);
        group.MapPost("/", CreateLinkAsync).WithName(nameof(CreateLinkAsync))
            .WithSummary("Declare two versions harmonic (identity) or fit a bridge with a held-out quality report")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound).RequireAuthorization(Scopes.Admin);
        group.MapGet("/", ListLinks).WithName(nameof(ListLinks)).WithSummary("List links with their quality reports");
        group.MapGet("/{id}", GetLink).WithName(nameof(GetLink)).WithSummary("Get one link").ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{id}/derive", DeriveVectorsAsync).WithName(nameof(DeriveVectorsAsync))
            .WithSummary("Start a background job that stores vectors derived through the link for a collection's items lacking the target version")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound).RequireAuthorization(Scopes.Admin);
        group.MapDelete("/{id}", DeleteLinkAsync).WithName(nameof(DeleteLinkAsync))
            .WithSummary("Delete a link; searches that needed it are refused afterwards").ProducesProblem(StatusCodes.Status404NotFound)
            .RequireAuthorization(Scopes.Admin);
        return app;
    }

    public static async Task<Results<Created<LinkResponse>, Ok<LinkResponse>, ProblemHttpResult>> CreateLinkAsync(
        LinkRequest request, IEmbeddingService service, CancellationToken cancellationToken)
    {
        StoreResult<Outcome<HarmonicLink>> result;
        if (string.Equals(request.Kind, "identity", StringComparison.Ordinal))
        {
            if (request.Fit is not null || request.Pairs is not null)
            {
                return ProblemMapping.ToProblem(new StoreError(StoreErrorCode.InvalidArgument, "An identity link is declared: send it without 'fit' or 'pairs'."));
            }

            result = await service.DeclareIdentityLinkAsync(request.From, request.To, cancellationToken);
        }
        else
        {
            if (request.Fit?.Collection is null && request.Pairs is null)
            {
                return ProblemMapping.ToProblem(new StoreError(
                    StoreErrorCode.InvalidArgument, "A fitted link needs pairs: give fit.collection (items holding both versions) and/or pairs."));
            }

            result = await service.FitLinkAsync(
                new Core.Collections.LinkFitRequest(
                    request.From,
                    request.To,
                    request.Kind,
                    request.Fit?.Collection,
                    request.Pairs?.From,
                    request.Pairs?.To,
                    request.Fit?.Holdout ?? 0.2,
                    request.Fit?.Seed ?? 1),
                cancellationToken);
        }

        if (!result.IsSuccess)
        {
            return ProblemMapping.ToProblem(result.Error);
        }

        LinkResponse response = result.Value!.Value.ToResponse();
        return result.Value.Created ? TypedResults.Created($"/v1/links/{response.Id}", response) : TypedResults.Ok(response);
    }

    public static async Task<Results<Accepted<JobResponse>, ProblemHttpResult>> DeriveVectorsAsync(
        string id, DeriveVectorsRequest request, IEmbeddingService service, CancellationToken cancellationToken)
    {
        if (!ContractMapping.TryParseDirection(request.Direction, out bool reverse))
        {
            return ProblemMapping.ToProblem(new StoreError(
                StoreErrorCode.InvalidArgument, $"direction must be one of {string.Join(", ", ContractMapping.DirectionNames)}; it was '{request.Direction}'."));
        }

        StoreResult<JobRecord> result = await service.StartDeriveAsync(id, request.Collection, reverse, cancellationToken);
        return result.IsSuccess
            ? TypedResults.Accepted($"/v1/jobs/{result.Value!.Id}", result.Value.ToResponse())
            : ProblemMapping.ToProblem(result.Error);
    }

    public static async Task<Ok<LinkListResponse>> ListLinks(IEmbeddingService service, CancellationToken cancellationToken) =>
        TypedResults.Ok(new LinkListResponse([.. (await service.ListLinksAsync(cancellationToken)).Select(l => l.ToResponse())]));

    public static async Task<Results<Ok<LinkResponse>, ProblemHttpResult>> GetLink(string id, IEmbeddingService service, CancellationToken cancellationToken)
    {
        StoreResult<HarmonicLink> result = await service.GetLinkAsync(id, cancellationToken);
        return result.IsSuccess ? TypedResults.Ok(result.Value!.ToResponse()) : ProblemMapping.ToProblem(result.Error);
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteLinkAsync(string id, IEmbeddingService service, CancellationToken cancellationToken)
    {
        StoreResult<bool> result = await service.DeleteLinkAsync(id, cancellationToken);
        return result.IsSuccess ? TypedResults.NoContent() : ProblemMapping.ToProblem(result.Error);
    }
}
