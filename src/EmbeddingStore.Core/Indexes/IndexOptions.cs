// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Core.Indexes;

/// <summary>
/// Per-query settings for the index kind that serves a search, in one value so a new kind's knob (a graph's <c>ef</c>,
/// say) is a new member here instead of a new parameter threaded through every layer. Each kind reads the members it
/// understands and validates them (<see cref="IVectorIndexFactory.Validate(IndexOptions, Collections.EngineLimits)"/>); null means the kind's default.
/// </summary>
/// <param name="Oversampling">
/// Quantised kinds: candidates re-scored per wanted hit (k × this); null means <see cref="Collections.EngineLimits.DefaultOversampling"/>.
/// More buys recall with re-scoring time.
/// </param>
/// <param name="Ef">
/// Graph kinds: the candidate list a search keeps at the bottom layer (at least k is always kept); null means
/// <see cref="Collections.EngineLimits.DefaultEf"/>. More buys recall with visited rows.
/// </param>
/// <param name="Quantized">
/// Graph kinds: walk the graph on the segment's int8 codes (a quarter of the bytes a visited row costs; the codes are built
/// for the segment, and kept, once a search asks) and re-score the ef rows found with the floats, so scores stay exact and
/// only the candidate set moves. Pays where the floats do not fit in the caches; null means false (the walk reads floats).
/// </param>
public sealed record IndexOptions(int? Oversampling = null, int? Ef = null, bool? Quantized = null)
{
    /// <summary>Every member at its default.</summary>
    public static IndexOptions Default { get; } = new();

    // Oversampling is checked whatever the kind, so a client that always sends it is not broken when a collection's
    // default index changes.
    internal Collections.StoreError? ValidateOversampling(Collections.EngineLimits limits)
    {
        if (Oversampling is { } o && (o < 1 || o > limits.MaxOversampling))
        {
            return o < 1
                ? new Collections.StoreError(Collections.StoreErrorCode.InvalidArgument, $"oversampling must be at least 1; it was {o}.")
                : new Collections.StoreError(Collections.StoreErrorCode.LimitExceeded, $"oversampling may be at most {limits.MaxOversampling}; it was {o}.");
        }

        return null;
    }

    // Ef is checked whatever the kind, for the same reason as oversampling: the kinds that have no graph ignore it.
    internal Collections.StoreError? ValidateEf(Collections.EngineLimits limits)
    {
        if (Ef is { } ef && (ef < 1 || ef > limits.MaxEf))
        {
            return ef < 1
                ? new Collections.StoreError(Collections.StoreErrorCode.InvalidArgument, $"ef must be at least 1; it was {ef}.")
                : new Collections.StoreError(Collections.StoreErrorCode.LimitExceeded, $"ef may be at most {limits.MaxEf}; it was {ef}.");
        }

        return null;
    }
}
