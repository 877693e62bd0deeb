// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Diagnostics;
using EmbeddingStore.Contracts;
using EmbeddingStore.Core;

namespace EmbeddingStore.Server.Telemetry;

// Measures the search endpoints from outside: time around the handler, the index kind from the answer (or, for a
// batch, from the request and the collection's default), and the rows the scan had to read from the collection's
// vector count. Endpoint code stays free of metrics, and the filter keeps working when handlers move behind a service.
// It asks for the count alone: collection info walks every graph's rows, which cost a search of a 10,000-row graph
// about 2.7 % of the server's time (docs/bench/issue-10.md) and would grow with the collection.
internal sealed class SearchMetricsFilter(ServerMetrics metrics, IEmbeddingService service) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        long started = Stopwatch.GetTimestamp();
        object? result = await next(context);
        double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        if (Unwrap(result) is not { } value
            || context.HttpContext.GetRouteValue("name") is not string name
            || await service.CountVectorsAsync(name, context.HttpContext.RequestAborted) is not { IsSuccess: true } count)
        {
            return result;
        }

        long rows = count.Value;
        switch (value)
        {
            case SearchResponse single:
                metrics.RecordSearch(single.Index, "search", seconds, 1, rows);
                break;
            case BatchSearchResponse batch:
                // A batch that names no index reads the collection's default from its info: once per batch, not per query.
                string? index = context.Arguments.OfType<BatchSearchRequest>().FirstOrDefault()?.Index;
                if (index is null && await service.GetCollectionAsync(name, context.HttpContext.RequestAborted) is { IsSuccess: true } collection)
                {
                    index = collection.Value!.DefaultIndex.ToString();
                }

                if (index is not null)
                {
                    metrics.RecordSearch(index, "batch", seconds, batch.Results.Count, rows * batch.Results.Count);
                }

                break;
        }

        return result;
    }

    // Results<Ok<T>, ProblemHttpResult> nests the chosen result; a successful one carries the response value.
    private static object? Unwrap(object? result)
    {
        while (result is INestedHttpResult nested)
        {
            result = nested.Result;
        }

        return result is IValueHttpResult { Value: { } value } && result is IStatusCodeHttpResult { StatusCode: StatusCodes.Status200OK } ? value : null;
    }
}
