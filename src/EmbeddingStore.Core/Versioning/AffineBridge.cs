// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Versioning.Internal;

namespace EmbeddingStore.Core.Versioning;

/// <summary>
/// A ridge-regularised affine map y = (x − μx)·A + μy. Unlike Procrustes it may stretch and shear, which is what two
/// independently trained models usually need; the ridge penalty keeps it from fitting noise in the pairs.
/// </summary>
public sealed class AffineBridge : VectorBridge
{
    private readonly int _sourceDimension;
    private readonly int _targetDimension;
    private readonly float[] _coefficients;
    private readonly float[] _sourceMean;
    private readonly float[] _targetMean;
    private readonly double _lambda;
    private readonly float[] _matrix;
    private readonly float[] _bias;

    internal AffineBridge(
        int sourceDimension, int targetDimension, float[] coefficients, float[] sourceMean, float[] targetMean, double lambda,
        bool normalizeOutput, int fitPairs)
        : base(normalizeOutput, fitPairs)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(coefficients.Length, sourceDimension * targetDimension, nameof(coefficients));
        ArgumentOutOfRangeException.ThrowIfNotEqual(sourceMean.Length, sourceDimension, nameof(sourceMean));
        ArgumentOutOfRangeException.ThrowIfNotEqual(targetMean.Length, targetDimension, nameof(targetMean));
        ArgumentOutOfRangeException.ThrowIfNegative(lambda);
        _sourceDimension = sourceDimension;
        _targetDimension = targetDimension;
        _coefficients = coefficients;
        _sourceMean = sourceMean;
        _targetMean = targetMean;
        _lambda = lambda;
        (_matrix, _bias) = AffineFold.Fold(coefficients, 1f, sourceMean, targetMean, sourceDimension, targetDimension);
    }

    /// <inheritdoc/>
    public override BridgeKind Kind => BridgeKind.Ridge;

    /// <inheritdoc/>
    public override int SourceDimension => _sourceDimension;

    /// <inheritdoc/>
    public override int TargetDimension => _targetDimension;

    /// <summary>
    /// The ridge penalty that was chosen, relative to the mean eigenvalue of the centred source covariance (see
    /// <see cref="BridgeFitOptions.RidgeLambdas"/>). Kept so a refit can start from it and a report can explain it.
    /// </summary>
    public double Lambda => _lambda;

    /// <inheritdoc/>
    public override void Apply(ReadOnlySpan<float> source, Span<float> destination)
    {
        ValidateApply(source, destination);
        FloatKernels.MultiplyAdd(source, 1, _sourceDimension, _matrix, _targetDimension, _bias, destination);
        FinishRows(destination, 1);
    }

    /// <inheritdoc/>
    public override byte[] Serialize()
    {
        long payload = 8 + (4L * (_sourceDimension + _targetDimension + ((long)_sourceDimension * _targetDimension)));
        return SerializeWithPayload(payload, (ref BinaryCodecWriter writer) =>
        {
            writer.WriteDouble(_lambda);
            writer.WriteSingles(_sourceMean);
            writer.WriteSingles(_targetMean);
            writer.WriteSingles(_coefficients);
        });
    }

    private protected override void ApplyBatchCore(ReadOnlySpan<float> sources, int count, Span<float> destinations)
    {
        FloatKernels.MultiplyAdd(sources, count, _sourceDimension, _matrix, _targetDimension, _bias, destinations);
        FinishRows(destinations, count);
    }

    internal static AffineBridge ReadPayload(ref BinaryCodecReader reader, BridgeHeader header)
    {
        int ds = header.SourceDimension;
        int dt = header.TargetDimension;
        RequirePayloadLength(ref reader, 8 + (4L * (ds + dt + ((long)ds * dt))));
        double lambda = reader.ReadFiniteDouble("The ridge penalty");
        if (lambda < 0)
        {
            BinaryCodecReader.Fail($"Negative ridge penalty {lambda}.");
        }

        float[] sourceMean = reader.ReadFiniteSingles(ds, "The source mean");
        float[] targetMean = reader.ReadFiniteSingles(dt, "The target mean");
        float[] coefficients = reader.ReadFiniteSingles(ds * dt, "The coefficient matrix");
        return new AffineBridge(ds, dt, coefficients, sourceMean, targetMean, lambda, header.NormalizesOutput, header.FitPairs);
    }
}
