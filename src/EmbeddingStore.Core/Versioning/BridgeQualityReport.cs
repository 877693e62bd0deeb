// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Vectors;

namespace EmbeddingStore.Core.Versioning;

/// <summary>
/// The measured quality of a bridge on pairs it was not fitted on. A fitted link is only trusted with one of these:
/// cut-over and migrations are gated on <see cref="RecallAt10"/>. (A global score calibration used to be stored here; the
/// merge learns the scale per query instead, which the shared data showed a global map cannot do. See
/// <see cref="Search.MixedVersionMerger"/>.) See <see cref="BridgeEvaluator.Evaluate"/> for the exact definitions.
/// </summary>
public sealed record BridgeQualityReport
{
    /// <summary>Kind of the evaluated bridge, so a list of reports reads on its own.</summary>
    public required BridgeKind Kind { get; init; }

    /// <summary>Pairs the bridge was fitted on (its <see cref="VectorBridge.FitPairs"/>); more pairs make the numbers more trustworthy.</summary>
    public required int FitPairs { get; init; }

    /// <summary>Held-out pairs the report was measured on; recall resolution is limited by this count.</summary>
    public required int HoldoutPairs { get; init; }

    /// <summary>The metric the neighbour lists were ranked by.</summary>
    public required DistanceMetric Metric { get; init; }

    /// <summary>Fraction of the native nearest neighbour recovered by the bridged search, averaged over holdout items.</summary>
    public required double RecallAt1 { get; init; }

    /// <summary>Overlap of bridged and native top-10 lists, averaged over holdout items: the number cut-over is gated on.</summary>
    public required double RecallAt10 { get; init; }

    /// <summary>Overlap of bridged and native top-100 lists (top-(n−1) when fewer holdout items exist).</summary>
    public required double RecallAt100 { get; init; }

    /// <summary>
    /// Recall@10 when raw source vectors are searched against target vectors with no map at all; null when the
    /// dimensions differ. The floor that says whether fitting a bridge was necessary.
    /// </summary>
    public double? NoMapRecallAt10 { get; init; }

    /// <summary>Mean cosine between each mapped source vector and its true target vector: fidelity, independent of neighbours.</summary>
    public required double MeanCosine { get; init; }

    /// <summary>Mean cosine between raw source and target vectors (no map); null when the dimensions differ.</summary>
    public double? IdentityMeanCosine { get; init; }
}
