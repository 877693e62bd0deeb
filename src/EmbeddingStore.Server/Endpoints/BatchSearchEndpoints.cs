// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Diagnostics;
using EmbeddingStore.Contracts;
using EmbeddingStore.Core;
using EmbeddingStore.Core.Collections;
using EmbeddingStore.Server.Infrastructure;
using EmbeddingStore.Server.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace EmbeddingStore.Server.Endpoints;

internal static class BatchSearchEndpoints
{
    public static IEndpointRouteBuilder MapBatchSearchEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/collections/{name}/search/batch", SearchBatch).WithName(nameof(SearchBatch)).WithTags("Search")
            .WithSummary("Many exact (or int8) searches of one model version in one request; results in request order")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict).AddEndpointFilter<FilterValidation>().WithMetadata(new FilteredBodyMetadata()).RequireAuthorization(Scopes.Read);
        return app;
    }

    public static Results<Ok<BatchSearchResponse>, ProblemHttpResult> SearchBatch(string name, BatchSearchRequest request, EmbeddingEngine engine)
    {
        long started = Stopwatch.GetTimestamp();
        if (!ContractMapping.TryParseIndex(request.Index, out SearchIndexKind? index))
        {
            return ProblemMapping.ToProblem(ContractMapping.UnknownIndex(request.Index));
        }

        var query = new BatchSearchQuery(
            request.Vectors, request.Version, request.K, request.Filter.ToFilter(), request.WithPayload, request.WithVectors, index, request.Oversampling);
        StoreResult<BatchSearchResult> result = engine.SearchBatch(name, query);
        if (!result.IsSuccess)
        {
            return ProblemMapping.ToProblem(result.Error);
        }

        double tookMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        return TypedResults.Ok(new BatchSearchResponse(
            [.. result.Value!.Results.Select(r => new BatchSearchResultResponse([.. r.Hits.Select(h => h.ToResponse())]))],
            Math.Round(tookMs, 3)));
    }
}
