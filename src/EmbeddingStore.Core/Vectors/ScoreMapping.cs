// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Diagnostics.CodeAnalysis;

namespace EmbeddingStore.Core.Vectors;

/// <summary>
/// The one place where metric names, score conventions and sort directions are decided, so that the wire
/// format, storage and the engine can never disagree about what a score means.
/// </summary>
public static class ScoreMapping
{
    /// <summary>
    /// Every metric's wire name, in enum order: what help texts, error messages and the API document list, so that a new
    /// metric reaches all of them from this one table.
    /// </summary>
    public static IReadOnlyList<string> WireNames { get; } = [.. Enum.GetValues<DistanceMetric>().Select(ToWireName)];

    /// <summary>The wire and storage name of a metric; kept short and stable because it is persisted.</summary>
    public static string ToWireName(DistanceMetric metric) => metric switch
    {
        DistanceMetric.CosineSimilarity => "cosine",
        DistanceMetric.DotProduct => "dot",
        DistanceMetric.Euclidean => "l2",
        DistanceMetric.Manhattan => "l1",
        _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, "Unknown metric."),
    };

    /// <summary>
    /// Parses a wire name. Returns false for anything else rather than guessing, because a wrong metric
    /// would be persisted with the model version and is immutable once vectors use it.
    /// </summary>
    public static bool TryParseWireName(string? name, out DistanceMetric metric)
    {
        switch (name)
        {
            case "cosine":
                metric = DistanceMetric.CosineSimilarity;
                return true;
            case "dot":
                metric = DistanceMetric.DotProduct;
                return true;
            case "l2":
                metric = DistanceMetric.Euclidean;
                return true;
            case "l1":
                metric = DistanceMetric.Manhattan;
                return true;
            default:
                metric = default;
                return false;
        }
    }

    /// <summary>
    /// Turns the raw kernel output into the public score (higher is closer).
    /// </summary>
    /// <remarks>
    /// For cosine and dot the kernel already returns a similarity. For Euclidean the scan works on the squared
    /// distance (no square root per candidate) and only the final hits are converted to <c>-sqrt(d²)</c>, the
    /// negated Euclidean distance. For Manhattan the kernel already returns the negated L1 distance.
    /// </remarks>
    public static float ToPublicScore(DistanceMetric metric, float rawScore) => metric switch
    {
        DistanceMetric.Euclidean => -MathF.Sqrt(MathF.Max(0, -rawScore)),
        _ => ClampToRange(metric, rawScore),
    };

    /// <summary>
    /// Keeps a public score inside its metric's range: cosine in [-1, 1], the negated Euclidean or Manhattan distance at most 0, dot
    /// unbounded. Float rounding (a unit vector normalised twice, a dot product of unit vectors) can land a hair outside,
    /// and callers compare scores with thresholds such as "≥ 1 means identical", so the range is a promise, not a hope.
    /// </summary>
    public static float ClampToRange(DistanceMetric metric, float score) => metric switch
    {
        DistanceMetric.CosineSimilarity => Math.Clamp(score, -1f, 1f),
        DistanceMetric.Euclidean or DistanceMetric.Manhattan => MathF.Min(score, 0f),
        _ => score,
    };

    /// <summary>Compares two hits for ranking: higher score first, then the ordinal id, so equal scores rank the same way every time.</summary>
    public static int CompareHits(float scoreA, string idA, float scoreB, string idB)
    {
        int byScore = scoreB.CompareTo(scoreA);
        return byScore != 0 ? byScore : string.CompareOrdinal(idA, idB);
    }

    [DoesNotReturn]
    internal static void ThrowUnknownMetric(DistanceMetric metric) =>
        throw new ArgumentOutOfRangeException(nameof(metric), metric, "Unknown metric.");
}
