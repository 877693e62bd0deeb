// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Versioning.Internal;

namespace EmbeddingStore.Core.Versioning;

/// <summary>
/// A centred (scaled) orthogonal Procrustes map y = (x − μx)·s·W + μy with W orthogonal (semi-orthogonal when the
/// dimensions differ). Because W preserves angles, the bridge cannot distort the source space's neighbourhoods, which
/// makes it the safest fitted map and the only fitted one with an exact inverse.
/// </summary>
public sealed class OrthogonalBridge : VectorBridge
{
    private readonly BridgeKind _kind;
    private readonly int _sourceDimension;
    private readonly int _targetDimension;
    private readonly float[] _rotation;
    private readonly double _scale;
    private readonly float[] _sourceMean;
    private readonly float[] _targetMean;

    // Folded form used by Apply: y = x·(s·W) + (μy − μx·s·W).
    private readonly float[] _matrix;
    private readonly float[] _bias;

    internal OrthogonalBridge(
        BridgeKind kind, int sourceDimension, int targetDimension, float[] rotation, double scale, float[] sourceMean, float[] targetMean,
        bool normalizeOutput, int fitPairs)
        : base(normalizeOutput, fitPairs)
    {
        if (kind is not (BridgeKind.Procrustes or BridgeKind.ScaledProcrustes))
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "An orthogonal bridge is Procrustes or ScaledProcrustes.");
        }

        ArgumentOutOfRangeException.ThrowIfNotEqual(rotation.Length, sourceDimension * targetDimension, nameof(rotation));
        ArgumentOutOfRangeException.ThrowIfNotEqual(sourceMean.Length, sourceDimension, nameof(sourceMean));
        ArgumentOutOfRangeException.ThrowIfNotEqual(targetMean.Length, targetDimension, nameof(targetMean));
        if (!(scale > 0) || !double.IsFinite(scale))
        {
            throw new ArgumentOutOfRangeException(nameof(scale), scale, "The scale must be positive and finite.");
        }

        _kind = kind;
        _sourceDimension = sourceDimension;
        _targetDimension = targetDimension;
        _rotation = rotation;
        _scale = scale;
        _sourceMean = sourceMean;
        _targetMean = targetMean;
        (_matrix, _bias) = AffineFold.Fold(rotation, (float)scale, sourceMean, targetMean, sourceDimension, targetDimension);
    }

    /// <inheritdoc/>
    public override BridgeKind Kind => _kind;

    /// <inheritdoc/>
    public override int SourceDimension => _sourceDimension;

    /// <inheritdoc/>
    public override int TargetDimension => _targetDimension;

    /// <summary>
    /// The global scale s (1 for plain Procrustes). Exposed because a scale far from 1 says the two spaces differ in
    /// spread, which matters when raw scores of the two versions are compared.
    /// </summary>
    public double Scale => _scale;

    /// <summary>
    /// The orthogonal factor W (source × target, row-major), exposed so callers can audit that it is orthogonal and
    /// compare maps fitted at different times.
    /// </summary>
    public ReadOnlySpan<float> Rotation => _rotation;

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
            writer.WriteDouble(_scale);
            writer.WriteSingles(_sourceMean);
            writer.WriteSingles(_targetMean);
            writer.WriteSingles(_rotation);
        });
    }

    /// <summary>x = (y − μy)·Wᵀ/s + μx; exact only for square W, where WᵀW = W Wᵀ = I.</summary>
    private protected override VectorBridge? CreateInverse(bool normalizeOutput)
    {
        if (_sourceDimension != _targetDimension)
        {
            return null;
        }

        int d = _sourceDimension;
        var transposed = new float[d * d];
        for (int i = 0; i < d; i++)
        {
            for (int j = 0; j < d; j++)
            {
                transposed[(j * d) + i] = _rotation[(i * d) + j];
            }
        }

        return new OrthogonalBridge(_kind, d, d, transposed, 1.0 / _scale, _targetMean, _sourceMean, normalizeOutput, FitPairs);
    }

    private protected override void ApplyBatchCore(ReadOnlySpan<float> sources, int count, Span<float> destinations)
    {
        FloatKernels.MultiplyAdd(sources, count, _sourceDimension, _matrix, _targetDimension, _bias, destinations);
        FinishRows(destinations, count);
    }

    internal static OrthogonalBridge ReadPayload(ref BinaryCodecReader reader, BridgeKind kind, BridgeHeader header)
    {
        int ds = header.SourceDimension;
        int dt = header.TargetDimension;
        RequirePayloadLength(ref reader, 8 + (4L * (ds + dt + ((long)ds * dt))));
        double scale = reader.ReadFiniteDouble("The Procrustes scale");
        if (!(scale > 0) || (kind == BridgeKind.Procrustes && scale != 1))
        {
            BinaryCodecReader.Fail($"Invalid Procrustes scale {scale} for kind {kind}.");
        }

        float[] sourceMean = reader.ReadFiniteSingles(ds, "The source mean");
        float[] targetMean = reader.ReadFiniteSingles(dt, "The target mean");
        float[] rotation = reader.ReadFiniteSingles(ds * dt, "The rotation");
        return new OrthogonalBridge(kind, ds, dt, rotation, scale, sourceMean, targetMean, header.NormalizesOutput, header.FitPairs);
    }
}
