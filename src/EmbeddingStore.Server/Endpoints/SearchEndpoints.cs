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

internal static class SearchEndpoints
{
    public static IEndpointRouteBuilder MapSearchEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/collections/{name}/search", Search).WithName(nameof(Search)).WithTags("Search")
            .WithSummary("Exact search across every version the collection holds that the query reaches natively or through links; higher scores are closer")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict).AddEndpointFilter<FilterValidation>().WithMetadata(new FilteredBodyMetadata()).RequireAuthorization(Scopes.Read);
        return app;
    }

    public static async Task<Results<Ok<SearchResponse>, JsonHttpResult<SearchResponse>, ProblemHttpResult>> Search(
        string name, SearchRequest request, IEmbeddingService service, VectorResponseJson json, CancellationToken cancellationToken,
        string? vectorEncoding = null)
    {
        long started = Stopwatch.GetTimestamp();
        if (!VectorResponseJson.TryParseEncoding(vectorEncoding, out VectorEncoding encoding, out StoreError? encodingError))
        {
            return ProblemMapping.ToProblem(encodingError!);
        }

        BridgingMode bridging = BridgingMode.Auto;
        if (request.Bridging is not null && !BridgingModeNames.TryParse(request.Bridging, out bridging))
        {
            return ProblemMapping.ToProblem(new StoreError(
                StoreErrorCode.InvalidArgument, $"bridging must be one of {string.Join(", ", BridgingModeNames.All)}; it was '{request.Bridging}'."));
        }

        if (!service.Indexes.TryParseIndex(request.Index, out IndexKind? index, out StoreError? indexError))
        {
            return ProblemMapping.ToProblem(indexError!);
        }

        var query = new SearchQuery(
            request.Vector, request.Version, request.K, request.Filter.ToFilter(), request.WithPayload, request.WithVectors, request.Vectors, bridging, request.SearchVersions,
            index, ContractMapping.ToIndexOptions(request.Oversampling, request.Ef), request.AllowPartial);
        StoreResult<SearchResult> result = await service.SearchAsync(name, query, cancellationToken);
        if (!result.IsSuccess)
        {
            return ProblemMapping.ToProblem(result.Error);
        }

        double tookMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var response = new SearchResponse(
            [.. result.Value!.Hits.Select(h => new SearchHitResponse(h.Id, h.Score, h.Version, h.Via, h.RawScore, h.Payload, h.Vector))],
            Math.Round(tookMs, 3),
            result.Value.Index.ToString(),
            result.Value.Coverage.ToResponse(),
            SearchPlanNames.ToWireName(result.Value.Plan));
        return encoding == VectorEncoding.Base64 ? TypedResults.Json(response, json.Base64) : TypedResults.Ok(response);
    }
}
