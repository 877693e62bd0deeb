// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Contracts;
using EmbeddingStore.Core;
using EmbeddingStore.Core.Collections;
using EmbeddingStore.Server.Infrastructure;
using EmbeddingStore.Server.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace EmbeddingStore.Server.Endpoints;

internal static class AliasEndpoints
{
    public static IEndpointRouteBuilder MapAliasEndpoints(this IEndpointRouteBuilder app)
    {
        RouteGroupBuilder group = app.MapGroup("/v1/aliases").WithTags("Aliases").RequireAuthorization(Scopes.Read);
        group.MapPut("/{alias}", PutAliasAsync).WithName(nameof(PutAliasAsync))
            .WithSummary("Create an alias naming a collection, or switch it atomically to another collection")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict).RequireAuthorization(Scopes.Admin);
        group.MapGet("/", ListAliases).WithName(nameof(ListAliases)).WithSummary("List aliases");
        group.MapGet("/{alias}", GetAlias).WithName(nameof(GetAlias))
            .WithSummary("Get an alias and the collection it names").ProducesProblem(StatusCodes.Status404NotFound);
        group.MapDelete("/{alias}", DeleteAliasAsync).WithName(nameof(DeleteAliasAsync))
            .WithSummary("Delete an alias; the collection stays").ProducesProblem(StatusCodes.Status404NotFound).RequireAuthorization(Scopes.Admin);
        return app;
    }

    public static async Task<Results<Created<AliasResponse>, Ok<AliasResponse>, ProblemHttpResult>> PutAliasAsync(
        string alias, AliasRequest request, IEmbeddingService service, CancellationToken cancellationToken)
    {
        StoreResult<Outcome<CollectionAlias>> result = await service.PutAliasAsync(alias, request.Collection, cancellationToken);
        if (!result.IsSuccess)
        {
            return ProblemMapping.ToProblem(result.Error);
        }

        AliasResponse response = ToResponse(result.Value!.Value);
        return result.Value.Created ? TypedResults.Created($"/v1/aliases/{alias}", response) : TypedResults.Ok(response);
    }

    public static async Task<Ok<AliasListResponse>> ListAliases(IEmbeddingService service, CancellationToken cancellationToken) =>
        TypedResults.Ok(new AliasListResponse([.. (await service.ListAliasesAsync(cancellationToken)).Select(ToResponse)]));

    public static async Task<Results<Ok<AliasResponse>, ProblemHttpResult>> GetAlias(string alias, IEmbeddingService service, CancellationToken cancellationToken)
    {
        StoreResult<CollectionAlias> result = await service.GetAliasAsync(alias, cancellationToken);
        return result.IsSuccess ? TypedResults.Ok(ToResponse(result.Value!)) : ProblemMapping.ToProblem(result.Error);
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteAliasAsync(string alias, IEmbeddingService service, CancellationToken cancellationToken)
    {
        StoreResult<bool> result = await service.DeleteAliasAsync(alias, cancellationToken);
        return result.IsSuccess ? TypedResults.NoContent() : ProblemMapping.ToProblem(result.Error);
    }

    private static AliasResponse ToResponse(CollectionAlias alias) => new(alias.Alias, alias.Collection, alias.UpdatedAt);
}
