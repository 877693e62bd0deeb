// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Text.Json;

namespace EmbeddingStore.Core.Filters;

/// <summary>
/// One node of a payload filter: either a field condition (<see cref="Key"/> plus exactly one operator) or a nested
/// clause (<see cref="Must"/>, <see cref="Should"/>, <see cref="MustNot"/>). It mirrors the wire shape one to one so
/// that the API maps requests without logic and <see cref="PayloadFilter.Validate"/> can name the exact JSON path
/// of a mistake; the evaluator is compiled from it once, after validation.
/// </summary>
/// <remarks>
/// A missing field satisfies no <c>match</c>, <c>any</c>, <c>except</c> or <c>range</c>. On an array field a scalar
/// <c>match</c>, <c>any</c> and <c>range</c> hold when some element does, <c>except</c> when no element is in the
/// list. Values are compared by JSON kind: the string <c>"1"</c> never equals the number <c>1</c>; numbers compare as
/// doubles, so <c>1</c> equals <c>1.0</c>.
/// </remarks>
public sealed record FilterCondition
{
    /// <summary>The payload field; dots address nested objects (<c>meta.src</c> is <c>{"meta": {"src": …}}</c>).</summary>
    public string? Key { get; init; }

    /// <summary>
    /// Equality with a string, number or boolean; or, given an array of them, array equality: the field is an array of
    /// the same length with equal elements in the same order (a whole-array comparison, where <see cref="Any"/> tests
    /// elements one by one).
    /// </summary>
    public JsonElement? Match { get; init; }

    /// <summary>The value (or some element) is one of these strings, numbers or booleans.</summary>
    public IReadOnlyList<JsonElement>? Any { get; init; }

    /// <summary>The field is present and its value (or every element) is none of these.</summary>
    public IReadOnlyList<JsonElement>? Except { get; init; }

    /// <summary>The value (or some element) is a number within the bounds.</summary>
    public FilterRange? Range { get; init; }

    /// <summary><c>true</c>: the field is present and null; <c>false</c>: the opposite.</summary>
    public bool? IsNull { get; init; }

    /// <summary><c>true</c>: the field is missing, null or an empty array; <c>false</c>: the opposite.</summary>
    public bool? IsEmpty { get; init; }

    /// <summary>
    /// Full text: the field's text (a string, or the string elements of an array) contains every token of this string, as
    /// <see cref="TextTokenizer"/> splits both. All tokens rather than any, because a filter narrows; ranking by how many
    /// words match is the keyword search's job (BM25), not the filter's.
    /// </summary>
    public JsonElement? Text { get; init; }

    /// <summary>A nested clause: every condition holds.</summary>
    public IReadOnlyList<FilterCondition>? Must { get; init; }

    /// <summary>A nested clause: at least one condition holds (an empty list holds for nothing).</summary>
    public IReadOnlyList<FilterCondition>? Should { get; init; }

    /// <summary>A nested clause: no condition holds.</summary>
    public IReadOnlyList<FilterCondition>? MustNot { get; init; }

    /// <summary>Equality on a field, the condition the filter language started with.</summary>
    public static FilterCondition Equal(string key, JsonElement value) => new() { Key = key, Match = value };
}
