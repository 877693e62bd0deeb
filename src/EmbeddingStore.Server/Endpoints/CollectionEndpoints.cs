// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Contracts;
using EmbeddingStore.Core;
using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Indexes;
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
            .WithSummary("Create a collection, or change its serving version, default index or index settings")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict).RequireAuthorization(Scopes.Admin);
        group.MapGet("/", ListCollections).WithName(nameof(ListCollections)).WithSummary("List collections");
        group.MapGet("/{name}", GetCollection).WithName(nameof(GetCollection))
            .WithSummary("Get a collection with item and per-version vector counts and the state of every index").ProducesProblem(StatusCodes.Status404NotFound);
        group.MapDelete("/{name}", DeleteCollectionAsync).WithName(nameof(DeleteCollectionAsync))
            .WithSummary("Delete a collection and everything in it, with the aliases naming it").ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict).RequireAuthorization(Scopes.Admin);
        return app;
    }

    public static async Task<Results<Created<CollectionResponse>, Ok<CollectionResponse>, ProblemHttpResult>> PutCollectionAsync(
        string name, CollectionRequest request, IEmbeddingService service, CancellationToken cancellationToken)
    {
        if (!service.Indexes.TryParseIndex(request.DefaultIndex, out IndexKind? defaultIndex, out StoreError? indexError))
        {
            return ProblemMapping.ToProblem(indexError!);
        }

        StoreResult<Outcome<CollectionInfo>> result = await service.PutCollectionAsync(name, request.ServingVersion, defaultIndex, request.IndexSettings.ToSettings(), cancellationToken);
        if (!result.IsSuccess)
        {
            return ProblemMapping.ToProblem(result.Error);
        }

        CollectionResponse response = result.Value!.Value.ToResponse();
        return result.Value.Created ? TypedResults.Created($"/v1/collections/{name}", response) : TypedResults.Ok(response);
    }

    public static async Task<Ok<CollectionListResponse>> ListCollections(IEmbeddingService service, CancellationToken cancellationToken) =>
        TypedResults.Ok(new CollectionListResponse([.. (await service.ListCollectionsAsync(cancellationToken)).Select(c => c.ToResponse())]));

    public static async Task<Results<Ok<CollectionResponse>, ProblemHttpResult>> GetCollection(string name, IEmbeddingService service, CancellationToken cancellationToken)
    {
        StoreResult<CollectionInfo> result = await service.GetCollectionAsync(name, cancellationToken);
        return result.IsSuccess ? TypedResults.Ok(result.Value!.ToResponse()) : ProblemMapping.ToProblem(result.Error);
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteCollectionAsync(string name, IEmbeddingService service, CancellationToken cancellationToken)
    {
        StoreResult<bool> result = await service.DeleteCollectionAsync(name, cancellationToken);
        return result.IsSuccess ? TypedResults.NoContent() : ProblemMapping.ToProblem(result.Error);
    }
}
