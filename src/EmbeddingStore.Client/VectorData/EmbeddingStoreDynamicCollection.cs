// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Client.Internal;

namespace EmbeddingStore.Client.VectorData;

/// <summary>
/// An EmbeddingStore collection of dictionary records (<c>Dictionary&lt;string, object?&gt;</c>), for code that learns its
/// schema at run time. The definition is the only source of the record's shape, so each vector property's model version
/// comes from its <c>EmbeddingStore.Version</c> provider annotation or a <c>model@version</c> storage name (or, with
/// <see cref="EmbeddingStoreCollectionOptions.CollectionScopedVersions"/>, a version private to the collection).
/// </summary>
/// <remarks>Keys are the definition's key type (string or Guid) boxed as <see cref="object"/>.</remarks>
#pragma warning disable CA1711 // "Collection" is the abstractions' own name for this role.
public sealed class EmbeddingStoreDynamicCollection : EmbeddingStoreCollection<object, Dictionary<string, object?>>
#pragma warning restore CA1711
{
    /// <summary>Creates the collection object; nothing is sent until an operation is called.</summary>
    /// <param name="client">The SDK client; not disposed by the collection.</param>
    /// <param name="name">The EmbeddingStore collection's name.</param>
    /// <param name="options">Options; <see cref="Microsoft.Extensions.VectorData.VectorStoreCollectionOptions.Definition"/> is required.</param>
    /// <exception cref="ArgumentException">The options carry no definition.</exception>
    public EmbeddingStoreDynamicCollection(EmbeddingStoreClient client, string name, EmbeddingStoreCollectionOptions options)
        : base(client, name, options, static (name, options) => RecordModel.BuildDynamic(
            options.Definition ?? throw new ArgumentException("A dynamic collection needs a definition: a dictionary record declares nothing itself.", nameof(options)),
            options.EmbeddingGenerator,
            new(name, options.CollectionScopedVersions)))
    {
    }
}
