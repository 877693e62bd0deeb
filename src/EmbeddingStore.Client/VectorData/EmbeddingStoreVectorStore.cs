// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.VectorData;

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
    private readonly VectorStoreMetadata _metadata = new() { VectorStoreSystemName = SystemName };

    /// <summary>Creates the store over an SDK client, which it does not dispose.</summary>
    /// <param name="client">The client.</param>
    public EmbeddingStoreVectorStore(EmbeddingStoreClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
    }

    /// <inheritdoc/>
    [RequiresDynamicCode("Maps records by reflection.")]
    [RequiresUnreferencedCode("Maps records by reflection.")]
    public override VectorStoreCollection<TKey, TRecord> GetCollection<TKey, TRecord>(string name, VectorStoreCollectionDefinition? definition = null) =>
        new EmbeddingStoreCollection<TKey, TRecord>(_client, name, new EmbeddingStoreCollectionOptions { Definition = definition });

    /// <summary>Not supported: dynamic (dictionary) records have no place to declare which model version a vector holds.</summary>
    /// <param name="name">The collection's name.</param>
    /// <param name="definition">The record definition.</param>
    /// <exception cref="NotSupportedException">Always.</exception>
    public override VectorStoreCollection<object, Dictionary<string, object?>> GetDynamicCollection(string name, VectorStoreCollectionDefinition definition) =>
        throw new NotSupportedException("The EmbeddingStore connector maps typed records only; use GetCollection<string, TRecord> with [EmbeddingVersion] on each vector property.");

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
}
