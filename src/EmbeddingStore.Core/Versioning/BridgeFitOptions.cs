// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Core.Versioning;

/// <summary>
/// Settings for fitting and selecting bridges. Every default was chosen on the shared real data (two 384-d sentence
/// models, 5,000 pairs); every random choice derives from <see cref="Seed"/>, so a fit is reproducible.
/// </summary>
public sealed record BridgeFitOptions
{
    /// <summary>Shared defaults, so callers that pass null get the same fit everywhere.</summary>
    public static BridgeFitOptions Default { get; } = new();

    /// <summary>
    /// Default ridge grid, relative to the mean eigenvalue of the centred source covariance: a relative λ of 0.1 adds a
    /// tenth of the average variance to every direction, whatever the vectors' scale or the number of pairs.
    /// </summary>
    public static IReadOnlyList<double> DefaultRidgeLambdas { get; } = [0.003, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0];

    /// <summary>Default rank candidates for <see cref="BridgeKind.LowRankAffine"/> when <see cref="Rank"/> is 0.</summary>
    public static IReadOnlyList<int> DefaultRanks { get; } = [32, 64, 128, 192, 256];

    /// <summary>Default grid for the Fourier-feature penalty, relative to the mean eigenvalue of the feature covariance.</summary>
    public static IReadOnlyList<double> DefaultFourierLambdas { get; } = [0.03, 0.1, 0.3, 1.0];

    /// <summary>Seed for every random choice (validation split, holdout split, Fourier features, bandwidth sample).</summary>
    public int Seed { get; init; } = 1;

    /// <summary>
    /// Fraction of the pairs <see cref="BridgeSelector"/> holds out for the quality report. The bridge never sees them,
    /// so the report measures generalisation, which is what a cut-over decision needs.
    /// </summary>
    public double HoldoutFraction { get; init; } = 0.2;

    /// <summary>
    /// Fraction of the fitting pairs set aside inside <see cref="BridgeFitter.Fit"/> to choose λ, rank and feature
    /// penalties. Separate from the holdout so hyper-parameters are never tuned on the pairs that grade the bridge; after
    /// the choice the bridge is refitted on all fitting pairs.
    /// </summary>
    public double ValidationFraction { get; init; } = 0.2;

    /// <summary>
    /// Candidate ridge penalties (relative, see <see cref="DefaultRidgeLambdas"/>); null means the default grid. The one
    /// with the best mean cosine on the validation split wins. A single value skips the search; 0 is ordinary least squares.
    /// </summary>
    public double[]? RidgeLambdas { get; init; }

    /// <summary>
    /// Rank of a <see cref="BridgeKind.LowRankAffine"/> bridge; 0 chooses from the <see cref="DefaultRanks"/> below the smaller
    /// dimension (full rank when there are none, since that would just be the ridge map) on the
    /// validation split. Clamped to the smaller dimension.
    /// </summary>
    public int Rank { get; init; }

    /// <summary>
    /// Number of random Fourier features D. Quality rises slowly with D while apply cost and fit time rise linearly
    /// (fit roughly quadratically), so the default is a middle ground measured on the shared data.
    /// </summary>
    public int FourierFeatures { get; init; } = 1024;

    /// <summary>
    /// Gaussian kernel bandwidth σ for the Fourier features; null uses the median distance between random pairs of source
    /// vectors times <see cref="KernelBandwidthScale"/> (the median heuristic), which adapts to the space's scale.
    /// </summary>
    public double? KernelBandwidth { get; init; }

    /// <summary>Multiplier on the median-heuristic bandwidth; ignored when <see cref="KernelBandwidth"/> is set.</summary>
    public double KernelBandwidthScale { get; init; } = 1.0;

    /// <summary>Candidate penalties for the Fourier-feature part (relative); null means <see cref="DefaultFourierLambdas"/>.</summary>
    public double[]? FourierLambdas { get; init; }

    /// <summary>
    /// Whether mapped vectors are L2-normalised, which is right when the target version stores normalised vectors
    /// (cosine collections); otherwise the map keeps the magnitudes the regression predicts.
    /// </summary>
    public bool NormalizeOutput { get; init; }

    /// <summary>Throws when a setting is out of range, so a bad option fails before minutes of fitting.</summary>
    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(HoldoutFraction, 0.0, nameof(HoldoutFraction));
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(HoldoutFraction, 1.0, nameof(HoldoutFraction));
        ArgumentOutOfRangeException.ThrowIfLessThan(ValidationFraction, 0.0, nameof(ValidationFraction));
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(ValidationFraction, 1.0, nameof(ValidationFraction));
        ArgumentOutOfRangeException.ThrowIfNegative(Rank, nameof(Rank));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(FourierFeatures, nameof(FourierFeatures));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(FourierFeatures, RandomFourierBridge.MaxFeatures, nameof(FourierFeatures));
        if (KernelBandwidth is { } bandwidth && (!(bandwidth > 0) || !double.IsFinite(bandwidth)))
        {
            throw new ArgumentOutOfRangeException(nameof(KernelBandwidth), bandwidth, "The kernel bandwidth must be positive and finite.");
        }

        if (!(KernelBandwidthScale > 0) || !double.IsFinite(KernelBandwidthScale))
        {
            throw new ArgumentOutOfRangeException(nameof(KernelBandwidthScale), KernelBandwidthScale, "The bandwidth scale must be positive and finite.");
        }

        CheckGrid(RidgeLambdas, nameof(RidgeLambdas));
        CheckGrid(FourierLambdas, nameof(FourierLambdas));
    }

    private static void CheckGrid(double[]? grid, string name)
    {
        if (grid is null)
        {
            return;
        }

        if (grid.Length == 0)
        {
            throw new ArgumentException("A penalty grid needs at least one value.", name);
        }

        foreach (double value in grid)
        {
            if (!(value >= 0) || !double.IsFinite(value))
            {
                throw new ArgumentOutOfRangeException(name, value, "Penalties must be finite and non-negative.");
            }
        }
    }
}
