// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Diagnostics.CodeAnalysis;
using System.Numerics.Tensors;

namespace EmbeddingStore.Core.Versioning;

/// <summary>
/// A fitted map from one model version's embedding space (the source) into another's (the target), so that vectors
/// of the two versions can be searched together without re-embedding the corpus.
/// </summary>
/// <remarks>
/// <para>
/// Bridges are immutable once fitted: <see cref="Apply"/> reads only fields set at construction, so any number of
/// threads may call it concurrently on one instance. Apply allocates nothing on the managed heap, because it runs
/// once per query (query-side adapter) or once per stored vector (forward migration).
/// </para>
/// <para>
/// The set of kinds is closed (the constructor is not visible outside this assembly) because
/// <see cref="Deserialize"/> must be able to reconstruct every bridge it is handed.
/// </para>
/// <para>
/// NaN or infinite components in a source vector propagate to the output; zero vectors map to the bridge's offset
/// (and stay zero under output normalisation, which never divides by zero).
/// </para>
/// </remarks>
public abstract partial class VectorBridge
{
    private protected VectorBridge(bool normalizesOutput, int fitPairs)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fitPairs);
        NormalizesOutput = normalizesOutput;
        FitPairs = fitPairs;
    }

    /// <summary>The family of the map; persisted so that a deserialised bridge is reconstructed as the same kind.</summary>
    public abstract BridgeKind Kind { get; }

    /// <summary>Length of the vectors this bridge accepts; a mismatch is a caller error, never silently padded.</summary>
    public abstract int SourceDimension { get; }

    /// <summary>Length of the vectors this bridge produces, the target version's dimension.</summary>
    public abstract int TargetDimension { get; }

    /// <summary>
    /// Whether mapped vectors are L2-normalised. Set when the target version stores normalised vectors, so that mapped
    /// vectors score on the same scale as native ones under dot product and Euclidean metrics.
    /// </summary>
    public bool NormalizesOutput { get; }

    /// <summary>
    /// How many (source, target) pairs the bridge was fitted on (0 when it was not fitted), kept with the bridge as part of
    /// its lineage so a quality report can be read against the amount of evidence behind it.
    /// </summary>
    public int FitPairs { get; }

    /// <summary>
    /// Maps one source vector into the target space. Allocation-free and thread-safe so it can sit on the query path.
    /// </summary>
    /// <exception cref="ArgumentException">The source is not <see cref="SourceDimension"/> long or the destination is not
    /// <see cref="TargetDimension"/> long.</exception>
    public abstract void Apply(ReadOnlySpan<float> source, Span<float> destination);

    /// <summary>
    /// Maps <paramref name="count"/> row-major source vectors at once. Exists because a forward migration maps whole
    /// segments, where several bridges can share loads of their parameters across rows.
    /// </summary>
    /// <exception cref="ArgumentException">The spans are not exactly <paramref name="count"/> rows of the bridge's dimensions.</exception>
    public void ApplyBatch(ReadOnlySpan<float> sources, int count, Span<float> destinations)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (sources.Length != (long)count * SourceDimension)
        {
            throw new ArgumentException(
                $"{count} source rows of dimension {SourceDimension} need {(long)count * SourceDimension} values but {sources.Length} were given.",
                nameof(sources));
        }

        if (destinations.Length != (long)count * TargetDimension)
        {
            throw new ArgumentException(
                $"{count} target rows of dimension {TargetDimension} need {(long)count * TargetDimension} values but {destinations.Length} were given.",
                nameof(destinations));
        }

        ApplyBatchCore(sources, count, destinations);
    }

    /// <summary>
    /// Encodes the bridge in a versioned little-endian binary format (magic, format version, kind, dimensions, parameters,
    /// CRC-32), so a fitted map can be stored next to the versions it links and verified when it is loaded back.
    /// </summary>
    public abstract byte[] Serialize();

    /// <summary>
    /// Returns the exact inverse map when one exists (identity and square orthogonal maps), so a migration can be rolled
    /// back without refitting. Fitted regressions are not invertible in general and return false.
    /// </summary>
    /// <remarks>The inverse normalises its output when this bridge does, on the assumption that both versions store
    /// normalised vectors; use the overload to choose.</remarks>
    public bool TryInvert([NotNullWhen(true)] out VectorBridge? inverse) => TryInvert(NormalizesOutput, out inverse);

    /// <summary>
    /// Returns the exact inverse map when one exists. <paramref name="normalizeOutput"/> says whether the source version
    /// (the inverse's target) stores normalised vectors, which the forward bridge cannot know.
    /// </summary>
    public bool TryInvert(bool normalizeOutput, [NotNullWhen(true)] out VectorBridge? inverse)
    {
        inverse = CreateInverse(normalizeOutput);
        return inverse is not null;
    }

    /// <summary>The inverse map, or null when the kind has none.</summary>
    private protected virtual VectorBridge? CreateInverse(bool normalizeOutput) => null;

    /// <summary>Row-by-row fallback; kinds with a shared parameter matrix override it with a blocked product.</summary>
    private protected virtual void ApplyBatchCore(ReadOnlySpan<float> sources, int count, Span<float> destinations)
    {
        int ds = SourceDimension;
        int dt = TargetDimension;
        for (int i = 0; i < count; i++)
        {
            Apply(sources.Slice(i * ds, ds), destinations.Slice(i * dt, dt));
        }
    }

    /// <summary>Checks the spans handed to <see cref="Apply"/>; the messages name both lengths.</summary>
    private protected void ValidateApply(ReadOnlySpan<float> source, Span<float> destination)
    {
        if (source.Length != SourceDimension)
        {
            ThrowDimensionMismatch(nameof(source), SourceDimension, source.Length);
        }

        if (destination.Length != TargetDimension)
        {
            ThrowDimensionMismatch(nameof(destination), TargetDimension, destination.Length);
        }
    }

    /// <summary>Scales each row to unit L2 norm when the bridge normalises; zero rows are left as they are.</summary>
    private protected void FinishRows(Span<float> rows, int count)
    {
        if (!NormalizesOutput)
        {
            return;
        }

        int dt = TargetDimension;
        for (int i = 0; i < count; i++)
        {
            Span<float> row = rows.Slice(i * dt, dt);
            float norm = TensorPrimitives.Norm(row);
            if (norm > 0 && float.IsFinite(norm))
            {
                TensorPrimitives.Multiply(row, 1f / norm, row);
            }
        }
    }

    [DoesNotReturn]
    private static void ThrowDimensionMismatch(string parameter, int expected, int actual) =>
        throw new ArgumentException($"Expected a vector of dimension {expected} but got one of length {actual}.", parameter);
}
