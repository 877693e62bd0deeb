// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Core.Collections;

/// <summary>
/// Wire and storage names of <see cref="SearchIndexKind"/>: the one table that parsing, responses and the API document
/// read, so a new index kind is named once.
/// </summary>
public static class SearchIndexKindNames
{
    /// <summary>The stable name of a kind.</summary>
    public static string ToWireName(SearchIndexKind kind) => kind switch
    {
        SearchIndexKind.Exact => "exact",
        SearchIndexKind.Int8 => "int8",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown index kind."),
    };

    /// <summary>Every stable name, in enum order.</summary>
    public static IReadOnlyList<string> All { get; } = [.. Enum.GetValues<SearchIndexKind>().Select(ToWireName)];

    /// <summary>Parses a stable name strictly; false for anything else, so a typo is an error and not an exact scan.</summary>
    public static bool TryParse(string? name, out SearchIndexKind kind)
    {
        foreach (SearchIndexKind candidate in Enum.GetValues<SearchIndexKind>())
        {
            if (string.Equals(ToWireName(candidate), name, StringComparison.Ordinal))
            {
                kind = candidate;
                return true;
            }
        }

        kind = default;
        return false;
    }
}
