// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Core.Versioning;

/// <summary>
/// A directed relation that makes vectors of <see cref="From"/> comparable with vectors of <see cref="To"/>: declared
/// (the identity, for models trained to be compatible) or fitted, in which case it carries the quality report measured
/// on held-out pairs. Without a link the store refuses to compare two versions.
/// </summary>
/// <param name="Id">Stable id, referenced by search hits (<c>via</c>).</param>
/// <param name="From">The version whose vectors <see cref="Bridge"/> maps.</param>
/// <param name="To">The version whose space they are mapped into.</param>
/// <param name="Bridge">The map from <see cref="From"/> to <see cref="To"/>.</param>
/// <param name="Reverse">The map from <see cref="To"/> to <see cref="From"/>, when the kind allows one (exact inverse or a second fit).</param>
/// <param name="Quality">The held-out report of <see cref="Bridge"/>; null for a declared identity.</param>
/// <param name="ReverseQuality">The held-out report of <see cref="Reverse"/>, when it was fitted.</param>
/// <param name="Fit">How the link was fitted; null for a declared identity.</param>
/// <param name="CreatedAt">When the link was created.</param>
public sealed record HarmonicLink(
    string Id,
    ModelVersionId From,
    ModelVersionId To,
    VectorBridge Bridge,
    VectorBridge? Reverse,
    BridgeQualityReport? Quality,
    BridgeQualityReport? ReverseQuality,
    LinkFit? Fit,
    DateTimeOffset CreatedAt)
{
    /// <summary>The bridge's kind.</summary>
    public BridgeKind Kind => Bridge.Kind;
}
