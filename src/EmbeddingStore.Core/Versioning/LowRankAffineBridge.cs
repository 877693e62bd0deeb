// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Versioning.Internal;

namespace EmbeddingStore.Core.Versioning;

/// <summary>
/// A reduced-rank affine map y = (x − μx)·B·C + μy with B (source × r) and C (r × target): the ridge map projected onto
/// the top r principal directions of its fitted values. Worth it when the target space is effectively low-rank: it
/// costs r·(source + target) per apply instead of source·target and has fewer parameters to overfit.
/// </summary>
public sealed class LowRankAffineBridge : VectorBridge
{
    // Above this rank Apply rents its intermediate from the array pool instead of the stack.
    private const int StackRankLimit = 1024;

    private readonly int _sourceDimension;
    private readonly int _targetDimension;
    private readonly int _rank;
    private readonly double _lambda;
    private readonly float[] _down;
    private readonly float[] _up;
    private readonly float[] _sourceMean;
    private readonly float[] _targetMean;
    private readonly float[] _downBias;

    internal LowRankAffineBridge(
        int sourceDimension, int targetDimension, int rank, float[] down, float[] up, float[] sourceMean, float[] targetMean, double lambda,
        bool normalizeOutput, int fitPairs)
        : base(normalizeOutput, fitPairs)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rank);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(rank, Math.Min(sourceDimension, targetDimension));
        ArgumentOutOfRangeException.ThrowIfNotEqual(down.Length, sourceDimension * rank, nameof(down));
        ArgumentOutOfRangeException.ThrowIfNotEqual(up.Length, rank * targetDimension, nameof(up));
        ArgumentOutOfRangeException.ThrowIfNotEqual(sourceMean.Length, sourceDimension, nameof(sourceMean));
        ArgumentOutOfRangeException.ThrowIfNotEqual(targetMean.Length, targetDimension, nameof(targetMean));
        ArgumentOutOfRangeException.ThrowIfNegative(lambda);
        _sourceDimension = sourceDimension;
        _targetDimension = targetDimension;
        _rank = rank;
        _lambda = lambda;
        _down = down;
        _up = up;
        _sourceMean = sourceMean;
        _targetMean = targetMean;

        // h = x·B − μx·B, so Apply never subtracts the mean per call.
        var meanDown = new float[rank];
        FloatKernels.MultiplyAdd(sourceMean, 1, sourceDimension, down, rank, default, meanDown);
        _downBias = new float[rank];
        for (int i = 0; i < rank; i++)
        {
            _downBias[i] = -meanDown[i];
        }
    }

    /// <inheritdoc/>
    public override BridgeKind Kind => BridgeKind.LowRankAffine;

    /// <inheritdoc/>
    public override int SourceDimension => _sourceDimension;

    /// <inheritdoc/>
    public override int TargetDimension => _targetDimension;

    /// <summary>The rank r of the map, the width of the bottleneck every mapped vector passes through.</summary>
    public int Rank => _rank;

    /// <summary>The relative ridge penalty of the full-rank map that was truncated (see <see cref="BridgeFitOptions.RidgeLambdas"/>).</summary>
    public double Lambda => _lambda;

    /// <inheritdoc/>
    public override void Apply(ReadOnlySpan<float> source, Span<float> destination)
    {
        ValidateApply(source, destination);
        if (_rank <= StackRankLimit)
        {
            Span<float> hidden = stackalloc float[_rank];
            ApplyCore(source, hidden, destination);
        }
        else
        {
            float[] rented = System.Buffers.ArrayPool<float>.Shared.Rent(_rank);
            try
            {
                ApplyCore(source, rented.AsSpan(0, _rank), destination);
            }
            finally
            {
                System.Buffers.ArrayPool<float>.Shared.Return(rented);
            }
        }
    }

    /// <inheritdoc/>
    public override byte[] Serialize()
    {
        long payload = 4 + 8 + (4L * (_sourceDimension + _targetDimension + ((long)_sourceDimension * _rank) + ((long)_rank * _targetDimension)));
        return SerializeWithPayload(payload, (ref BinaryCodecWriter writer) =>
        {
            writer.WriteInt32(_rank);
            writer.WriteDouble(_lambda);
            writer.WriteSingles(_sourceMean);
            writer.WriteSingles(_targetMean);
            writer.WriteSingles(_down);
            writer.WriteSingles(_up);
        });
    }

    private void ApplyCore(ReadOnlySpan<float> source, Span<float> hidden, Span<float> destination)
    {
        // Down to the rank-r bottleneck, then up into the target space.
        FloatKernels.MultiplyAdd(source, 1, _sourceDimension, _down, _rank, _downBias, hidden);
        FloatKernels.MultiplyAdd(hidden, 1, _rank, _up, _targetDimension, _targetMean, destination);
        FinishRows(destination, 1);
    }

    internal static LowRankAffineBridge ReadPayload(ref BinaryCodecReader reader, BridgeHeader header)
    {
        int ds = header.SourceDimension;
        int dt = header.TargetDimension;
        int rank = reader.ReadInt32();
        if (rank <= 0 || rank > Math.Min(ds, dt))
        {
            BinaryCodecReader.Fail($"Rank {rank} is outside 1..{Math.Min(ds, dt)} for dimensions {ds} and {dt}.");
        }

        RequirePayloadLength(ref reader, 8 + (4L * (ds + dt + ((long)ds * rank) + ((long)rank * dt))));
        double lambda = reader.ReadFiniteDouble("The ridge penalty");
        if (lambda < 0)
        {
            BinaryCodecReader.Fail($"Negative ridge penalty {lambda}.");
        }

        float[] sourceMean = reader.ReadFiniteSingles(ds, "The source mean");
        float[] targetMean = reader.ReadFiniteSingles(dt, "The target mean");
        float[] down = reader.ReadFiniteSingles(ds * rank, "The down-projection");
        float[] up = reader.ReadFiniteSingles(rank * dt, "The up-projection");
        return new LowRankAffineBridge(ds, dt, rank, down, up, sourceMean, targetMean, lambda, header.NormalizesOutput, header.FitPairs);
    }
}
