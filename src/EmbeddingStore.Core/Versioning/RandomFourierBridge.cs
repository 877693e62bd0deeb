// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Buffers;
using System.Numerics.Tensors;
using EmbeddingStore.Core.Versioning.Internal;

namespace EmbeddingStore.Core.Versioning;

/// <summary>
/// y = x·A + c + cos(x·Ω + b)·V: a linear map plus a correction on D random Fourier features, which approximates
/// Gaussian-kernel ridge regression (Rahimi and Recht, 2007) at a fixed cost per vector. It exists for model pairs whose
/// relation is curved, where every linear bridge leaves structured residuals.
/// </summary>
/// <remarks>
/// The apply cost is about D·(source + target) multiply-adds on top of the linear part and the parameters are a few
/// megabytes, so it is the slowest bridge to apply; the quality report says whether the extra cost buys recall.
/// </remarks>
public sealed class RandomFourierBridge : VectorBridge
{
    /// <summary>The largest feature count accepted when reading, so a corrupt header cannot request a huge allocation.</summary>
    public const int MaxFeatures = 65_536;

    // Up to 16 KiB of features live on the stack; beyond, Apply rents from the shared pool (no per-call GC allocation).
    private const int StackFeatureLimit = 4096;

    private readonly int _sourceDimension;
    private readonly int _targetDimension;
    private readonly int _features;
    private readonly double _bandwidth;
    private readonly double _lambda;
    private readonly double _featureLambda;
    private readonly float[] _linear;
    private readonly float[] _bias;
    private readonly float[] _frequencies;
    private readonly float[] _phases;
    private readonly float[] _featureWeights;

    internal RandomFourierBridge(
        int sourceDimension, int targetDimension, int features, double bandwidth, double lambda, double featureLambda,
        float[] linear, float[] bias, float[] frequencies, float[] phases, float[] featureWeights, bool normalizeOutput, int fitPairs)
        : base(normalizeOutput, fitPairs)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(features);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(features, MaxFeatures);
        ArgumentOutOfRangeException.ThrowIfNotEqual(linear.Length, sourceDimension * targetDimension, nameof(linear));
        ArgumentOutOfRangeException.ThrowIfNotEqual(bias.Length, targetDimension, nameof(bias));
        ArgumentOutOfRangeException.ThrowIfNotEqual(frequencies.Length, sourceDimension * features, nameof(frequencies));
        ArgumentOutOfRangeException.ThrowIfNotEqual(phases.Length, features, nameof(phases));
        ArgumentOutOfRangeException.ThrowIfNotEqual(featureWeights.Length, features * targetDimension, nameof(featureWeights));
        _sourceDimension = sourceDimension;
        _targetDimension = targetDimension;
        _features = features;
        _bandwidth = bandwidth;
        _lambda = lambda;
        _featureLambda = featureLambda;
        _linear = linear;
        _bias = bias;
        _frequencies = frequencies;
        _phases = phases;
        _featureWeights = featureWeights;
    }

    /// <inheritdoc/>
    public override BridgeKind Kind => BridgeKind.RandomFourierRidge;

    /// <inheritdoc/>
    public override int SourceDimension => _sourceDimension;

    /// <inheritdoc/>
    public override int TargetDimension => _targetDimension;

    /// <summary>Number of random Fourier features D; apply cost and parameter size grow linearly with it.</summary>
    public int Features => _features;

    /// <summary>Gaussian kernel bandwidth σ the frequencies were drawn for (ω ~ N(0, σ⁻² I)); kept to explain and reproduce the fit.</summary>
    public double Bandwidth => _bandwidth;

    /// <summary>Relative ridge penalty of the linear part.</summary>
    public double Lambda => _lambda;

    /// <summary>Relative ridge penalty of the Fourier-feature part.</summary>
    public double FeatureLambda => _featureLambda;

    /// <inheritdoc/>
    public override void Apply(ReadOnlySpan<float> source, Span<float> destination)
    {
        ValidateApply(source, destination);
        if (_features <= StackFeatureLimit)
        {
            Span<float> features = stackalloc float[_features];
            ApplyCore(source, features, destination);
        }
        else
        {
            float[] rented = ArrayPool<float>.Shared.Rent(_features);
            try
            {
                ApplyCore(source, rented.AsSpan(0, _features), destination);
            }
            finally
            {
                ArrayPool<float>.Shared.Return(rented);
            }
        }
    }

    /// <inheritdoc/>
    public override byte[] Serialize()
    {
        long payload = PayloadBytes(_sourceDimension, _targetDimension, _features);
        return SerializeWithPayload(payload, (ref BinaryCodecWriter writer) =>
        {
            writer.WriteInt32(_features);
            writer.WriteDouble(_bandwidth);
            writer.WriteDouble(_lambda);
            writer.WriteDouble(_featureLambda);
            writer.WriteSingles(_linear);
            writer.WriteSingles(_bias);
            writer.WriteSingles(_frequencies);
            writer.WriteSingles(_phases);
            writer.WriteSingles(_featureWeights);
        });
    }

    private void ApplyCore(ReadOnlySpan<float> source, Span<float> features, Span<float> destination)
    {
        // Linear part.
        FloatKernels.MultiplyAdd(source, 1, _sourceDimension, _linear, _targetDimension, _bias, destination);

        // Features cos(x·Ω + b); the √(2/D) factor is folded into the feature weights.
        FloatKernels.MultiplyAdd(source, 1, _sourceDimension, _frequencies, _features, _phases, features);
        TensorPrimitives.Cos(features, features);

        // Non-linear correction, accumulated onto the linear part.
        FloatKernels.MultiplyAdd(features, 1, _features, _featureWeights, _targetDimension, default, destination, accumulate: true);
        FinishRows(destination, 1);
    }

    private static long PayloadBytes(int ds, int dt, int features) =>
        4 + (3 * 8) + (4L * (((long)ds * dt) + dt + ((long)ds * features) + features + ((long)features * dt)));

    internal static RandomFourierBridge ReadPayload(ref BinaryCodecReader reader, BridgeHeader header)
    {
        int ds = header.SourceDimension;
        int dt = header.TargetDimension;
        int features = reader.ReadInt32();
        if (features <= 0 || features > MaxFeatures)
        {
            BinaryCodecReader.Fail($"Feature count {features} is outside 1..{MaxFeatures}.");
        }

        RequirePayloadLength(ref reader, PayloadBytes(ds, dt, features) - 4);
        double bandwidth = reader.ReadFiniteDouble("The kernel bandwidth");
        double lambda = reader.ReadFiniteDouble("The ridge penalty");
        double featureLambda = reader.ReadFiniteDouble("The feature ridge penalty");
        if (!(bandwidth > 0) || lambda < 0 || featureLambda < 0)
        {
            BinaryCodecReader.Fail($"Invalid Fourier bridge hyper-parameters (bandwidth {bandwidth}, penalties {lambda} and {featureLambda}).");
        }

        float[] linear = reader.ReadFiniteSingles(ds * dt, "The linear part");
        float[] bias = reader.ReadFiniteSingles(dt, "The bias");
        float[] frequencies = reader.ReadFiniteSingles(ds * features, "The frequencies");
        float[] phases = reader.ReadFiniteSingles(features, "The phases");
        float[] weights = reader.ReadFiniteSingles(features * dt, "The feature weights");
        return new RandomFourierBridge(
            ds, dt, features, bandwidth, lambda, featureLambda, linear, bias, frequencies, phases, weights, header.NormalizesOutput, header.FitPairs);
    }
}
