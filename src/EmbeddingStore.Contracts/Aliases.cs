// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Text.Json.Serialization;

namespace EmbeddingStore.Contracts;

/// <summary>
/// Points an alias at a collection. PUT semantics: creating and switching are the same request, and switching is atomic,
/// so clients that search through the alias see the old collection or the new one, never an error in between.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record AliasRequest
{
    /// <summary>The collection the alias names, by its own name (not another alias).</summary>
    public required string Collection { get; init; }
}

/// <summary>An alias and the collection it names now.</summary>
/// <param name="Alias">The alias; usable wherever a collection name is (search, items, count, scroll, ...).</param>
/// <param name="Collection">The collection it names.</param>
/// <param name="UpdatedAt">When it was created or last switched.</param>
public sealed record AliasResponse(string Alias, string Collection, DateTimeOffset UpdatedAt);

/// <summary>All aliases.</summary>
/// <param name="Aliases">Ordered by alias.</param>
public sealed record AliasListResponse(IReadOnlyList<AliasResponse> Aliases);
