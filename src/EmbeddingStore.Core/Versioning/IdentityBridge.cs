// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Core.Versioning;

/// <summary>
/// The declared-harmonic link: vectors pass through unchanged (optionally normalised). It exists as a bridge, rather
/// than as a special case in search, so declared and fitted links are stored, evaluated and inverted the same way.
/// </summary>
public sealed class IdentityBridge : VectorBridge
{
    private readonly int _dimension;

    /// <summary>Creates the identity link for a space of <paramref name="dimension"/> components.</summary>
    /// <param name="dimension">Dimension shared by both versions; an identity between different dimensions does not exist.</param>
    /// <param name="normalizeOutput">Whether the target version stores normalised vectors, so outputs are normalised too.</param>
    public IdentityBridge(int dimension, bool normalizeOutput = false)
        : base(normalizeOutput, fitPairs: 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(dimension, MaxDimension);
        _dimension = dimension;
    }

    /// <inheritdoc/>
    public override BridgeKind Kind => BridgeKind.Identity;

    /// <inheritdoc/>
    public override int SourceDimension => _dimension;

    /// <inheritdoc/>
    public override int TargetDimension => _dimension;

    /// <inheritdoc/>
    public override void Apply(ReadOnlySpan<float> source, Span<float> destination)
    {
        ValidateApply(source, destination);
        source.CopyTo(destination);
        FinishRows(destination, 1);
    }

    /// <inheritdoc/>
    public override byte[] Serialize() => SerializeWithPayload(0, static (ref Internal.BinaryCodecWriter _) => { });

    /// <inheritdoc/>
    private protected override VectorBridge? CreateInverse(bool normalizeOutput) => new IdentityBridge(_dimension, normalizeOutput);

    private protected override void ApplyBatchCore(ReadOnlySpan<float> sources, int count, Span<float> destinations)
    {
        sources.CopyTo(destinations);
        FinishRows(destinations, count);
    }

    internal static IdentityBridge ReadPayload(ref Internal.BinaryCodecReader reader, BridgeHeader header)
    {
        RequirePayloadLength(ref reader, 0);
        if (header.SourceDimension != header.TargetDimension)
        {
            Internal.BinaryCodecReader.Fail(
                $"An identity bridge needs equal dimensions but the header says {header.SourceDimension} and {header.TargetDimension}.");
        }

        return new IdentityBridge(header.SourceDimension, header.NormalizesOutput);
    }
}
