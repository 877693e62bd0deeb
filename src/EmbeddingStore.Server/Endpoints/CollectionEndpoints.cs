// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Contracts;
using EmbeddingStore.Core;
using EmbeddingStore.Core.Collections;
using EmbeddingStore.Server.Infrastructure;
using EmbeddingStore.Server.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace EmbeddingStore.Server.Endpoints;

internal static class CollectionEndpoints
{
    public static IEndpointRouteBuilder MapCollectionEndpoints(this IEndpointRouteBuilder app)
    {
        RouteGroupBuilder group = app.MapGroup("/v1/collections").WithTags("Collections").RequireAuthorization(Scopes.Read);
        group.MapPut("/{name}", PutCollectionAsync).WithName(nameof(PutCollectionAsync))
            .WithSummary("Create a collection, or change its serving version")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound).RequireAuthorization(Scopes.Admin);
        group.MapGet("/", ListCollections).WithName(nameof(ListCollections)).WithSummary("List collections");
        group.MapGet("/{name}", GetCollection).WithName(nameof(GetCollection))
            .WithSummary("Get a collection with item and per-version vector counts").ProducesProblem(StatusCodes.Status404NotFound);
        group.MapDelete("/{name}", DeleteCollectionAsync).WithName(nameof(DeleteCollectionAsync))
            .WithSummary("Delete a collection and everything in it").ProducesProblem(StatusCodes.Status404NotFound).RequireAuthorization(Scopes.Admin);
        return app;
    }

    public static async Task<Results<Created<CollectionResponse>, Ok<CollectionResponse>, ProblemHttpResult>> PutCollectionAsync(
        string name, CollectionRequest request, EmbeddingEngine engine, CancellationToken cancellationToken)
    {
        if (!ContractMapping.TryParseIndex(request.DefaultIndex, out SearchIndexKind? defaultIndex))
        {
            return ProblemMapping.ToProblem(ContractMapping.UnknownIndex(request.DefaultIndex));
        }

        StoreResult<Outcome<CollectionInfo>> result = await engine.PutCollectionAsync(name, request.ServingVersion, defaultIndex, cancellationToken);
        if (!result.IsSuccess)
        {
            return ProblemMapping.ToProblem(result.Error);
        }

        CollectionResponse response = result.Value!.Value.ToResponse();
        return result.Value.Created ? TypedResults.Created($"/v1/collections/{name}", response) : TypedResults.Ok(response);
    }

    public static Ok<CollectionListResponse> ListCollections(EmbeddingEngine engine) =>
        TypedResults.Ok(new CollectionListResponse([.. engine.ListCollections().Select(c => c.ToResponse())]));

    public static Results<Ok<CollectionResponse>, ProblemHttpResult> GetCollection(string name, EmbeddingEngine engine)
    {
        StoreResult<CollectionInfo> result = engine.GetCollection(name);
        return result.IsSuccess ? TypedResults.Ok(result.Value!.ToResponse()) : ProblemMapping.ToProblem(result.Error);
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteCollectionAsync(string name, EmbeddingEngine engine, CancellationToken cancellationToken)
    {
        StoreResult<bool> result = await engine.DeleteCollectionAsync(name, cancellationToken);
        return result.IsSuccess ? TypedResults.NoContent() : ProblemMapping.ToProblem(result.Error);
    }
}
