// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Text.Json;

namespace EmbeddingStore.Core.Filters;

/// <summary>
/// Numeric bounds for a <c>range</c> condition. The bounds stay JSON values until validation so that a bound sent as
/// a string is refused with its path (<c>filter.must[2].range.gte must be a number</c>) instead of being coerced.
/// </summary>
/// <remarks>Bounds combine: <c>gt</c> and <c>gte</c> together both apply. Numbers compare as doubles.</remarks>
public sealed record FilterRange
{
    /// <summary>Greater than (exclusive lower bound).</summary>
    public JsonElement? Gt { get; init; }

    /// <summary>Greater than or equal (inclusive lower bound).</summary>
    public JsonElement? Gte { get; init; }

    /// <summary>Less than (exclusive upper bound).</summary>
    public JsonElement? Lt { get; init; }

    /// <summary>Less than or equal (inclusive upper bound).</summary>
    public JsonElement? Lte { get; init; }
}
