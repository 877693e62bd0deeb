// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Diagnostics;
using EmbeddingStore.Contracts;
using EmbeddingStore.Core;
using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Indexes;
using EmbeddingStore.Server.Infrastructure;
using EmbeddingStore.Server.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace EmbeddingStore.Server.Endpoints;

internal static class BatchSearchEndpoints
{
    public static IEndpointRouteBuilder MapBatchSearchEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/collections/{name}/search/batch", SearchBatch).WithName(nameof(SearchBatch)).WithTags("Search")
            .WithSummary("Many searches of one model version in one request, each bridged and merged as a single search; results in request order")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict).AddEndpointFilter<FilterValidation>().WithMetadata(new FilteredBodyMetadata()).RequireAuthorization(Scopes.Read);
        return app;
    }

    public static async Task<Results<Ok<BatchSearchResponse>, JsonHttpResult<BatchSearchResponse>, ProblemHttpResult>> SearchBatch(
        string name, BatchSearchRequest request, IEmbeddingService service, VectorResponseJson json, CancellationToken cancellationToken,
        string? vectorEncoding = null)
    {
        long started = Stopwatch.GetTimestamp();
        if (!VectorResponseJson.TryParseEncoding(vectorEncoding, out VectorEncoding encoding, out StoreError? encodingError))
        {
            return ProblemMapping.ToProblem(encodingError!);
        }

        if (!service.Indexes.TryParseIndex(request.Index, out IndexKind? index, out StoreError? indexError))
        {
            return ProblemMapping.ToProblem(indexError!);
        }

        var query = new BatchSearchQuery(
            request.Vectors, request.Version, request.K, request.Filter.ToFilter(), request.WithPayload, request.WithVectors, index,
            ContractMapping.ToIndexOptions(request.Oversampling, request.Ef, request.Quantized), request.AllowPartial);
        StoreResult<BatchSearchResult> result = await service.SearchBatchAsync(name, query, cancellationToken);
        if (!result.IsSuccess)
        {
            return ProblemMapping.ToProblem(result.Error);
        }

        double tookMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var response = new BatchSearchResponse(
            [.. result.Value!.Results.Select(r => new BatchSearchResultResponse([.. r.Hits.Select(h => h.ToResponse())], r.Coverage.ToResponse(), SearchPlanNames.ToWireName(r.Plan)))],
            Math.Round(tookMs, 3));
        return encoding == VectorEncoding.Base64 ? TypedResults.Json(response, json.Base64) : TypedResults.Ok(response);
    }
}
