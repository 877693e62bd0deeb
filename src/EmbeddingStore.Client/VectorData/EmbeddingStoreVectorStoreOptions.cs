// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using Microsoft.Extensions.AI;

namespace EmbeddingStore.Client.VectorData;

/// <summary>Settings every collection of an <see cref="EmbeddingStoreVectorStore"/> starts from.</summary>
public sealed class EmbeddingStoreVectorStoreOptions
{
    /// <summary>Creates options with the defaults.</summary>
    public EmbeddingStoreVectorStoreOptions()
    {
    }

    /// <summary>Copies <paramref name="source"/>, so a registration can add a generator without changing the caller's object.</summary>
    /// <param name="source">The options to copy; null gives the defaults.</param>
    public EmbeddingStoreVectorStoreOptions(EmbeddingStoreVectorStoreOptions? source)
    {
        EmbeddingGenerator = source?.EmbeddingGenerator;
        AllowBridging = source?.AllowBridging ?? true;
        CollectionScopedVersions = source?.CollectionScopedVersions ?? false;
    }

    /// <summary>
    /// The embedding generator used by vector properties that have none of their own and whose collection definition has
    /// none (the abstractions' order: property, collection, store).
    /// </summary>
    public IEmbeddingGenerator? EmbeddingGenerator { get; set; }

    /// <summary>The collections' <see cref="EmbeddingStoreCollectionOptions.AllowBridging"/>.</summary>
    public bool AllowBridging { get; set; } = true;

    /// <summary>The collections' <see cref="EmbeddingStoreCollectionOptions.CollectionScopedVersions"/> (default false).</summary>
    public bool CollectionScopedVersions { get; set; }
}
