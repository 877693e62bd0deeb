// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Collections;

namespace EmbeddingStore.Core.Hybrid;

/// <summary>The fused hits of a hybrid search, and what the vector half could see (a partial coverage stays visible).</summary>
/// <param name="Hits">Best fused score first; equal scores by id.</param>
/// <param name="Coverage">The vector half's coverage.</param>
public sealed record HybridSearchResult(IReadOnlyList<HybridSearchHit> Hits, SearchCoverage? Coverage);
