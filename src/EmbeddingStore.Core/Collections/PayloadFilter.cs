// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Text.Json;

namespace EmbeddingStore.Core.Collections;

/// <summary>
/// Restricts a search to items whose payload satisfies every condition. The filter is evaluated during the scan,
/// only for candidates that would enter the top-k, so a selective filter costs little and an exact search with a
/// filter stays exact (no post-filtering of a truncated list).
/// </summary>
/// <param name="Must">Conditions that must all hold.</param>
public sealed record PayloadFilter(IReadOnlyList<FieldMatch> Must)
{
    /// <summary>Checks the filter's own shape, so a malformed condition is a clear error instead of a silent empty result.</summary>
    public StoreError? Validate()
    {
        ArgumentNullException.ThrowIfNull(Must);
        for (int i = 0; i < Must.Count; i++)
        {
            FieldMatch condition = Must[i];
            if (string.IsNullOrEmpty(condition.Key))
            {
                return new StoreError(StoreErrorCode.InvalidArgument, $"filter.must[{i}].key must be a non-empty field name.");
            }

            if (condition.Value.ValueKind is not (JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False))
            {
                return new StoreError(
                    StoreErrorCode.InvalidArgument,
                    $"filter.must[{i}].match must be a string, number or boolean, not {condition.Value.ValueKind}.");
            }
        }

        return null;
    }

    /// <summary>Whether an item's payload passes; an item without a payload passes only an empty filter.</summary>
    public bool Matches(JsonElement? payload)
    {
        if (Must.Count == 0)
        {
            return true;
        }

        if (payload is not { ValueKind: JsonValueKind.Object } obj)
        {
            return false;
        }

        foreach (FieldMatch condition in Must)
        {
            if (!obj.TryGetProperty(condition.Key, out JsonElement field) || !ValueMatches(field, condition.Value))
            {
                return false;
            }
        }

        return true;
    }

    private static bool ValueMatches(JsonElement field, JsonElement expected)
    {
        if (field.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement element in field.EnumerateArray())
            {
                if (JsonElement.DeepEquals(element, expected))
                {
                    return true;
                }
            }

            return false;
        }

        return JsonElement.DeepEquals(field, expected);
    }
}
