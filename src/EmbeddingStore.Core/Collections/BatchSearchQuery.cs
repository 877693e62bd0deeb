// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Core.Collections;

/// <summary>
/// Many nearest-neighbour queries against one collection and one model version, answered in one pass: the engine
/// scores a block of queries per pass over the vectors, so a batch costs far less than the same queries one by one.
/// </summary>
/// <param name="Vectors">The query vectors, all of <paramref name="Version"/>; at most <see cref="EngineLimits.MaxBatchQueries"/>.</param>
/// <param name="Version">The queries' model version, <c>model@version</c>; null means the collection's serving version.</param>
/// <param name="K">Hits per query.</param>
/// <param name="Filter">Payload conditions applied to every query, or null.</param>
/// <param name="WithPayload">Whether hits carry payloads.</param>
/// <param name="WithVectors">Whether hits carry their stored vectors.</param>
/// <param name="Index">Exact (default) or int8 with exact re-scoring, as for <see cref="SearchQuery"/>.</param>
/// <param name="Oversampling">Int8 candidates per wanted hit; null means <see cref="EngineLimits.DefaultOversampling"/>.</param>
public sealed record BatchSearchQuery(
    IReadOnlyList<float[]> Vectors,
    string? Version,
    int K,
    PayloadFilter? Filter = null,
    bool WithPayload = true,
    bool WithVectors = false,
    SearchIndexKind? Index = null,
    int? Oversampling = null);
