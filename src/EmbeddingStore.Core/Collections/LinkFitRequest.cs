// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Core.Collections;

/// <summary>
/// Asks the engine to fit a bridge between two versions. Training pairs come from a collection's items that hold
/// vectors in both versions and/or from pairs uploaded with the request; a fraction is always held out for the report.
/// </summary>
/// <param name="From">The version whose vectors the link maps, <c>model@version</c>.</param>
/// <param name="To">The version they are mapped into.</param>
/// <param name="Kind">A bridge kind's wire name, or <c>auto</c> to fit every candidate and keep the best on held-out pairs.</param>
/// <param name="Collection">Collection whose items supply pairs, or null.</param>
/// <param name="FromVectors">Uploaded pairs: vectors in <paramref name="From"/>, row i paired with row i of <paramref name="ToVectors"/>.</param>
/// <param name="ToVectors">Uploaded pairs: vectors in <paramref name="To"/>.</param>
/// <param name="Holdout">Fraction of pairs held out for the quality report (0.05–0.5).</param>
/// <param name="Seed">Seed for the split and any randomised fitting step; the same inputs and seed give the same link.</param>
public sealed record LinkFitRequest(
    string From,
    string To,
    string Kind,
    string? Collection = null,
    IReadOnlyList<float[]>? FromVectors = null,
    IReadOnlyList<float[]>? ToVectors = null,
    double Holdout = 0.2,
    int Seed = 1)
{
    /// <summary>The smallest held-out fraction: below it the quality report rests on too few pairs to mean much.</summary>
    public const double MinHoldout = 0.05;

    /// <summary>The largest held-out fraction: above it the bridge is fitted on fewer pairs than it is judged on.</summary>
    public const double MaxHoldout = 0.5;
}
