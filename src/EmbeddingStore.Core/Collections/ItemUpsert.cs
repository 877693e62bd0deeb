// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Text.Json;

namespace EmbeddingStore.Core.Collections;

/// <summary>
/// One item of an upsert batch. An upsert replaces the whole item (payload and every vector), so a stored item is
/// always exactly what one request said, never a mix of two writers' halves.
/// </summary>
/// <param name="Id">The item's id, unique within its collection.</param>
/// <param name="Payload">A JSON object, or null for none.</param>
/// <param name="Vectors">One vector per model version, keyed <c>model@version</c>; at least one.</param>
public sealed record ItemUpsert(string Id, JsonElement? Payload, IReadOnlyDictionary<string, float[]> Vectors);
