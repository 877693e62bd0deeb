// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Numerics.Tensors;
using EmbeddingStore.Core.Versioning.Internal;

namespace EmbeddingStore.Core.Versioning;

public static partial class BridgeFitter
{
    // Random pairs used for the median-distance bandwidth heuristic; the median of 2,000 distances is stable to ~1%.
    private const int BandwidthSamplePairs = 2000;

    // Linear ridge first, then a ridge on random Fourier features fitted to what the linear map leaves unexplained, so the
    // non-linear part only has to model the curvature and its penalty can be chosen independently.
    private static RandomFourierBridge FitFourier(FitSample sample, BridgeFitOptions options)
    {
        int ds = sample.SourceDimension;
        int dt = sample.TargetDimension;
        int features = options.FourierFeatures;
        int n = sample.Count;
        double lambda = ChooseRidgeLambda(sample, options);

        var random = new Random(FitSample.DeriveSeed(options.Seed, 2));
        double bandwidth = options.KernelBandwidth ?? (MedianPairDistance(sample.Sources, n, ds, random) * options.KernelBandwidthScale);
        if (!(bandwidth > 0))
        {
            // All source vectors coincide; any bandwidth gives constant features, so pick 1 and let the ridge zero them.
            bandwidth = 1.0;
        }

        // ω ~ N(0, σ⁻² I) per column, phase ~ U[0, 2π): E[φ(x)·φ(x')] = exp(−‖x − x'‖² / 2σ²).
        var frequencies = new float[ds * features];
        for (int i = 0; i < frequencies.Length; i++)
        {
            frequencies[i] = (float)(SeededSampling.NextGaussian(random) / bandwidth);
        }

        var phases = new float[features];
        for (int i = 0; i < features; i++)
        {
            phases[i] = (float)(random.NextDouble() * 2 * Math.PI);
        }

        float featureScale = (float)Math.Sqrt(2.0 / features);
        float[] allFeatures = ComputeFeatures(sample.Sources, n, ds, frequencies, phases, features, featureScale);

        IReadOnlyList<double> grid = options.FourierLambdas ?? BridgeFitOptions.DefaultFourierLambdas;
        double featureLambda = grid.Count == 1 || !sample.HasValidation ? grid[grid.Count / 2] : double.NaN;
        double[]? trainGram = null;
        double[]? trainSum = null;
        if (double.IsNaN(featureLambda))
        {
            (featureLambda, trainGram, trainSum) = ChooseFeatureLambda(sample, allFeatures, features, lambda, grid);
        }

        // Refit both parts on every fitting pair.
        PairMoments all = sample.AllMoments;
        double[] linear = RidgeMath.Solve(all.CentredGram(), ds, all.CentredCross(), dt, lambda);
        (float[] linearMatrix, float[] linearBias) = RidgeMath.FoldToSingle(linear, all.MeanX(), all.MeanY(), ds, dt);
        double[] residuals = Residuals(sample.Sources, sample.Targets, n, ds, dt, linearMatrix, linearBias);
        double[] phi = Widen(allFeatures);

        double[]? allGram = null;
        double[]? allSum = null;
        if (trainGram is not null && trainSum is not null)
        {
            // ΦᵀΦ over all rows = training part (already computed) + validation part.
            double[] validationPhi = DenseMatrix.GatherRows(allFeatures, features, sample.ValidationRows);
            allGram = new double[features * features];
            DenseMatrix.MultiplyTransposeLeft(validationPhi, sample.ValidationRows.Length, features, validationPhi, features, allGram, symmetricUpper: true);
            TensorPrimitives.Add(allGram, trainGram, allGram);
            allSum = DenseMatrix.ColumnMeans(validationPhi, sample.ValidationRows.Length, features);
            TensorPrimitives.Multiply(allSum, sample.ValidationRows.Length, allSum);
            TensorPrimitives.Add(allSum, trainSum, allSum);
        }

        PairMoments featureMoments = PairMoments.Compute(phi, residuals, n, features, dt, allGram, allSum);
        double[] weights = RidgeMath.Solve(featureMoments.CentredGram(), features, featureMoments.CentredCross(), dt, featureLambda);
        (float[] weightMatrix, float[] featureBias) = RidgeMath.FoldToSingle(weights, featureMoments.MeanX(), featureMoments.MeanY(), features, dt);

        // Apply computes cos(xΩ + b) without the √(2/D) factor, so fold it into the weights; the biases add up.
        TensorPrimitives.Multiply(weightMatrix, featureScale, weightMatrix);
        TensorPrimitives.Add(linearBias, featureBias, linearBias);
        return new RandomFourierBridge(
            ds, dt, features, bandwidth, lambda, featureLambda, linearMatrix, linearBias, frequencies, phases, weightMatrix,
            options.NormalizeOutput, n);
    }

    private static (double Lambda, double[] TrainGram, double[] TrainSum) ChooseFeatureLambda(
        FitSample sample, float[] allFeatures, int features, double lambda, IReadOnlyList<double> grid)
    {
        int ds = sample.SourceDimension;
        int dt = sample.TargetDimension;
        int[] trainRows = sample.TrainRows;
        int[] validationRows = sample.ValidationRows;

        // Linear part fitted on the training rows only, so validation rows stay unseen by both parts.
        PairMoments train = sample.TrainMoments;
        double[] linear = RidgeMath.Solve(train.CentredGram(), ds, train.CentredCross(), dt, lambda);
        (float[] linearMatrix, float[] linearBias) = RidgeMath.FoldToSingle(linear, train.MeanX(), train.MeanY(), ds, dt);
        float[] xTrain = sample.GatherSources(trainRows);
        float[] yTrain = sample.GatherTargets(trainRows);
        double[] residuals = Residuals(xTrain, yTrain, trainRows.Length, ds, dt, linearMatrix, linearBias);
        double[] phiTrain = DenseMatrix.GatherRows(allFeatures, features, trainRows);
        PairMoments featureMoments = PairMoments.Compute(phiTrain, residuals, trainRows.Length, features, dt);
        double[] gram = featureMoments.CentredGram();
        double[] cross = featureMoments.CentredCross();

        float[] xValidation = sample.GatherSources(validationRows);
        float[] yValidation = sample.GatherTargets(validationRows);
        float[] phiValidation = FitSample.GatherFloat(allFeatures, features, validationRows);
        var linearPrediction = new float[validationRows.Length * dt];
        FloatKernels.MultiplyAdd(xValidation, validationRows.Length, ds, linearMatrix, dt, linearBias, linearPrediction);
        var prediction = new float[linearPrediction.Length];

        double bestLambda = grid[0];
        double bestScore = double.NegativeInfinity;
        foreach (double candidate in grid)
        {
            double[] weights = RidgeMath.Solve(gram, features, cross, dt, candidate);
            (float[] weightMatrix, float[] featureBias) = RidgeMath.FoldToSingle(weights, featureMoments.MeanX(), featureMoments.MeanY(), features, dt);
            linearPrediction.CopyTo(prediction, 0);
            for (int r = 0; r < validationRows.Length; r++)
            {
                Span<float> row = prediction.AsSpan(r * dt, dt);
                TensorPrimitives.Add(row, featureBias, row);
            }

            FloatKernels.MultiplyAdd(phiValidation, validationRows.Length, features, weightMatrix, dt, default, prediction, accumulate: true);
            double score = RidgeMath.MeanCosine(prediction, yValidation, validationRows.Length, dt);
            if (score > bestScore)
            {
                bestScore = score;
                bestLambda = candidate;
            }
        }

        // Hand back the uncentred training Gram and feature sums so the refit only adds the validation rows.
        return (bestLambda, featureMoments.Xtx, featureMoments.SumX);
    }

    /// <summary>√(2/D)·cos(x·Ω + b) for every row, in float with the same kernel Apply uses.</summary>
    private static float[] ComputeFeatures(float[] x, int count, int ds, float[] frequencies, float[] phases, int features, float scale)
    {
        var result = new float[count * features];
        FloatKernels.MultiplyAdd(x, count, ds, frequencies, features, phases, result);
        TensorPrimitives.Cos(result, result);
        TensorPrimitives.Multiply(result, scale, result);
        return result;
    }

    /// <summary>y − (x·M + c) in double, the part a linear map leaves for the Fourier features.</summary>
    private static double[] Residuals(float[] x, float[] y, int count, int ds, int dt, float[] matrix, float[] bias)
    {
        var predicted = new float[count * dt];
        FloatKernels.MultiplyAdd(x, count, ds, matrix, dt, bias, predicted);
        var residuals = new double[count * dt];
        for (int i = 0; i < residuals.Length; i++)
        {
            residuals[i] = (double)y[i] - predicted[i];
        }

        return residuals;
    }

    private static double[] Widen(float[] values)
    {
        var result = new double[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            result[i] = values[i];
        }

        return result;
    }

    /// <summary>Median Euclidean distance between seeded random pairs of distinct rows (the kernel bandwidth heuristic).</summary>
    internal static double MedianPairDistance(float[] x, int count, int dimension, Random random)
    {
        if (count < 2)
        {
            return 0;
        }

        int pairs = Math.Min(BandwidthSamplePairs, count * (count - 1) / 2);
        var distances = new double[pairs];
        for (int p = 0; p < pairs; p++)
        {
            int i = random.Next(count);
            int j = random.Next(count - 1);
            if (j >= i)
            {
                j++;
            }

            distances[p] = TensorPrimitives.Distance(x.AsSpan(i * dimension, dimension), x.AsSpan(j * dimension, dimension));
        }

        Array.Sort(distances);
        return distances[pairs / 2];
    }
}
