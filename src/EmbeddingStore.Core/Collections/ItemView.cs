// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Text.Json;

namespace EmbeddingStore.Core.Collections;

/// <summary>An item as read back. Vectors are copies, so callers may keep them after the item changes.</summary>
/// <param name="Id">The item's id.</param>
/// <param name="Payload">Its payload, or null.</param>
/// <param name="Vectors">Its vectors keyed <c>model@version</c>, when asked for; cosine vectors come back normalised.</param>
public sealed record ItemView(string Id, JsonElement? Payload, IReadOnlyDictionary<string, float[]>? Vectors);
