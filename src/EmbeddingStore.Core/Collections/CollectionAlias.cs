// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Core.Collections;

/// <summary>
/// A second name for a collection, usable wherever a collection name is. Clients search <c>docs</c> while the operator
/// builds <c>docs-v2</c> beside it, then switches the alias in one step: the zero-downtime swap Qdrant and Milvus users
/// expect. An alias names a collection, never another alias, so resolving it is one lookup.
/// </summary>
/// <param name="Alias">The alias, with the same character rules as a collection name.</param>
/// <param name="Collection">The collection it names now.</param>
/// <param name="UpdatedAt">When it was created or last switched.</param>
public sealed record CollectionAlias(string Alias, string Collection, DateTimeOffset UpdatedAt);
