// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Globalization;
using System.Text.Json;
using EmbeddingStore.Contracts;
using EmbeddingStore.Core.Collections;
using Microsoft.Extensions.Options;

namespace EmbeddingStore.Server.Infrastructure;

// Checks a request's payload filter before the handler maps it: a null condition anywhere in the tree
// (`"must": [null]`), too many conditions or too deep a structure is a 400 that names the path, never a null
// dereference or an unbounded scan. The engine then checks each condition's shape (PayloadFilter.Validate). Runs as
// an endpoint filter on the routes that take a filter, so the handlers stay as they are.
internal sealed class FilterValidation(IOptions<LimitsOptions> limits) : IEndpointFilter
{
    // The filter object is level 1, a clause's list level 2 and its conditions level 3.
    private const int TopConditionDepth = 3;

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        foreach (object? argument in context.Arguments)
        {
            FilterRequest? filter = argument switch
            {
                SearchRequest search => search.Filter,
                HybridSearchRequest hybrid => hybrid.Filter,
                BatchSearchRequest batch => batch.Filter,
                CountRequest count => count.Filter,
                ScrollRequest scroll => scroll.Filter,
                DeleteItemsRequest delete => delete.Filter,
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
        int conditions = 0;
        return Clause("filter", filter.Must, filter.Should, filter.MustNot, TopConditionDepth, limits, ref conditions);
    }

    private static StoreError? Clause(
        string path, List<FieldConditionRequest>? must, List<FieldConditionRequest>? should, List<FieldConditionRequest>? mustNot, int depth,
        LimitsOptions limits, ref int conditions)
    {
        return List(path + ".must", must, depth, limits, ref conditions)
            ?? List(path + ".should", should, depth, limits, ref conditions)
            ?? List(path + ".mustNot", mustNot, depth, limits, ref conditions);
    }

    // `depth` is the JSON level of the list's conditions.
    private static StoreError? List(string path, List<FieldConditionRequest>? list, int depth, LimitsOptions limits, ref int conditions)
    {
        if (list is null)
        {
            return null;
        }

        if (list.Count > 0 && depth > limits.MaxFilterDepth)
        {
            return TooDeep(path, limits);
        }

        for (int i = 0; i < list.Count; i++)
        {
            string at = path + "[" + i.ToString(CultureInfo.InvariantCulture) + "]";
            if (++conditions > limits.MaxFilterConditions)
            {
                return new StoreError(
                    StoreErrorCode.LimitExceeded,
                    $"filter has more than {limits.MaxFilterConditions} conditions (counting nested ones), the configured maximum (Limits:MaxFilterConditions).");
            }

            if (list[i] is not { } condition)
            {
                return new StoreError(
                    StoreErrorCode.InvalidArgument,
                    $"{at} is null; each condition is an object with a key and one operator (match, any, except, range, isNull, isEmpty, text), or a nested must, should or mustNot.");
            }

            // Values sit one level below their condition: the match scalar, the any/except array, the range object.
            int values = depth + 1;
            int deepest = Math.Max(
                Math.Max(
                    condition.Match is { } match ? values - 1 + Depth(match, limits.MaxFilterDepth) : 0,
                    condition.Text is { } text ? values - 1 + Depth(text, limits.MaxFilterDepth) : 0),
                Math.Max(
                    condition.Any is not null || condition.Except is not null || condition.Range is not null ? values + 1 : 0,
                    Math.Max(Deepest(condition.Any, values, limits), Deepest(condition.Except, values, limits))));
            if (deepest > limits.MaxFilterDepth)
            {
                return TooDeep(at, limits);
            }

            if (Clause(at, condition.Must, condition.Should, condition.MustNot, depth + 2, limits, ref conditions) is { } nested)
            {
                return nested;
            }
        }

        return null;
    }

    private static int Deepest(List<JsonElement>? values, int listDepth, LimitsOptions limits)
    {
        int deepest = 0;
        foreach (JsonElement value in values ?? [])
        {
            deepest = Math.Max(deepest, listDepth + Depth(value, limits.MaxFilterDepth));
            if (deepest > limits.MaxFilterDepth)
            {
                break;
            }
        }

        return deepest;
    }

    private static StoreError TooDeep(string path, LimitsOptions limits) => new(
        StoreErrorCode.LimitExceeded,
        $"{path} nests deeper than the configured maximum filter depth of {limits.MaxFilterDepth} (Limits:MaxFilterDepth).");

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
