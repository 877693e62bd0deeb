// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Numerics.Tensors;

namespace EmbeddingStore.Core.Versioning.Internal;

/// <summary>
/// Uncentred second moments of a paired sample (Σx, Σy, XᵀX, XᵀY). Kept uncentred so the moments of the training and
/// validation parts simply add up to those of all fitting pairs, and the refit after choosing λ costs no second pass.
/// </summary>
internal sealed class PairMoments
{
    private PairMoments(int count, int sourceDimension, int targetDimension, double[] sumX, double[] sumY, double[] xtx, double[] xty)
    {
        Count = count;
        SourceDimension = sourceDimension;
        TargetDimension = targetDimension;
        SumX = sumX;
        SumY = sumY;
        Xtx = xtx;
        Xty = xty;
    }

    public int Count { get; }

    public int SourceDimension { get; }

    public int TargetDimension { get; }

    public double[] SumX { get; }

    public double[] SumY { get; }

    public double[] Xtx { get; }

    public double[] Xty { get; }

    /// <summary>
    /// Moments of the rows of x and y. A caller that already has XᵀX and Σx for the same x (the Fourier refit, whose
    /// features do not change while its residual targets do) passes them to skip the most expensive product.
    /// </summary>
    public static PairMoments Compute(
        double[] x, double[] y, int count, int sourceDimension, int targetDimension, double[]? knownXtx = null, double[]? knownSumX = null)
    {
        var sumX = knownSumX ?? new double[sourceDimension];
        var sumY = new double[targetDimension];
        for (int r = 0; r < count; r++)
        {
            if (knownSumX is null)
            {
                TensorPrimitives.Add(sumX, x.AsSpan(r * sourceDimension, sourceDimension), sumX);
            }

            TensorPrimitives.Add(sumY, y.AsSpan(r * targetDimension, targetDimension), sumY);
        }

        double[]? xtx = knownXtx;
        if (xtx is null)
        {
            xtx = new double[sourceDimension * sourceDimension];
            DenseMatrix.MultiplyTransposeLeft(x, count, sourceDimension, x, sourceDimension, xtx, symmetricUpper: true);
        }

        var xty = new double[sourceDimension * targetDimension];
        DenseMatrix.MultiplyTransposeLeft(x, count, sourceDimension, y, targetDimension, xty);
        return new PairMoments(count, sourceDimension, targetDimension, sumX, sumY, xtx, xty);
    }

    public static PairMoments Combine(PairMoments a, PairMoments b)
    {
        var sumX = new double[a.SumX.Length];
        var sumY = new double[a.SumY.Length];
        var xtx = new double[a.Xtx.Length];
        var xty = new double[a.Xty.Length];
        TensorPrimitives.Add(a.SumX, b.SumX, sumX);
        TensorPrimitives.Add(a.SumY, b.SumY, sumY);
        TensorPrimitives.Add(a.Xtx, b.Xtx, xtx);
        TensorPrimitives.Add(a.Xty, b.Xty, xty);
        return new PairMoments(a.Count + b.Count, a.SourceDimension, a.TargetDimension, sumX, sumY, xtx, xty);
    }

    public double[] MeanX() => Scaled(SumX, 1.0 / Count);

    public double[] MeanY() => Scaled(SumY, 1.0 / Count);

    /// <summary>Centred Gram matrix XcᵀXc = XᵀX − Σx Σxᵀ / n.</summary>
    public double[] CentredGram()
    {
        int d = SourceDimension;
        var g = (double[])Xtx.Clone();
        for (int i = 0; i < d; i++)
        {
            TensorPrimitives.MultiplyAdd(SumX, -SumX[i] / Count, g.AsSpan(i * d, d), g.AsSpan(i * d, d));
        }

        return g;
    }

    /// <summary>Centred cross moments XcᵀYc = XᵀY − Σx Σyᵀ / n.</summary>
    public double[] CentredCross()
    {
        int d = SourceDimension;
        int m = TargetDimension;
        var c = (double[])Xty.Clone();
        for (int i = 0; i < d; i++)
        {
            TensorPrimitives.MultiplyAdd(SumY, -SumX[i] / Count, c.AsSpan(i * m, m), c.AsSpan(i * m, m));
        }

        return c;
    }

    private static double[] Scaled(double[] values, double factor)
    {
        var result = new double[values.Length];
        TensorPrimitives.Multiply(values, factor, result);
        return result;
    }
}

/// <summary>Ridge normal equations and the float-side validation helpers the fitter scores candidates with.</summary>
internal static class RidgeMath
{
    /// <summary>
    /// Solves (G + λ·(tr G / d)·I) A = C by Cholesky. When the system is numerically singular (λ = 0 on rank-deficient
    /// data) a growing jitter is added, so least squares degrades to the minimum-penalty ridge solution instead of failing.
    /// </summary>
    public static double[] Solve(ReadOnlySpan<double> gram, int d, ReadOnlySpan<double> cross, int m, double relativeLambda)
    {
        double trace = 0;
        for (int i = 0; i < d; i++)
        {
            trace += gram[(i * d) + i];
        }

        double unit = trace > 0 ? trace / d : 1.0;
        double penalty = relativeLambda * unit;
        var factor = new double[d * d];
        for (int attempt = 0; attempt < 12; attempt++)
        {
            gram[..(d * d)].CopyTo(factor);
            for (int i = 0; i < d; i++)
            {
                factor[(i * d) + i] += penalty;
            }

            if (Cholesky.TryFactor(factor, d))
            {
                var solution = new double[d * m];
                cross[..(d * m)].CopyTo(solution);
                Cholesky.Solve(factor, d, solution, m);
                return solution;
            }

            penalty = Math.Max(penalty * 10, unit * 1e-12);
        }

        throw new ArithmeticException("The ridge system stayed singular after regularisation; the input contains non-finite values.");
    }

    /// <summary>Mean cosine between predicted rows (x·A + bias) and the true rows, computed in float for speed.</summary>
    public static double ValidationCosine(
        float[] x, int count, int sourceDimension, float[] matrix, float[] bias, float[] truth, int targetDimension, float[]? scratch = null)
    {
        float[] predicted = scratch ?? new float[count * targetDimension];
        FloatKernels.MultiplyAdd(x, count, sourceDimension, matrix, targetDimension, bias, predicted);
        return MeanCosine(predicted, truth, count, targetDimension);
    }

    public static double MeanCosine(ReadOnlySpan<float> predicted, ReadOnlySpan<float> truth, int count, int dimension)
    {
        if (count == 0)
        {
            return 0;
        }

        double sum = 0;
        for (int r = 0; r < count; r++)
        {
            float cosine = TensorPrimitives.CosineSimilarity(predicted.Slice(r * dimension, dimension), truth.Slice(r * dimension, dimension));
            sum += float.IsFinite(cosine) ? cosine : 0;
        }

        return sum / count;
    }

    /// <summary>Folds a double affine map (A, μx, μy) into the float (matrix, bias) form used for prediction.</summary>
    public static (float[] Matrix, float[] Bias) FoldToSingle(double[] coefficients, double[] meanX, double[] meanY, int sourceDimension, int targetDimension)
    {
        var shift = new double[targetDimension];
        for (int i = 0; i < sourceDimension; i++)
        {
            TensorPrimitives.MultiplyAdd(coefficients.AsSpan(i * targetDimension, targetDimension), meanX[i], shift, shift);
        }

        var bias = new float[targetDimension];
        for (int j = 0; j < targetDimension; j++)
        {
            bias[j] = (float)(meanY[j] - shift[j]);
        }

        return (DenseMatrix.ToSingle(coefficients), bias);
    }
}
