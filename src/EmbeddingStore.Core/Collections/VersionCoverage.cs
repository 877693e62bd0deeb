// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Core.Collections;

/// <summary>One searched version's part of a <see cref="SearchCoverage"/>, so a caller can see which version served how much.</summary>
/// <param name="Version">The searched version, <c>model@version</c>.</param>
/// <param name="Vectors">The vectors the collection holds in it (all of them were candidates, before any filter).</param>
/// <param name="Via">The link(s) that mapped the query into it, joined by ','; null when searched natively.</param>
public sealed record VersionCoverage(string Version, long Vectors, string? Via);
