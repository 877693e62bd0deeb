// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Core.Collections;

/// <summary>
/// One page of a scroll in id order. The cursor names the last id returned, not an offset, so pages stay stable
/// while other clients insert or delete: nothing is skipped or repeated that existed for the whole scroll.
/// </summary>
/// <param name="Items">Items in ordinal id order.</param>
/// <param name="NextCursor">Opaque cursor for the next page, or null when this was the last.</param>
public sealed record ScrollPage(IReadOnlyList<ItemView> Items, string? NextCursor);
