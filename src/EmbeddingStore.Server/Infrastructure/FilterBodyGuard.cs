// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Text.Json;
using EmbeddingStore.Core.Collections;
using Microsoft.Extensions.Options;

namespace EmbeddingStore.Server.Infrastructure;

// Marks routes whose body may carry a payload filter at its top level (search, batch search, count, scroll, delete).
internal sealed class FilteredBodyMetadata;

// Counts a filter's conditions and measures its depth on the raw bytes, before the body is bound: binding a million
// conditions (one JsonElement each) took seconds and about 700 MB even when the bound filter was then refused, so the
// limits must act before binding. A body that is not JSON is left to binding, which refuses it as malformed.
internal sealed class FilterBodyGuard(RequestDelegate next, IOptions<LimitsOptions> limits)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<FilteredBodyMetadata>() is null || context.Request.ContentLength == 0 || !context.Request.HasJsonContentType())
        {
            await next(context);
            return;
        }

        context.Request.EnableBuffering();
        await using var copy = new MemoryStream();
        await context.Request.Body.CopyToAsync(copy, context.RequestAborted);
        context.Request.Body.Position = 0;

        if (Check(copy.GetBuffer().AsSpan(0, (int)copy.Length), limits.Value) is { } error)
        {
            await ProblemMapping.ToProblem(error).ExecuteAsync(context);
            return;
        }

        await next(context);
    }

    public static StoreError? Check(ReadOnlySpan<byte> body, LimitsOptions limits)
    {
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 256 });
        try
        {
            // Find the top-level "filter" member; tokens inside it have CurrentDepth equal to their filter level
            // (the filter object 1, must 2, a condition 3, a scalar match 4), the same levels FilterValidation counts.
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1 && reader.ValueTextEquals("filter"))
                {
                    return CheckFilter(ref reader, limits);
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON: binding answers it.
        }

        return null;
    }

    private static StoreError? CheckFilter(ref Utf8JsonReader reader, LimitsOptions limits)
    {
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        // clauseList[d]: the container opened at depth d is a must/should/mustNot list, so every token directly inside
        // it (at depth d + 1) is one condition, nested clauses' conditions included. Depth stops at MaxFilterDepth (≤ 64).
        Span<bool> clauseList = stackalloc bool[limits.MaxFilterDepth + 2];
        bool clauseName = false;
        int conditions = 0;
        while (reader.Read() && reader.CurrentDepth >= 2)
        {
            int depth = reader.CurrentDepth;
            if (depth > limits.MaxFilterDepth)
            {
                return new StoreError(
                    StoreErrorCode.LimitExceeded,
                    $"filter nests deeper than the configured maximum filter depth of {limits.MaxFilterDepth} (Limits:MaxFilterDepth).");
            }

            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                    clauseName = reader.ValueTextEquals("must") || reader.ValueTextEquals("should") || reader.ValueTextEquals("mustNot");
                    continue;
                case JsonTokenType.EndObject or JsonTokenType.EndArray:
                    continue;
            }

            if (clauseList[depth - 1] && ++conditions > limits.MaxFilterConditions)
            {
                return new StoreError(
                    StoreErrorCode.LimitExceeded,
                    $"filter has more than {limits.MaxFilterConditions} conditions (counting nested ones), the configured maximum (Limits:MaxFilterConditions).");
            }

            if (reader.TokenType is JsonTokenType.StartArray or JsonTokenType.StartObject)
            {
                // A property's value shares the property's depth; an array element does not follow a property name.
                clauseList[depth] = reader.TokenType == JsonTokenType.StartArray && clauseName && !clauseList[depth - 1];
            }

            clauseName = false;
        }

        return null;
    }
}
