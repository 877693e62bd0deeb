// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Core.Vectors;

/// <summary>
/// How a model version's vectors are compared. Fixed per model version, because a model is trained for one
/// notion of similarity and comparing its vectors by another silently degrades results.
/// </summary>
/// <remarks>
/// Every metric is turned into a score where higher means closer (see <see cref="ScoreMapping"/>), so ranking,
/// top-k selection and merging never need to know which metric produced a score.
/// </remarks>
public enum DistanceMetric
{
    /// <summary>Cosine similarity; vectors are normalised once on insert and scored with a dot product.</summary>
    CosineSimilarity,

    /// <summary>Inner product, for models whose magnitude carries meaning (or that are already normalised).</summary>
    DotProduct,

    /// <summary>Euclidean distance; the score is its negation so that higher stays closer.</summary>
    Euclidean,

    /// <summary>
    /// Manhattan (L1) distance, the sum of absolute differences; the score is its negation so that higher stays closer.
    /// For models or features (counts, histograms) whose differences add per dimension rather than in quadrature.
    /// </summary>
    Manhattan,
}
