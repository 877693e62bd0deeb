// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Text.Json;
using EmbeddingStore.Core.Collections;
using Microsoft.Extensions.Options;

namespace EmbeddingStore.Server.Infrastructure;

// Marks routes whose body may carry a payload filter at its top level (search, batch search, count).
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

        int conditions = 0;
        bool inMust = false;
        while (reader.Read() && reader.CurrentDepth >= 2)
        {
            if (reader.CurrentDepth > limits.MaxFilterDepth)
            {
                return new StoreError(
                    StoreErrorCode.LimitExceeded,
                    $"filter nests deeper than the configured maximum filter depth of {limits.MaxFilterDepth} (Limits:MaxFilterDepth).");
            }

            if (reader.CurrentDepth == 2 && reader.TokenType == JsonTokenType.PropertyName)
            {
                inMust = reader.ValueTextEquals("must");
            }
            else if (inMust && reader.CurrentDepth == 3 && reader.TokenType is not (JsonTokenType.EndObject or JsonTokenType.EndArray or JsonTokenType.PropertyName)
                && ++conditions > limits.MaxFilterConditions)
            {
                return new StoreError(
                    StoreErrorCode.LimitExceeded,
                    $"filter.must has more than {limits.MaxFilterConditions} conditions, the configured maximum (Limits:MaxFilterConditions).");
            }
        }

        return null;
    }
}
