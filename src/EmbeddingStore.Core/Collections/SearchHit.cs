// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Text.Json;

namespace EmbeddingStore.Core.Collections;

/// <summary>
/// One result. It names the version of the vector that matched and the link(s) that made it comparable, because in a
/// collection holding several versions a score only means something together with the space it was computed in.
/// </summary>
/// <param name="Id">The item's id.</param>
/// <param name="Score">
/// Similarity, higher is closer, on the scale of the query's primary version: cosine, dot product, or the negated
/// Euclidean distance. Hits from other versions are calibrated onto that scale when the search merges versions.
/// </param>
/// <param name="Version">The matched vector's version, <c>model@version</c>.</param>
/// <param name="Payload">The payload, when asked for.</param>
/// <param name="Vector">The matched stored vector, when asked for.</param>
/// <param name="RawScore">The score in the matched version's own space, before the merge placed it on the primary version's scale.</param>
/// <param name="Via">The link that mapped the query into <paramref name="Version"/> (ids joined by ',' when composed); null for a native match.</param>
public sealed record SearchHit(string Id, float Score, string Version, JsonElement? Payload, float[]? Vector, float RawScore = 0, string? Via = null);
