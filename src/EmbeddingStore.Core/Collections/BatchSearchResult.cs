// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Core.Collections;

/// <summary>One result per query of a <see cref="BatchSearchQuery"/>, in query order.</summary>
/// <param name="Results">Each query's hits, exactly what <c>Search</c> returns for that query alone.</param>
public sealed record BatchSearchResult(IReadOnlyList<SearchResult> Results);
