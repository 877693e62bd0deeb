// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Text.Json;

namespace EmbeddingStore.Core.Collections;

/// <summary>An item as read back. Vectors are copies, so callers may keep them after the item changes.</summary>
/// <param name="Id">The item's id.</param>
/// <param name="Payload">Its payload, or null.</param>
/// <param name="Vectors">Its vectors keyed <c>model@version</c>, when asked for; cosine vectors come back normalised.</param>
/// <param name="Lineage">
/// With the vectors: per version, <c>native</c> (produced by the model) or <c>derived:&lt;link id&gt;</c> (mapped from
/// another version's vector), so a derived vector can never be mistaken for the model's own output.
/// </param>
public sealed record ItemView(string Id, JsonElement? Payload, IReadOnlyDictionary<string, float[]>? Vectors, IReadOnlyDictionary<string, string>? Lineage = null);
