// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Versioning;

namespace EmbeddingStore.Core.Persistence;

/// <summary>
/// A harmonic link as the repository stores it. The bridge and its report are opaque to storage (a versioned binary
/// blob and JSON text), so new bridge kinds need no schema change.
/// </summary>
/// <param name="Id">The link's id.</param>
/// <param name="From">The version whose vectors the link maps.</param>
/// <param name="To">The version whose space they are mapped into.</param>
/// <param name="Kind">The bridge kind's wire name (<c>identity</c>, <c>procrustes</c>, <c>ridge</c>, ...).</param>
/// <param name="Bridge">The serialised bridge from <paramref name="From"/> to <paramref name="To"/>.</param>
/// <param name="ReverseBridge">The serialised bridge for the other direction, when the kind allows one.</param>
/// <param name="QualityJson">The quality report measured on held-out pairs, or null for a declared identity.</param>
/// <param name="FitJson">How the link was fitted (source, seed, holdout), or null.</param>
/// <param name="CreatedAt">When the link was created.</param>
public sealed record StoredLink(
    string Id, ModelVersionId From, ModelVersionId To, string Kind, byte[] Bridge, byte[]? ReverseBridge, string? QualityJson, string? FitJson, DateTimeOffset CreatedAt);
