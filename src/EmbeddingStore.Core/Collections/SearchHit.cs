// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Text.Json;

namespace EmbeddingStore.Core.Collections;

/// <summary>
/// One result. It names the version of the vector that matched, because in a collection holding several versions a
/// score only means something together with the space it was computed in.
/// </summary>
/// <param name="Id">The item's id.</param>
/// <param name="Score">Similarity, higher is closer: cosine, dot product, or the negated Euclidean distance.</param>
/// <param name="Version">The matched vector's version, <c>model@version</c>.</param>
/// <param name="Payload">The payload, when asked for.</param>
/// <param name="Vector">The matched stored vector, when asked for.</param>
public sealed record SearchHit(string Id, float Score, string Version, JsonElement? Payload, float[]? Vector);
