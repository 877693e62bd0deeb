// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Text.Json;

namespace EmbeddingStore.Core.Hybrid;

/// <summary>
/// One fused hit, with both of its ranks so a caller can see why it placed where it did (a keyword-only hit, a vector-only
/// hit, or both).
/// </summary>
/// <param name="Id">The item's id.</param>
/// <param name="Score">The fused score: <c>vectorWeight / (rankConstant + vectorRank) + keywordWeight / (rankConstant + keywordRank)</c>, a missing rank adding nothing.</param>
/// <param name="VectorRank">1-based rank in the vector list; null when the item was not among its candidates.</param>
/// <param name="VectorScore">The vector search's score (higher is closer); null with <see cref="VectorRank"/>.</param>
/// <param name="Version">The version of the matched vector; null for a keyword-only hit.</param>
/// <param name="KeywordRank">1-based rank in the BM25 list; null when the item was not among its candidates.</param>
/// <param name="KeywordScore">The BM25 score; null with <see cref="KeywordRank"/>.</param>
/// <param name="Payload">The payload, when requested.</param>
public sealed record HybridSearchHit(
    string Id, double Score, int? VectorRank, float? VectorScore, string? Version, int? KeywordRank, double? KeywordScore, JsonElement? Payload);
