// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

// The per-segment collector of a search: items ranked by score, ties by ordinal id.
global using TopKCollector = EmbeddingStore.Core.Search.TopK<EmbeddingStore.Core.Collections.ItemEntry, EmbeddingStore.Core.Search.ByItemId>;
