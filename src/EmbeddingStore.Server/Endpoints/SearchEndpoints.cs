// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Diagnostics;
using EmbeddingStore.Contracts;
using EmbeddingStore.Core;
using EmbeddingStore.Core.Collections;
using EmbeddingStore.Server.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace EmbeddingStore.Server.Endpoints;

internal static class SearchEndpoints
{
    public static IEndpointRouteBuilder MapSearchEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/collections/{name}/search", Search).WithName(nameof(Search)).WithTags("Search")
            .WithSummary("Exact nearest-neighbour search; scores are higher-is-closer for every metric")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    public static Results<Ok<SearchResponse>, ProblemHttpResult> Search(string name, SearchRequest request, EmbeddingEngine engine)
    {
        long started = Stopwatch.GetTimestamp();
        if (!ContractMapping.TryParseIndex(request.Index, out SearchIndexKind index))
        {
            return ProblemMapping.ToProblem(ContractMapping.UnknownIndex(request.Index));
        }

        var query = new SearchQuery(
            request.Vector, request.Version, request.K, request.Filter.ToFilter(), request.WithPayload, request.WithVectors, index, request.Oversampling);
        StoreResult<SearchResult> result = engine.Search(name, query);
        if (!result.IsSuccess)
        {
            return ProblemMapping.ToProblem(result.Error);
        }

        double tookMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        return TypedResults.Ok(new SearchResponse(
            [.. result.Value!.Hits.Select(h => new SearchHitResponse(h.Id, h.Score, h.Version, h.Payload, h.Vector))],
            Math.Round(tookMs, 3)));
    }
}
