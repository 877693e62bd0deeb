// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Filters;
using EmbeddingStore.Core.Indexes;

namespace EmbeddingStore.Core.Collections;

/// <summary>
/// A nearest-neighbour query. The query says which model version produced its vector, because a vector alone cannot
/// tell whether it is comparable with what is stored. A client in the middle of an upgrade may send the query in several
/// versions at once (<see cref="Vectors"/>); each stored version is then searched with its own native query.
/// </summary>
/// <param name="Vector">The query vector, produced by <see cref="Version"/>; null when <see cref="Vectors"/> is given.</param>
/// <param name="Version">The query's model version, <c>model@version</c>; null means the collection's serving version.</param>
/// <param name="K">How many hits to return.</param>
/// <param name="Filter">Payload conditions, or null.</param>
/// <param name="WithPayload">Whether hits carry payloads.</param>
/// <param name="WithVectors">Whether hits carry their stored vectors.</param>
/// <param name="Vectors">The query in several versions, keyed <c>model@version</c>; exclusive with <see cref="Vector"/>.</param>
/// <param name="Bridging">Whether stored versions the query does not carry may be reached through links.</param>
/// <param name="SearchVersions">Restricts the search to these stored versions; null searches every reachable one.</param>
/// <param name="Index">The index kind that serves the search; null uses the collection's default index (exact unless set).</param>
/// <param name="Options">The index kind's per-query settings (oversampling, …); null means every default.</param>
/// <param name="AllowPartial">
/// Whether an answer from part of the collection is acceptable: when the versions the query reaches hold only some of
/// the items (an upgrade under way, no link yet), the search is refused unless this is set or the caller narrowed the
/// search on purpose (<see cref="SearchVersions"/>, or <see cref="BridgingMode.None"/>). The result's coverage says how
/// much was searched either way.
/// </param>
public sealed record SearchQuery(
    float[]? Vector,
    string? Version,
    int K,
    PayloadFilter? Filter = null,
    bool WithPayload = true,
    bool WithVectors = false,
    IReadOnlyDictionary<string, float[]>? Vectors = null,
    BridgingMode Bridging = BridgingMode.Auto,
    IReadOnlyList<string>? SearchVersions = null,
    IndexKind? Index = null,
    IndexOptions? Options = null,
    bool AllowPartial = false);
