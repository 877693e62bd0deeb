// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Core.Hybrid;

/// <summary>One fused entry: the id, its fused score and its 1-based rank in each list (null when absent from it).</summary>
/// <param name="Id">The id.</param>
/// <param name="Score">The fused score.</param>
/// <param name="FirstRank">Rank in the first list.</param>
/// <param name="SecondRank">Rank in the second list.</param>
public readonly record struct FusedRank(string Id, double Score, int? FirstRank, int? SecondRank);
