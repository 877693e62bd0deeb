// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

// The engine's per-segment collector, under the name the engine uses for it.
global using TopKCollector = EmbeddingStore.Core.Search.TopK<EmbeddingStore.Core.Collections.ItemEntry, EmbeddingStore.Core.Search.ByItemId>;
