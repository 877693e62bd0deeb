// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.VectorData;
using Microsoft.Extensions.VectorData.ProviderServices;

namespace EmbeddingStore.Client.VectorData;

/// <summary>
/// EmbeddingStore as a Microsoft.Extensions.VectorData <see cref="VectorStore"/>, so Semantic Kernel and
/// Microsoft.Extensions.AI code can use it like any other vector store, while staying version-aware (see
/// <see cref="EmbeddingStoreCollection{TKey, TRecord}"/> for the mapping and what does not map).
/// </summary>
public sealed class EmbeddingStoreVectorStore : VectorStore
{
    /// <summary>The name reported as <c>VectorStoreSystemName</c> in metadata and exceptions.</summary>
    public const string SystemName = "embeddingstore";

    private readonly EmbeddingStoreClient _client;
    private readonly EmbeddingStoreVectorStoreOptions _options;
    private readonly VectorStoreMetadata _metadata = new() { VectorStoreSystemName = SystemName };

    /// <summary>Creates the store over an SDK client, which it does not dispose.</summary>
    /// <param name="client">The client.</param>
    /// <param name="options">The store-level embedding generator and the defaults of its collections.</param>
    public EmbeddingStoreVectorStore(EmbeddingStoreClient client, EmbeddingStoreVectorStoreOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        _options = new EmbeddingStoreVectorStoreOptions(options);
    }

    /// <inheritdoc/>
    [RequiresDynamicCode("Maps records by reflection.")]
    [RequiresUnreferencedCode("Maps records by reflection.")]
    public override VectorStoreCollection<TKey, TRecord> GetCollection<TKey, TRecord>(string name, VectorStoreCollectionDefinition? definition = null) =>
        typeof(TRecord) == typeof(Dictionary<string, object?>)
            ? throw new NotSupportedException(VectorDataStrings.GetCollectionWithDictionaryNotSupported)
            : new EmbeddingStoreCollection<TKey, TRecord>(_client, name, CollectionOptions(definition));

    /// <summary>
    /// A collection of dictionary records, shaped by <paramref name="definition"/>; each vector property names its model
    /// version with the <c>EmbeddingStore.Version</c> provider annotation or a <c>model@version</c> storage name (or gets a
    /// collection-scoped one when the store's options allow it).
    /// </summary>
    /// <param name="name">The collection's name.</param>
    /// <param name="definition">The record definition (required).</param>
    public override VectorStoreCollection<object, Dictionary<string, object?>> GetDynamicCollection(string name, VectorStoreCollectionDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return new EmbeddingStoreDynamicCollection(_client, name, CollectionOptions(definition));
    }

    /// <inheritdoc/>
    public override async IAsyncEnumerable<string> ListCollectionNamesAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Contracts.CollectionListResponse list;
        try
        {
            list = await _client.ListCollectionsAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (EmbeddingStoreException ex)
        {
            throw new VectorStoreException($"EmbeddingStore refused to list collections: {ex.Message}", ex) { VectorStoreSystemName = SystemName, OperationName = "ListCollectionNames" };
        }

        foreach (Contracts.CollectionResponse collection in list.Collections)
        {
            yield return collection.Name;
        }
    }

    /// <inheritdoc/>
    public override async Task<bool> CollectionExistsAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        try
        {
            await _client.GetCollectionAsync(name, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (EmbeddingStoreNotFoundException)
        {
            return false;
        }
        catch (EmbeddingStoreException ex)
        {
            throw new VectorStoreException($"EmbeddingStore refused to check collection '{name}': {ex.Message}", ex)
            {
                VectorStoreSystemName = SystemName,
                CollectionName = name,
                OperationName = "CollectionExists",
            };
        }
    }

    /// <inheritdoc/>
    public override async Task EnsureCollectionDeletedAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        try
        {
            await _client.DeleteCollectionAsync(name, cancellationToken).ConfigureAwait(false);
        }
        catch (EmbeddingStoreNotFoundException)
        {
            // Already gone.
        }
        catch (EmbeddingStoreException ex)
        {
            throw new VectorStoreException($"EmbeddingStore refused to delete collection '{name}': {ex.Message}", ex)
            {
                VectorStoreSystemName = SystemName,
                CollectionName = name,
                OperationName = "EnsureCollectionDeleted",
            };
        }
    }

    /// <inheritdoc/>
    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(VectorStoreMetadata) ? _metadata
            : serviceType == typeof(EmbeddingStoreClient) ? _client
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    private EmbeddingStoreCollectionOptions CollectionOptions(VectorStoreCollectionDefinition? definition) => new()
    {
        Definition = definition,
        EmbeddingGenerator = _options.EmbeddingGenerator,
        AllowBridging = _options.AllowBridging,
        CollectionScopedVersions = _options.CollectionScopedVersions,
    };
}
