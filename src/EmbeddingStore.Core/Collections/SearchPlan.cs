// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Core.Collections;

/// <summary>
/// What actually ran for a search, which is not always the index kind asked for: a graph index scans exactly when a
/// filter leaves so few rows that reading them all is cheaper than walking the graph, and then the answer is exact.
/// Reported so a caller can tell a recall-1.0 answer from an approximate one without guessing the planner's thresholds.
/// </summary>
/// <remarks>
/// Members are ordered from the most exact to the most approximate; a search over several segments reports the most
/// approximate plan any of them ran (<see cref="SearchPlanNames.Combine"/>).
/// </remarks>
public enum SearchPlan
{
    /// <summary>A full scan of the float vectors, no filter: recall 1.0.</summary>
    Exact,

    /// <summary>
    /// An exact scan under a filter: of only the matching rows when a payload index lists them, else of every row with the
    /// filter tested on the candidates that could enter the top-k. Recall 1.0 against the filtered truth.
    /// </summary>
    ExactFiltered,

    /// <summary>A scan of int8 codes re-scored with floats, no filter.</summary>
    Int8,

    /// <summary>A scan of int8 codes under a filter, re-scored with floats.</summary>
    Int8Filtered,

    /// <summary>A graph search, no filter: approximate candidates, exact scores.</summary>
    Hnsw,

    /// <summary>
    /// A graph search that walks only rows passing the filter, reaching across rejected neighbours through their own
    /// neighbours (ACORN-style two-hop expansion): approximate candidates, exact scores, never a non-matching item.
    /// </summary>
    HnswFiltered,

    /// <summary>
    /// A graph search walked on the segment's int8 codes (a quarter of the bytes per visited row), its ef candidates then
    /// re-scored with the float vectors: approximate candidates, exact scores.
    /// </summary>
    HnswInt8,

    /// <summary>The filtered graph walk of <see cref="HnswFiltered"/>, scored on int8 codes and re-scored with floats.</summary>
    HnswInt8Filtered,
}
