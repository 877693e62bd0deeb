// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Vectors;

namespace EmbeddingStore.Core.Versioning;

/// <summary>
/// A registered model version: what its vectors look like and how they are compared. Registered once, globally,
/// and immutable once any vector uses it, because stored vectors are only meaningful under the settings they were
/// validated against.
/// </summary>
/// <param name="Id">The version's name.</param>
/// <param name="Dimension">Length of every vector of this version.</param>
/// <param name="Metric">How vectors are compared.</param>
/// <param name="Normalized">
/// Declares that the model emits unit-length vectors. The store then rejects vectors whose norm is off by more than
/// <see cref="NormTolerance"/>, catching a client that sends the wrong model's output or forgets a normalisation step.
/// </param>
/// <param name="CreatedAt">When the version was first registered.</param>
public sealed record ModelVersion(ModelVersionId Id, int Dimension, DistanceMetric Metric, bool Normalized, DateTimeOffset CreatedAt)
{
    /// <summary>
    /// How far a declared-normalised vector's norm may stray from 1. Real float32 encoders land within 1e-6
    /// (the shared MiniLM and Arctic data: 0.9999994–1.0000006); 1e-3 leaves room for half-precision pipelines.
    /// </summary>
    public const float NormTolerance = 1e-3f;

    /// <summary>Whether two registrations describe the same vector space (ignoring the timestamp), which makes re-registration idempotent.</summary>
    public bool HasSameShape(ModelVersion other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Id == other.Id && Dimension == other.Dimension && Metric == other.Metric && Normalized == other.Normalized;
    }
}
