// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Text.Json;
using EmbeddingStore.Contracts;
using EmbeddingStore.Core.Collections;
using Microsoft.Extensions.Options;

namespace EmbeddingStore.Server.Infrastructure;

// Checks a request's payload filter before the handler maps it: a null condition (`"must": [null]`), a missing key,
// too many conditions or too deep a structure is a 400 that names the path, never a null dereference or an unbounded
// scan. Runs as an endpoint filter on the routes that take a filter, so the handlers stay as they are.
internal sealed class FilterValidation(IOptions<LimitsOptions> limits) : IEndpointFilter
{
    // filter → must → condition: the levels above a condition's match value.
    private const int ConditionDepth = 3;

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        foreach (object? argument in context.Arguments)
        {
            FilterRequest? filter = argument switch
            {
                SearchRequest search => search.Filter,
                BatchSearchRequest batch => batch.Filter,
                CountRequest count => count.Filter,
                _ => null,
            };
            if (filter is not null && Validate(filter, limits.Value) is { } error)
            {
                return ProblemMapping.ToProblem(error);
            }
        }

        return await next(context);
    }

    public static StoreError? Validate(FilterRequest filter, LimitsOptions limits)
    {
        IReadOnlyList<FieldConditionRequest?> must = filter.Must ?? [];
        if (must.Count > limits.MaxFilterConditions)
        {
            return new StoreError(
                StoreErrorCode.LimitExceeded,
                $"filter.must has {must.Count} conditions; the configured maximum is {limits.MaxFilterConditions} (Limits:MaxFilterConditions).");
        }

        for (int i = 0; i < must.Count; i++)
        {
            if (must[i] is not { } condition)
            {
                return new StoreError(StoreErrorCode.InvalidArgument, $"filter.must[{i}] is null; each condition is an object with key and match.");
            }

            if (string.IsNullOrEmpty(condition.Key))
            {
                return new StoreError(StoreErrorCode.InvalidArgument, $"filter.must[{i}].key must be a non-empty field name.");
            }

            int depth = ConditionDepth + Depth(condition.Match, limits.MaxFilterDepth - ConditionDepth);
            if (depth > limits.MaxFilterDepth)
            {
                return new StoreError(
                    StoreErrorCode.LimitExceeded,
                    $"filter.must[{i}].match nests deeper than the configured maximum filter depth of {limits.MaxFilterDepth} (Limits:MaxFilterDepth).");
            }

            if (condition.Match.ValueKind == JsonValueKind.Number && !(condition.Match.TryGetDouble(out double number) && double.IsFinite(number)))
            {
                return new StoreError(StoreErrorCode.InvalidArgument, $"filter.must[{i}].match is a number beyond the range of a double.");
            }
        }

        return null;
    }

    // Nesting of a JSON value (a scalar is 1); stops descending once it is known to exceed `limit`.
    private static int Depth(JsonElement value, int limit)
    {
        if (value.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array))
        {
            return 1;
        }

        if (limit <= 1)
        {
            return 2;
        }

        int deepest = 0;
        IEnumerable<JsonElement> children = value.ValueKind == JsonValueKind.Object
            ? value.EnumerateObject().Select(p => p.Value)
            : value.EnumerateArray();
        foreach (JsonElement child in children)
        {
            deepest = Math.Max(deepest, Depth(child, limit - 1));
            if (deepest >= limit)
            {
                break;
            }
        }

        return 1 + deepest;
    }
}
