// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Core.Search;

/// <summary>One hit of a merged search, still as plain values: payloads and vectors are fetched for the final hits only.</summary>
/// <param name="Plan">The plan (version) whose candidate this is.</param>
/// <param name="Id">The item's id.</param>
/// <param name="Score">The score on the primary version's scale.</param>
/// <param name="RawScore">The score in the matched version's own space.</param>
/// <param name="Via">The link(s) that made the match comparable: the plan's, else the one that derived the stored vector.</param>
public readonly record struct MergedHit(int Plan, string Id, float Score, float RawScore, string? Via);
