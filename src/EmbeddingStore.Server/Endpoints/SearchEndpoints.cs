// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Diagnostics;
using EmbeddingStore.Contracts;
using EmbeddingStore.Core;
using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Hybrid;
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
        app.MapPost("/v1/collections/{name}/search/hybrid", SearchHybrid).WithName(nameof(SearchHybrid)).WithTags("Search")
            .WithSummary("A vector search and a BM25 keyword search of one text field, under one filter, fused by weighted reciprocal rank; each hit says both ranks")
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

        if (ParseBridging(request.Bridging, out BridgingMode bridging) is { } bridgingError)
        {
            return ProblemMapping.ToProblem(bridgingError);
        }

        if (!service.Indexes.TryParseIndex(request.Index, out IndexKind? index, out StoreError? indexError))
        {
            return ProblemMapping.ToProblem(indexError!);
        }

        var query = new SearchQuery(
            request.Vector, request.Version, request.K, request.Filter.ToFilter(), request.WithPayload, request.WithVectors, request.Vectors, bridging, request.SearchVersions,
            index, ContractMapping.ToIndexOptions(request.Oversampling, request.Ef, request.Quantized), request.AllowPartial);
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

    public static async Task<Results<Ok<HybridSearchResponse>, ProblemHttpResult>> SearchHybrid(
        string name, HybridSearchRequest request, IEmbeddingService service, CancellationToken cancellationToken)
    {
        long started = Stopwatch.GetTimestamp();
        if (request.Keywords is not { } keywords)
        {
            return ProblemMapping.ToProblem(new StoreError(
                StoreErrorCode.InvalidArgument, "keywords is required: {\"field\": <a text field>, \"query\": <the words>}; use /search for a vector search alone."));
        }

        if (ParseBridging(request.Bridging, out BridgingMode bridging) is { } bridgingError)
        {
            return ProblemMapping.ToProblem(bridgingError);
        }

        if (!service.Indexes.TryParseIndex(request.Index, out IndexKind? index, out StoreError? indexError))
        {
            return ProblemMapping.ToProblem(indexError!);
        }

        var vector = new SearchQuery(
            request.Vector, request.Version, request.K, request.Filter.ToFilter(), request.WithPayload, WithVectors: false, request.Vectors, bridging,
            request.SearchVersions, index, ContractMapping.ToIndexOptions(null, null, null), request.AllowPartial);
        FusionRequest fusion = request.Fusion ?? new FusionRequest();
        var query = new HybridSearchQuery(
            vector, keywords.Field!, keywords.Query!, request.K, fusion.VectorWeight ?? 1, fusion.KeywordWeight ?? 1,
            fusion.RankConstant ?? ReciprocalRankFusion.DefaultRankConstant, fusion.Candidates);
        StoreResult<HybridSearchResult> result = await service.HybridSearchAsync(name, query, cancellationToken);
        if (!result.IsSuccess)
        {
            return ProblemMapping.ToProblem(result.Error);
        }

        double tookMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        return TypedResults.Ok(new HybridSearchResponse(
            [.. result.Value!.Hits.Select(h => new HybridSearchHitResponse(h.Id, h.Score, h.VectorRank, h.VectorScore, h.Version, h.KeywordRank, h.KeywordScore, h.Payload))],
            Math.Round(tookMs, 3),
            result.Value.Coverage.ToResponse()));
    }

    // The bridging mode of a search or hybrid search: auto when absent, else one of the wire names.
    private static StoreError? ParseBridging(string? text, out BridgingMode bridging)
    {
        bridging = BridgingMode.Auto;
        return text is null || BridgingModeNames.TryParse(text, out bridging)
            ? null
            : new StoreError(StoreErrorCode.InvalidArgument, $"bridging must be one of {string.Join(", ", BridgingModeNames.All)}; it was '{text}'.");
    }
}
