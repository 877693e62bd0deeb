// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Filters;
using EmbeddingStore.Core.Indexes;

namespace EmbeddingStore.Core.Collections;

/// <summary>
/// Many nearest-neighbour queries against one collection and one model version, answered in one pass: the engine
/// scores a block of queries per pass over the vectors, so a batch costs far less than the same queries one by one.
/// Each query reaches other stored versions through links and is merged exactly as a single search would be.
/// </summary>
/// <param name="Vectors">The query vectors, all of <paramref name="Version"/>; at most <see cref="EngineLimits.MaxBatchQueries"/>.</param>
/// <param name="Version">The queries' model version, <c>model@version</c>; null means the collection's serving version.</param>
/// <param name="K">Hits per query.</param>
/// <param name="Filter">Payload conditions applied to every query, or null.</param>
/// <param name="WithPayload">Whether hits carry payloads.</param>
/// <param name="WithVectors">Whether hits carry their stored vectors.</param>
/// <param name="Index">The index kind, as for <see cref="SearchQuery"/>; null uses the collection's default.</param>
/// <param name="Options">The index kind's per-query settings; null means every default.</param>
/// <param name="AllowPartial">Whether answers from part of the collection are acceptable, as for <see cref="SearchQuery.AllowPartial"/>.</param>
public sealed record BatchSearchQuery(
    IReadOnlyList<float[]> Vectors,
    string? Version,
    int K,
    PayloadFilter? Filter = null,
    bool WithPayload = true,
    bool WithVectors = false,
    IndexKind? Index = null,
    IndexOptions? Options = null,
    bool AllowPartial = false);
