// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Text.Json;
using EmbeddingStore.Core.Collections;

namespace EmbeddingStore.Core.Filters;

/// <summary>
/// Restricts a search, count, scroll or delete to items whose payload satisfies a tree of conditions: every
/// <see cref="Must"/> condition, at least one <see cref="Should"/> condition (when given) and no <see cref="MustNot"/>
/// condition. A search evaluates it during the scan, only for candidates that would enter the top-k, so a selective
/// filter costs little and an exact search with a filter stays exact (no post-filtering of a truncated list).
/// </summary>
/// <remarks>
/// Immutable. <see cref="Validate"/> checks the shape and compiles the evaluator once; <see cref="Matches"/> then
/// reads the payload's <see cref="JsonElement"/> directly (UTF-8 property and string comparisons, no per-item
/// allocation). An item without an object payload has no fields: it passes only conditions a missing field passes.
/// </remarks>
public sealed class PayloadFilter
{
    private FilterNode? _compiled;

    /// <summary>Creates a filter; null lists are absent clauses.</summary>
    public PayloadFilter(
        IReadOnlyList<FilterCondition>? must = null, IReadOnlyList<FilterCondition>? should = null, IReadOnlyList<FilterCondition>? mustNot = null)
    {
        Must = must ?? [];
        Should = should;
        MustNot = mustNot ?? [];
    }

    /// <summary>Conditions that must all hold.</summary>
    public IReadOnlyList<FilterCondition> Must { get; }

    /// <summary>Conditions of which at least one must hold; null when absent (an empty list holds for nothing).</summary>
    public IReadOnlyList<FilterCondition>? Should { get; }

    /// <summary>Conditions none of which may hold.</summary>
    public IReadOnlyList<FilterCondition> MustNot { get; }

    /// <summary>Whether the filter has no condition at all, so every item passes and a count needs no scan.</summary>
    public bool IsEmpty => Must.Count == 0 && Should is null && MustNot.Count == 0;

    /// <summary>
    /// Checks the whole tree and compiles it, so a malformed condition is a clear error naming its JSON path
    /// (<c>filter.must[2].range.gte must be a number</c>) instead of a silent empty result.
    /// </summary>
    public StoreError? Validate()
    {
        if (_compiled is not null)
        {
            return null;
        }

        if (FilterCompiler.TryCompile(this, out FilterNode? compiled) is { } error)
        {
            return new StoreError(StoreErrorCode.InvalidArgument, error);
        }

        _compiled = compiled;
        return null;
    }

    /// <summary>Whether an item's payload passes; the filter must be valid (<see cref="Validate"/>).</summary>
    /// <exception cref="InvalidOperationException">The filter is not valid.</exception>
    public bool Matches(JsonElement? payload)
    {
        FilterNode node = _compiled ?? Compile();
        return node.Evaluate(payload is { ValueKind: JsonValueKind.Object } obj ? obj : default);
    }

    // The compiled tree after Validate, for the payload-index planner; null before.
    internal FilterNode? Compiled => _compiled;

    private FilterNode Compile()
    {
        if (Validate() is { } error)
        {
            throw new InvalidOperationException("The filter is not valid: " + error.Message);
        }

        return _compiled!;
    }
}
