// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Contracts;
using EmbeddingStore.Core;
using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Filters;
using EmbeddingStore.Server.Infrastructure;
using EmbeddingStore.Server.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace EmbeddingStore.Server.Endpoints;

internal static class PayloadIndexEndpoints
{
    public static IEndpointRouteBuilder MapPayloadIndexEndpoints(this IEndpointRouteBuilder app)
    {
        RouteGroupBuilder group = app.MapGroup("/v1/collections/{name}/indexes").WithTags("Payload indexes").RequireAuthorization(Scopes.Read);
        group.MapPut("/{field}", PutPayloadIndexAsync).WithName(nameof(PutPayloadIndexAsync))
            .WithSummary("Declare a payload index on a field (built by a job), or replace one of another type")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound).RequireAuthorization(Scopes.Admin);
        group.MapGet("/", ListPayloadIndexes).WithName(nameof(ListPayloadIndexes))
            .WithSummary("List a collection's payload indexes").ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{field}", GetPayloadIndex).WithName(nameof(GetPayloadIndex))
            .WithSummary("Get a payload index with its build state").ProducesProblem(StatusCodes.Status404NotFound);
        group.MapDelete("/{field}", DeletePayloadIndexAsync).WithName(nameof(DeletePayloadIndexAsync))
            .WithSummary("Delete a payload index; answers stay the same").ProducesProblem(StatusCodes.Status404NotFound).RequireAuthorization(Scopes.Admin);
        return app;
    }

    public static async Task<Results<Created<PayloadIndexResponse>, Ok<PayloadIndexResponse>, ProblemHttpResult>> PutPayloadIndexAsync(
        string name, string field, PayloadIndexRequest request, IEmbeddingService service, CancellationToken cancellationToken)
    {
        StoreResult<Outcome<PayloadIndexInfo>> result = await service.PutPayloadIndexAsync(name, field, request.Type, cancellationToken);
        if (!result.IsSuccess)
        {
            return ProblemMapping.ToProblem(result.Error);
        }

        PayloadIndexResponse response = ToResponse(result.Value!.Value);
        return result.Value.Created ? TypedResults.Created($"/v1/collections/{name}/indexes/{field}", response) : TypedResults.Ok(response);
    }

    public static async Task<Results<Ok<PayloadIndexListResponse>, ProblemHttpResult>> ListPayloadIndexes(
        string name, IEmbeddingService service, CancellationToken cancellationToken)
    {
        StoreResult<IReadOnlyList<PayloadIndexInfo>> result = await service.ListPayloadIndexesAsync(name, cancellationToken);
        return result.IsSuccess ? TypedResults.Ok(new PayloadIndexListResponse([.. result.Value!.Select(ToResponse)])) : ProblemMapping.ToProblem(result.Error);
    }

    public static async Task<Results<Ok<PayloadIndexResponse>, ProblemHttpResult>> GetPayloadIndex(
        string name, string field, IEmbeddingService service, CancellationToken cancellationToken)
    {
        StoreResult<PayloadIndexInfo> result = await service.GetPayloadIndexAsync(name, field, cancellationToken);
        return result.IsSuccess ? TypedResults.Ok(ToResponse(result.Value!)) : ProblemMapping.ToProblem(result.Error);
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeletePayloadIndexAsync(
        string name, string field, IEmbeddingService service, CancellationToken cancellationToken)
    {
        StoreResult<bool> result = await service.DeletePayloadIndexAsync(name, field, cancellationToken);
        return result.IsSuccess ? TypedResults.NoContent() : ProblemMapping.ToProblem(result.Error);
    }

    private static PayloadIndexResponse ToResponse(PayloadIndexInfo index) => new(
        index.Field, PayloadIndexNames.ToWireName(index.Type), PayloadIndexNames.ToWireName(index.State), index.JobId, index.IndexedItems,
        index.DistinctValues, index.CreatedAt);
}
