// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using Microsoft.Extensions.VectorData;

namespace EmbeddingStore.Client.Internal;

// Every distance function the connector accepts, the server metric behind it, and how the server's score (always
// higher = closer; l2 and l1 are the negated distance) becomes the caller's convention. All conversions live here.
internal static class DistanceMapping
{
    public static string Supported =>
        "CosineSimilarity, CosineDistance, DotProductSimilarity, NegativeDotProductSimilarity, EuclideanDistance, EuclideanSquaredDistance and ManhattanDistance";

    // Null when the function has no server metric (Hamming, anything unknown).
    public static (string Metric, ScoreKind Kind)? Resolve(string? distanceFunction) => distanceFunction switch
    {
        null or DistanceFunction.CosineSimilarity => ("cosine", ScoreKind.Similarity),
        DistanceFunction.CosineDistance => ("cosine", ScoreKind.CosineDistance),
        DistanceFunction.DotProductSimilarity => ("dot", ScoreKind.Similarity),
        DistanceFunction.NegativeDotProductSimilarity => ("dot", ScoreKind.Negated),
        DistanceFunction.EuclideanDistance => ("l2", ScoreKind.Negated),
        DistanceFunction.EuclideanSquaredDistance => ("l2", ScoreKind.SquaredNegated),
        DistanceFunction.ManhattanDistance => ("l1", ScoreKind.Negated),
        _ => null,
    };

    // The server's score in the caller's convention. Each transform is monotone, so the server's order is kept.
    public static double ToCaller(ScoreKind kind, double serverScore) => kind switch
    {
        ScoreKind.Similarity => serverScore,
        ScoreKind.CosineDistance => 1 - serverScore,
        ScoreKind.Negated => -serverScore,
        ScoreKind.SquaredNegated => serverScore * serverScore,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    // Whether lower means closer in the caller's convention, which makes ScoreThreshold a maximum instead of a minimum.
    public static bool IsDistance(ScoreKind kind) => kind != ScoreKind.Similarity;

    internal enum ScoreKind
    {
        Similarity,
        CosineDistance,
        Negated,
        SquaredNegated,
    }
}
