// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Versioning.Internal;

namespace EmbeddingStore.Core.Versioning;

/// <summary>
/// Fits bridges from paired embeddings: row i of the sources and row i of the targets are the same item embedded by the
/// two model versions. All arithmetic is in double and every random choice is seeded, so the same inputs and options
/// give the same bridge.
/// </summary>
/// <remarks>
/// Hyper-parameters (ridge λ, rank, Fourier penalty) are chosen on a seeded validation split of the pairs handed in
/// (<see cref="BridgeFitOptions.ValidationFraction"/>), then the bridge is refitted on all of them. Callers that want a
/// quality report hold their own pairs out before calling (as <see cref="BridgeSelector"/> does).
/// </remarks>
public static partial class BridgeFitter
{
    /// <summary>The fewest pairs a bridge is fitted from: below two there is no spread to centre or regress on.</summary>
    public const int MinimumPairs = 2;

    /// <summary>
    /// Fits one bridge of the given kind.
    /// </summary>
    /// <param name="kind">The family to fit; <see cref="BridgeKind.Identity"/> returns the declared identity (dimensions must match).</param>
    /// <param name="sources">n row-major source vectors of <paramref name="sourceDimension"/> components.</param>
    /// <param name="sourceDimension">Dimension of the source version.</param>
    /// <param name="targets">n row-major target vectors of <paramref name="targetDimension"/> components, in the same item order.</param>
    /// <param name="targetDimension">Dimension of the target version.</param>
    /// <param name="options">Fitting options; null uses <see cref="BridgeFitOptions.Default"/>.</param>
    /// <exception cref="ArgumentException">Row counts differ, a span is not a whole number of rows, or the kind does not support the
    /// dimensions (identity between different dimensions).</exception>
    public static VectorBridge Fit(
        BridgeKind kind, ReadOnlySpan<float> sources, int sourceDimension, ReadOnlySpan<float> targets, int targetDimension,
        BridgeFitOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sourceDimension);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(targetDimension);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(sourceDimension, VectorBridge.MaxDimension);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(targetDimension, VectorBridge.MaxDimension);
        int count = CountRows(sources, sourceDimension, targets, targetDimension);
        options ??= BridgeFitOptions.Default;
        options.Validate();

        if (kind == BridgeKind.Identity)
        {
            if (sourceDimension != targetDimension)
            {
                throw new ArgumentException(
                    $"An identity bridge needs equal dimensions but the source has {sourceDimension} and the target {targetDimension}.",
                    nameof(kind));
            }

            return new IdentityBridge(sourceDimension, options.NormalizeOutput);
        }

        if (count < MinimumPairs)
        {
            throw new ArgumentException($"Fitting needs at least {MinimumPairs} pairs but {count} were given.", nameof(sources));
        }

        var sample = new FitSample(sources, sourceDimension, targets, targetDimension, count, options);
        return kind switch
        {
            BridgeKind.Procrustes or BridgeKind.ScaledProcrustes => FitProcrustes(kind, sample, options),
            BridgeKind.Ridge => FitRidge(sample, options),
            BridgeKind.LowRankAffine => FitLowRank(sample, options),
            BridgeKind.RandomFourierRidge => FitFourier(sample, options),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown bridge kind."),
        };
    }

    /// <summary>Validates the paired spans and returns the row count; messages name both lengths.</summary>
    internal static int CountRows(ReadOnlySpan<float> sources, int sourceDimension, ReadOnlySpan<float> targets, int targetDimension)
    {
        if (sources.Length % sourceDimension != 0)
        {
            throw new ArgumentException(
                $"The sources hold {sources.Length} values, not a whole number of rows of dimension {sourceDimension}.", nameof(sources));
        }

        if (targets.Length % targetDimension != 0)
        {
            throw new ArgumentException(
                $"The targets hold {targets.Length} values, not a whole number of rows of dimension {targetDimension}.", nameof(targets));
        }

        int count = sources.Length / sourceDimension;
        int targetCount = targets.Length / targetDimension;
        if (count != targetCount)
        {
            throw new ArgumentException(
                $"The sources hold {count} rows but the targets hold {targetCount}; every source row needs its target row.", nameof(targets));
        }

        return count;
    }

    // Centred orthogonal Procrustes: W = U Vᵀ from the SVD of XcᵀYc; the optional scale is tr(Σ)/‖Xc‖².
    private static OrthogonalBridge FitProcrustes(BridgeKind kind, FitSample sample, BridgeFitOptions options)
    {
        int ds = sample.SourceDimension;
        int dt = sample.TargetDimension;
        PairMoments moments = sample.AllMoments;
        (double[] w, double traceSigma) = ThinSvd.PolarFactor(moments.CentredCross(), ds, dt);
        double scale = 1.0;
        if (kind == BridgeKind.ScaledProcrustes)
        {
            double[] gram = moments.CentredGram();
            double sourceSpread = 0;
            for (int i = 0; i < ds; i++)
            {
                sourceSpread += gram[(i * ds) + i];
            }

            // A degenerate (constant) source keeps scale 1 rather than dividing by zero.
            scale = sourceSpread > 0 && traceSigma > 0 ? traceSigma / sourceSpread : 1.0;
        }

        return new OrthogonalBridge(
            kind, ds, dt, DenseMatrix.ToSingle(w), scale, DenseMatrix.ToSingle(moments.MeanX()), DenseMatrix.ToSingle(moments.MeanY()),
            options.NormalizeOutput, sample.Count);
    }

    private static AffineBridge FitRidge(FitSample sample, BridgeFitOptions options)
    {
        double lambda = ChooseRidgeLambda(sample, options);
        PairMoments all = sample.AllMoments;
        double[] coefficients = RidgeMath.Solve(all.CentredGram(), sample.SourceDimension, all.CentredCross(), sample.TargetDimension, lambda);
        return new AffineBridge(
            sample.SourceDimension, sample.TargetDimension, DenseMatrix.ToSingle(coefficients), DenseMatrix.ToSingle(all.MeanX()),
            DenseMatrix.ToSingle(all.MeanY()), lambda, options.NormalizeOutput, sample.Count);
    }

    // Reduced-rank ridge regression: the ridge solution A projected onto the top r eigenvectors of ŶᵀŶ = Aᵀ G A.
    private static LowRankAffineBridge FitLowRank(FitSample sample, BridgeFitOptions options)
    {
        int ds = sample.SourceDimension;
        int dt = sample.TargetDimension;
        int maxRank = Math.Min(ds, dt);
        double lambda = ChooseRidgeLambda(sample, options);
        int[] candidates = options.Rank > 0
            ? [Math.Min(options.Rank, maxRank)]
            : [.. BridgeFitOptions.DefaultRanks.Where(r => r < maxRank)];
        if (candidates.Length == 0)
        {
            // Smaller than every default rank: the only candidate is full rank (the ridge map itself).
            candidates = [maxRank];
        }


        int rank = candidates[^1];
        if (candidates.Length > 1 && sample.HasValidation)
        {
            PairMoments train = sample.TrainMoments;
            double[] gram = train.CentredGram();
            double[] coefficients = RidgeMath.Solve(gram, ds, train.CentredCross(), dt, lambda);
            double[] directions = FittedValueDirections(gram, coefficients, ds, dt);
            float[] xValidation = sample.GatherSources(sample.ValidationRows);
            float[] yValidation = sample.GatherTargets(sample.ValidationRows);
            var scratch = new float[sample.ValidationRows.Length * dt];
            double best = double.NegativeInfinity;
            foreach (int candidate in candidates)
            {
                double[] truncated = Truncate(coefficients, directions, ds, dt, candidate);
                (float[] matrix, float[] bias) = RidgeMath.FoldToSingle(truncated, train.MeanX(), train.MeanY(), ds, dt);
                double score = RidgeMath.ValidationCosine(xValidation, sample.ValidationRows.Length, ds, matrix, bias, yValidation, dt, scratch);
                if (score > best)
                {
                    best = score;
                    rank = candidate;
                }
            }
        }

        PairMoments all = sample.AllMoments;
        double[] allGram = all.CentredGram();
        double[] allCoefficients = RidgeMath.Solve(allGram, ds, all.CentredCross(), dt, lambda);
        double[] allDirections = FittedValueDirections(allGram, allCoefficients, ds, dt);

        // B = A·V_rᵀ (ds × r), C = V_r (r × dt).
        var down = new double[ds * rank];
        DenseMatrix.MultiplyTransposeRight(allCoefficients, ds, dt, allDirections, rank, down);
        return new LowRankAffineBridge(
            ds, dt, rank, DenseMatrix.ToSingle(down), DenseMatrix.ToSingle(allDirections.AsSpan(0, rank * dt)),
            DenseMatrix.ToSingle(all.MeanX()), DenseMatrix.ToSingle(all.MeanY()), lambda, options.NormalizeOutput, sample.Count);
    }

    /// <summary>Eigenvectors (rows, by decreasing eigenvalue) of the fitted-value scatter Aᵀ G A.</summary>
    private static double[] FittedValueDirections(double[] gram, double[] coefficients, int ds, int dt)
    {
        var gramTimesA = new double[ds * dt];
        DenseMatrix.Multiply(gram, ds, ds, coefficients, dt, gramTimesA);
        var scatter = new double[dt * dt];
        DenseMatrix.MultiplyTransposeLeft(coefficients, ds, dt, gramTimesA, dt, scatter);
        return SymmetricEigen.Decompose(scatter, dt).Vectors;
    }

    /// <summary>A·V_rᵀ·V_r: the map restricted to the top r fitted-value directions.</summary>
    private static double[] Truncate(double[] coefficients, double[] directions, int ds, int dt, int rank)
    {
        var down = new double[ds * rank];
        DenseMatrix.MultiplyTransposeRight(coefficients, ds, dt, directions, rank, down);
        var truncated = new double[ds * dt];
        DenseMatrix.Multiply(down, ds, rank, directions, dt, truncated);
        return truncated;
    }

    /// <summary>
    /// Picks the relative ridge penalty with the best mean cosine on the validation split. Mean cosine rather than
    /// recall because it is smooth in λ and cheap; on the shared data both pick the same grid point.
    /// </summary>
    private static double ChooseRidgeLambda(FitSample sample, BridgeFitOptions options)
    {
        IReadOnlyList<double> grid = options.RidgeLambdas ?? BridgeFitOptions.DefaultRidgeLambdas;
        if (grid.Count == 1)
        {
            return grid[0];
        }

        if (!sample.HasValidation)
        {
            // Too few pairs to compare candidates: take the middle of the grid rather than its extremes.
            return grid[grid.Count / 2];
        }

        int ds = sample.SourceDimension;
        int dt = sample.TargetDimension;
        PairMoments train = sample.TrainMoments;
        double[] gram = train.CentredGram();
        double[] cross = train.CentredCross();
        double[] meanX = train.MeanX();
        double[] meanY = train.MeanY();
        float[] xValidation = sample.GatherSources(sample.ValidationRows);
        float[] yValidation = sample.GatherTargets(sample.ValidationRows);
        var scratch = new float[sample.ValidationRows.Length * dt];
        double bestLambda = grid[0];
        double bestScore = double.NegativeInfinity;
        foreach (double lambda in grid)
        {
            double[] coefficients = RidgeMath.Solve(gram, ds, cross, dt, lambda);
            (float[] matrix, float[] bias) = RidgeMath.FoldToSingle(coefficients, meanX, meanY, ds, dt);
            double score = RidgeMath.ValidationCosine(xValidation, sample.ValidationRows.Length, ds, matrix, bias, yValidation, dt, scratch);
            if (score > bestScore)
            {
                bestScore = score;
                bestLambda = lambda;
            }
        }

        return bestLambda;
    }
}
