// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Core.Filters;

/// <summary>
/// The stable wire and storage names of payload index types and states (<c>keyword</c>, <c>integer</c>, <c>float</c>,
/// <c>bool</c>, <c>text</c>; <c>building</c>, <c>ready</c>): the one table the API, the database and the documentation read.
/// </summary>
public static class PayloadIndexNames
{
    /// <summary>The wire names of every type, in declaration order (for messages and the API document).</summary>
    public static IReadOnlyList<string> TypeNames { get; } = [.. Enum.GetValues<PayloadIndexType>().Select(ToWireName)];

    /// <summary>The wire names of every state.</summary>
    public static IReadOnlyList<string> StateNames { get; } = [.. Enum.GetValues<PayloadIndexState>().Select(ToWireName)];

    /// <summary>The stable name of a type.</summary>
    public static string ToWireName(PayloadIndexType type) => type switch
    {
        PayloadIndexType.Keyword => "keyword",
        PayloadIndexType.Integer => "integer",
        PayloadIndexType.Float => "float",
        PayloadIndexType.Bool => "bool",
        PayloadIndexType.Text => "text",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown payload index type."),
    };

    /// <summary>The stable name of a state.</summary>
    public static string ToWireName(PayloadIndexState state) => state switch
    {
        PayloadIndexState.Building => "building",
        PayloadIndexState.Ready => "ready",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "Unknown payload index state."),
    };

    /// <summary>Parses a type name (exact, lower case); false for anything else.</summary>
    public static bool TryParseType(string? name, out PayloadIndexType type)
    {
        foreach (PayloadIndexType candidate in Enum.GetValues<PayloadIndexType>())
        {
            if (string.Equals(ToWireName(candidate), name, StringComparison.Ordinal))
            {
                type = candidate;
                return true;
            }
        }

        type = default;
        return false;
    }

    /// <summary>Parses a state name; false for anything else.</summary>
    public static bool TryParseState(string? name, out PayloadIndexState state)
    {
        foreach (PayloadIndexState candidate in Enum.GetValues<PayloadIndexState>())
        {
            if (string.Equals(ToWireName(candidate), name, StringComparison.Ordinal))
            {
                state = candidate;
                return true;
            }
        }

        state = default;
        return false;
    }
}
