// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Core.Persistence;

/// <summary>An item as the repository stores it: the payload as JSON text, exactly as validated.</summary>
/// <param name="Id">The item's id.</param>
/// <param name="PayloadJson">The payload object as JSON text, or null.</param>
/// <param name="Vectors">Its vectors, one per version.</param>
public sealed record StoredItem(string Id, string? PayloadJson, IReadOnlyList<StoredVector> Vectors);
