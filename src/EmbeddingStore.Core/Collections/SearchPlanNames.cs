// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Core.Collections;

/// <summary>Wire names of <see cref="SearchPlan"/>: the one table the responses and the API document read.</summary>
public static class SearchPlanNames
{
    /// <summary>The stable name of a plan, as the <c>plan</c> member of a search result carries it.</summary>
    public static string ToWireName(SearchPlan plan) => plan switch
    {
        SearchPlan.Exact => "exact",
        SearchPlan.ExactFiltered => "exact-filtered",
        SearchPlan.Int8 => "int8",
        SearchPlan.Int8Filtered => "int8-filtered",
        SearchPlan.Hnsw => "hnsw",
        SearchPlan.HnswFiltered => "hnsw-filtered",
        SearchPlan.HnswInt8 => "hnsw-int8",
        SearchPlan.HnswInt8Filtered => "hnsw-int8-filtered",
        _ => throw new ArgumentOutOfRangeException(nameof(plan), plan, "Unknown search plan."),
    };

    /// <summary>Every stable name, in enum order (most exact first).</summary>
    public static IReadOnlyList<string> All { get; } = [.. Enum.GetValues<SearchPlan>().Select(ToWireName)];

    /// <summary>Parses a stable name strictly (clients reading a response); false for anything else.</summary>
    public static bool TryParse(string? name, out SearchPlan plan)
    {
        foreach (SearchPlan candidate in Enum.GetValues<SearchPlan>())
        {
            if (string.Equals(ToWireName(candidate), name, StringComparison.Ordinal))
            {
                plan = candidate;
                return true;
            }
        }

        plan = default;
        return false;
    }

    /// <summary>
    /// The plan reported for a search that ran <paramref name="a"/> in one segment and <paramref name="b"/> in another: the
    /// more approximate one, so "exact" in a response always means every searched segment was scanned exactly.
    /// </summary>
    public static SearchPlan Combine(SearchPlan a, SearchPlan b) => a >= b ? a : b;
}
