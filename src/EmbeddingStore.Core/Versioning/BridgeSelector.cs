// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Vectors;
using EmbeddingStore.Core.Versioning.Internal;

namespace EmbeddingStore.Core.Versioning;

/// <summary>
/// "Auto" bridge fitting: holds out a seeded share of the pairs, fits every candidate kind on the rest, measures each on
/// the holdout and keeps the best. Which family wins depends on the model pair (independently trained models need an
/// affine or non-linear map; a fine-tuned successor is often a near-rotation), so it is measured, not assumed.
/// </summary>
public static class BridgeSelector
{
    /// <summary>Every kind in the order they are tried (cheapest first, so ties favour the simpler map).</summary>
    public static IReadOnlyList<BridgeKind> AllKinds { get; } =
    [
        BridgeKind.Identity, BridgeKind.Procrustes, BridgeKind.ScaledProcrustes, BridgeKind.Ridge, BridgeKind.LowRankAffine,
        BridgeKind.RandomFourierRidge,
    ];

    /// <summary>
    /// Fits and evaluates the candidate kinds and returns the one with the best holdout recall@10 (ties: higher mean
    /// cosine, then the earlier, simpler kind). Identity is skipped when the dimensions differ.
    /// </summary>
    /// <param name="sources">n row-major source vectors.</param>
    /// <param name="sourceDimension">Dimension of the source version.</param>
    /// <param name="targets">n row-major target vectors of the same items.</param>
    /// <param name="targetDimension">Dimension of the target version.</param>
    /// <param name="options">Fitting options; <see cref="BridgeFitOptions.HoldoutFraction"/> sets the holdout share.</param>
    /// <param name="kinds">Kinds to try; null tries <see cref="AllKinds"/>.</param>
    /// <param name="metric">The target version's metric, used for the holdout neighbour lists.</param>
    /// <exception cref="ArgumentException">The pairs do not line up, or there are too few for both a fit and a holdout.</exception>
    public static BridgeSelection Select(
        ReadOnlySpan<float> sources, int sourceDimension, ReadOnlySpan<float> targets, int targetDimension,
        BridgeFitOptions? options = null, IReadOnlyList<BridgeKind>? kinds = null, DistanceMetric metric = DistanceMetric.CosineSimilarity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sourceDimension);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(targetDimension);
        int count = BridgeFitter.CountRows(sources, sourceDimension, targets, targetDimension);
        options ??= BridgeFitOptions.Default;
        options.Validate();
        kinds ??= AllKinds;
        if (kinds.Count == 0)
        {
            throw new ArgumentException("At least one candidate kind is needed.", nameof(kinds));
        }

        (int[] fitRows, int[] holdoutRows) = SeededSampling.Split(count, options.HoldoutFraction, new Random(FitSample.DeriveSeed(options.Seed, 3)));
        if (fitRows.Length < BridgeFitter.MinimumPairs || holdoutRows.Length < 2)
        {
            throw new ArgumentException(
                $"{count} pairs split into {fitRows.Length} for fitting and {holdoutRows.Length} held out; need at least {BridgeFitter.MinimumPairs} and 2.",
                nameof(sources));
        }

        float[] sourceArray = sources.ToArray();
        float[] targetArray = targets.ToArray();
        float[] fitSources = FitSample.GatherFloat(sourceArray, sourceDimension, fitRows);
        float[] fitTargets = FitSample.GatherFloat(targetArray, targetDimension, fitRows);
        float[] holdoutSources = FitSample.GatherFloat(sourceArray, sourceDimension, holdoutRows);
        float[] holdoutTargets = FitSample.GatherFloat(targetArray, targetDimension, holdoutRows);

        var candidates = new List<BridgeCandidate>();
        BridgeCandidate? best = null;
        foreach (BridgeKind kind in kinds.Distinct())
        {
            if (kind == BridgeKind.Identity && sourceDimension != targetDimension)
            {
                continue;
            }

            VectorBridge bridge = BridgeFitter.Fit(kind, fitSources, sourceDimension, fitTargets, targetDimension, options);
            BridgeQualityReport report = BridgeEvaluator.Evaluate(
                bridge, holdoutSources, holdoutTargets, holdoutRows.Length, metric);
            var candidate = new BridgeCandidate(kind, bridge, report);
            candidates.Add(candidate);
            if (best is null || IsBetter(report, best.Report))
            {
                best = candidate;
            }
        }

        if (best is null)
        {
            throw new ArgumentException("None of the candidate kinds supports these dimensions.", nameof(kinds));
        }

        return new BridgeSelection(best.Bridge, best.Report, candidates);
    }

    private static bool IsBetter(BridgeQualityReport candidate, BridgeQualityReport incumbent)
    {
        if (candidate.RecallAt10 != incumbent.RecallAt10)
        {
            return candidate.RecallAt10 > incumbent.RecallAt10;
        }

        return candidate.MeanCosine > incumbent.MeanCosine;
    }
}
