// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Text.Json.Serialization;

namespace EmbeddingStore.Contracts;

/// <summary>
/// Creates a collection or changes its serving version. PUT semantics: repeating the same request is harmless,
/// and changing <c>servingVersion</c> is how a collection is cut over to a new model version.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CollectionRequest
{
    /// <summary>The version plain queries search by default, <c>model@version</c>; it must be registered.</summary>
    public required string ServingVersion { get; init; }

    /// <summary>
    /// What searches that name no index use: <c>exact</c> or <c>int8</c> (8-bit code scan, best candidates re-scored
    /// exactly; about 2.5× faster at recall@10 ≈ 1 on 384-d text embeddings). Omitted keeps the current setting.
    /// </summary>
    public string? DefaultIndex { get; init; }
}

/// <summary>A collection and its size per model version.</summary>
/// <param name="Name">The collection's name.</param>
/// <param name="ServingVersion">Default query version, <c>model@version</c>.</param>
/// <param name="ItemCount">Items in the collection.</param>
/// <param name="VectorCounts">Stored vectors per version; during a re-embedding this shows how far it has come.</param>
/// <param name="CreatedAt">When the collection was created.</param>
/// <param name="DefaultIndex"><c>exact</c> or <c>int8</c>: what searches that name no index use.</param>
public sealed record CollectionResponse(
    string Name, string ServingVersion, long ItemCount, IReadOnlyDictionary<string, long> VectorCounts, DateTimeOffset CreatedAt, string DefaultIndex = "exact");

/// <summary>All collections.</summary>
/// <param name="Collections">Collections ordered by name.</param>
public sealed record CollectionListResponse(IReadOnlyList<CollectionResponse> Collections);
