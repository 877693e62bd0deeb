// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Contracts;
using EmbeddingStore.Core;
using EmbeddingStore.Core.Collections;
using EmbeddingStore.Server.Infrastructure;
using EmbeddingStore.Server.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace EmbeddingStore.Server.Endpoints;

internal static class ItemEndpoints
{
    public static IEndpointRouteBuilder MapItemEndpoints(this IEndpointRouteBuilder app)
    {
        RouteGroupBuilder group = app.MapGroup("/v1/collections/{name}/items").WithTags("Items").RequireAuthorization(Scopes.Read);
        group.MapPost("/", UpsertItemsAsync).WithName(nameof(UpsertItemsAsync))
            .WithSummary("Upsert a batch of items atomically; acknowledged only after it is committed")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge).RequireAuthorization(Scopes.Write);
        group.MapPost("/delete", DeleteItemsAsync).WithName(nameof(DeleteItemsAsync))
            .WithSummary("Delete items by id, or every item matching a payload filter").ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound).AddEndpointFilter<FilterValidation>().WithMetadata(new FilteredBodyMetadata())
            .RequireAuthorization(Scopes.Write);
        group.MapPost("/count", CountItems).WithName(nameof(CountItems))
            .WithSummary("Count items, optionally matching a payload filter").ProducesProblem(StatusCodes.Status404NotFound)
            .AddEndpointFilter<FilterValidation>().WithMetadata(new FilteredBodyMetadata());
        group.MapGet("/", ScrollItems).WithName(nameof(ScrollItems))
            .WithSummary("Page through items in id order with a stable cursor").ProducesProblem(StatusCodes.Status400BadRequest);
        group.MapPost("/scroll", ScrollItemsFiltered).WithName(nameof(ScrollItemsFiltered))
            .WithSummary("Page through items in id order, optionally only those matching a payload filter").ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound).AddEndpointFilter<FilterValidation>().WithMetadata(new FilteredBodyMetadata());
        group.MapGet("/{id}", GetItem).WithName(nameof(GetItem))
            .WithSummary("Get one item").ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    public static async Task<Results<Ok<UpsertItemsResponse>, ProblemHttpResult>> UpsertItemsAsync(
        string name, UpsertItemsRequest request, IEmbeddingService service, CancellationToken cancellationToken)
    {
        if (request.Items is null)
        {
            return ProblemMapping.ToProblem(new StoreError(StoreErrorCode.InvalidArgument, "items must be an array of items."));
        }

        var items = new List<ItemUpsert>(request.Items.Count);
        foreach (ItemRequest item in request.Items)
        {
            if (item is null)
            {
                return ProblemMapping.ToProblem(new StoreError(StoreErrorCode.InvalidArgument, $"items[{items.Count}] is null."));
            }

            items.Add(new ItemUpsert(item.Id, item.Payload, item.Vectors));
        }

        StoreResult<int> result = await service.UpsertItemsAsync(name, items, cancellationToken);
        return result.IsSuccess ? TypedResults.Ok(new UpsertItemsResponse(result.Value)) : ProblemMapping.ToProblem(result.Error);
    }

    public static async Task<Results<Ok<DeleteItemsResponse>, ProblemHttpResult>> DeleteItemsAsync(
        string name, DeleteItemsRequest request, IEmbeddingService service, CancellationToken cancellationToken)
    {
        if ((request.Ids is null) == (request.Filter is null))
        {
            return ProblemMapping.ToProblem(new StoreError(
                StoreErrorCode.InvalidArgument, "give exactly one of ids (an array of item ids) or filter (delete every matching item)."));
        }

        StoreResult<int> result = request.Filter is { } filter
            ? await service.DeleteItemsAsync(name, filter.ToFilter()!, cancellationToken)
            : await service.DeleteItemsAsync(name, request.Ids!, cancellationToken);
        return result.IsSuccess ? TypedResults.Ok(new DeleteItemsResponse(result.Value)) : ProblemMapping.ToProblem(result.Error);
    }

    public static async Task<Results<Ok<CountResponse>, ProblemHttpResult>> CountItems(
        string name, CountRequest? request, IEmbeddingService service, CancellationToken cancellationToken)
    {
        StoreResult<long> result = await service.CountAsync(name, request?.Filter.ToFilter(), cancellationToken);
        return result.IsSuccess ? TypedResults.Ok(new CountResponse(result.Value)) : ProblemMapping.ToProblem(result.Error);
    }

    public static async Task<Results<Ok<ScrollResponse>, JsonHttpResult<ScrollResponse>, ProblemHttpResult>> ScrollItems(
        string name, IEmbeddingService service, VectorResponseJson json, CancellationToken cancellationToken, int limit = 100, string? cursor = null,
        bool withVectors = false, string? vectorEncoding = null)
    {
        if (!VectorResponseJson.TryParseEncoding(vectorEncoding, out VectorEncoding encoding, out StoreError? encodingError))
        {
            return ProblemMapping.ToProblem(encodingError!);
        }

        StoreResult<ScrollPage> result = await service.ScrollAsync(name, cursor, limit, withVectors, null, cancellationToken);
        return ToResponse(result, encoding, json);
    }

    public static async Task<Results<Ok<ScrollResponse>, JsonHttpResult<ScrollResponse>, ProblemHttpResult>> ScrollItemsFiltered(
        string name, ScrollRequest request, IEmbeddingService service, VectorResponseJson json, CancellationToken cancellationToken,
        string? vectorEncoding = null)
    {
        if (!VectorResponseJson.TryParseEncoding(vectorEncoding, out VectorEncoding encoding, out StoreError? encodingError))
        {
            return ProblemMapping.ToProblem(encodingError!);
        }

        StoreResult<ScrollPage> result = await service.ScrollAsync(name, request.Cursor, request.Limit, request.WithVectors, request.Filter.ToFilter(), cancellationToken);
        return ToResponse(result, encoding, json);
    }

    private static Results<Ok<ScrollResponse>, JsonHttpResult<ScrollResponse>, ProblemHttpResult> ToResponse(
        StoreResult<ScrollPage> result, VectorEncoding encoding, VectorResponseJson json)
    {
        if (!result.IsSuccess)
        {
            return ProblemMapping.ToProblem(result.Error);
        }

        var page = new ScrollResponse([.. result.Value!.Items.Select(i => i.ToResponse())], result.Value.NextCursor);
        return encoding == VectorEncoding.Base64 ? TypedResults.Json(page, json.Base64) : TypedResults.Ok(page);
    }

    public static async Task<Results<Ok<ItemResponse>, JsonHttpResult<ItemResponse>, ProblemHttpResult>> GetItem(
        string name, string id, IEmbeddingService service, VectorResponseJson json, CancellationToken cancellationToken, bool withVectors = false,
        string? vectorEncoding = null)
    {
        if (!VectorResponseJson.TryParseEncoding(vectorEncoding, out VectorEncoding encoding, out StoreError? encodingError))
        {
            return ProblemMapping.ToProblem(encodingError!);
        }

        // The server decodes every escape in a path segment except %2F (so that routing is not fooled); ids may contain
        // '/', so decode it here. An id holding the literal text "%2F" cannot be addressed by path; scroll finds it.
        id = id.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);
        StoreResult<ItemView> result = await service.GetItemAsync(name, id, withVectors, cancellationToken);
        if (!result.IsSuccess)
        {
            return ProblemMapping.ToProblem(result.Error);
        }

        ItemResponse item = result.Value!.ToResponse();
        return encoding == VectorEncoding.Base64 ? TypedResults.Json(item, json.Base64) : TypedResults.Ok(item);
    }
}
