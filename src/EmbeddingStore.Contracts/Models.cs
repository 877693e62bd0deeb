// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Text.Json.Serialization;

namespace EmbeddingStore.Contracts;

/// <summary>
/// Registers a model version. A version is immutable once vectors use it, so the dimension and metric are required
/// rather than defaulted: a silent default would be persisted forever.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ModelVersionRequest
{
    /// <summary>Length of every vector of this version (1 to the server's configured maximum).</summary>
    public required int Dimension { get; init; }

    /// <summary><c>cosine</c>, <c>dot</c>, <c>l2</c> or <c>l1</c>. Scores are always "higher is closer" (l2 and l1 return the negated distance).</summary>
    public required string Metric { get; init; }

    /// <summary>Declares that the model emits unit-length vectors; the server then rejects vectors whose norm is not 1 (±1e-3).</summary>
    public bool Normalized { get; init; }
}

/// <summary>A registered model version as the API shows it.</summary>
/// <param name="Name">The canonical <c>model@version</c> reference used everywhere else in the API.</param>
/// <param name="Model">The model part.</param>
/// <param name="Version">The version part.</param>
/// <param name="Dimension">Vector length.</param>
/// <param name="Metric"><c>cosine</c>, <c>dot</c>, <c>l2</c> or <c>l1</c>.</param>
/// <param name="Normalized">Whether vectors must be unit length.</param>
/// <param name="CreatedAt">When it was first registered.</param>
public sealed record ModelVersionResponse(
    string Name, string Model, string Version, int Dimension, string Metric, bool Normalized, DateTimeOffset CreatedAt);

/// <summary>All registered versions, wrapped so the listing can grow paging fields without breaking clients.</summary>
/// <param name="Versions">Versions ordered by model, then version.</param>
public sealed record ModelVersionListResponse(IReadOnlyList<ModelVersionResponse> Versions);
