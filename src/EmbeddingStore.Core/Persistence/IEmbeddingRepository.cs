// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Versioning;

namespace EmbeddingStore.Core.Persistence;

/// <summary>
/// The durable source of truth behind the engine. The engine calls it before touching memory and acknowledges a write
/// only after the returned task completes, so an implementation must have committed (and synced) by then; each call
/// is all-or-nothing.
/// </summary>
/// <remarks>
/// Every write transaction also carries the ambient <see cref="IdempotencyClaim"/>, when there is an unclaimed one, so a
/// retried request can never apply its write twice.
/// Implementations report a store that refuses writes (disk full, read-only file) with
/// <see cref="StorageUnavailableException"/>; the engine turns that into a clean refusal and changes nothing in memory.
/// </remarks>
public interface IEmbeddingRepository
{
    /// <summary>Every registered model version, to rebuild the registry at start-up.</summary>
    IAsyncEnumerable<ModelVersion> ReadModelVersionsAsync(CancellationToken cancellationToken);

    /// <summary>Every collection, to rebuild them at start-up.</summary>
    IAsyncEnumerable<CollectionRecord> ReadCollectionsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Every item of a collection with its vectors, streamed so start-up memory stays near the final size. An item's
    /// vector list and the vectors' arrays are valid only until the enumeration moves on, as a data reader's row is: an
    /// implementation may reuse them for the next item (start-up copies each vector into its segment, so one buffer per
    /// version spares an allocation of every vector). A caller that keeps an item copies it.
    /// </summary>
    IAsyncEnumerable<StoredItem> ReadItemsAsync(string collection, CancellationToken cancellationToken);

    /// <summary>
    /// How many vectors a collection holds per version, read before its items at start-up so each segment is allocated
    /// once at its final size: growing it row by row would copy every vector several times and leave the outgrown
    /// arrays as garbage the resident set carries for a while (issue 13). A store that cannot count cheaply returns an
    /// empty map, and segments then grow as writes do.
    /// </summary>
    Task<IReadOnlyDictionary<ModelVersionId, long>> CountVectorsAsync(string collection, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyDictionary<ModelVersionId, long>>(new Dictionary<ModelVersionId, long>());

    /// <summary>Inserts or updates a model version.</summary>
    Task SaveModelVersionAsync(ModelVersion version, CancellationToken cancellationToken);

    /// <summary>Inserts a collection or updates its serving version.</summary>
    Task SaveCollectionAsync(CollectionRecord collection, CancellationToken cancellationToken);

    /// <summary>Deletes a collection with all its items and vectors.</summary>
    Task DeleteCollectionAsync(string collection, CancellationToken cancellationToken);

    /// <summary>Replaces the given items (payload and all vectors) in one transaction.</summary>
    Task UpsertItemsAsync(string collection, IReadOnlyList<StoredItem> items, CancellationToken cancellationToken);

    /// <summary>Deletes the given items in one transaction; ids that do not exist are ignored.</summary>
    Task DeleteItemsAsync(string collection, IReadOnlyList<string> ids, CancellationToken cancellationToken);

    /// <summary>
    /// Adds (or replaces) one vector per listed item, keeping the items' other vectors and payloads; used to store vectors
    /// derived through a link. Items that no longer exist are skipped. One transaction, which also saves
    /// <paramref name="progress"/> when given, so a job's cursor never disagrees with the data it describes.
    /// </summary>
    Task AddVectorsAsync(
        string collection, IReadOnlyList<(string ItemId, StoredVector Vector)> vectors, Jobs.JobRecord? progress, CancellationToken cancellationToken);

    /// <summary>Every harmonic link, to rebuild the link graph at start-up.</summary>
    IAsyncEnumerable<StoredLink> ReadLinksAsync(CancellationToken cancellationToken);

    /// <summary>Inserts a link; links are immutable, so there is no update.</summary>
    Task SaveLinkAsync(StoredLink link, CancellationToken cancellationToken);

    /// <summary>Deletes a link.</summary>
    Task DeleteLinkAsync(string id, CancellationToken cancellationToken);

    /// <summary>Every collection alias, to rebuild them at start-up.</summary>
    IAsyncEnumerable<Collections.CollectionAlias> ReadAliasesAsync(CancellationToken cancellationToken);

    /// <summary>Inserts an alias or switches it to another collection, in one transaction.</summary>
    Task SaveAliasAsync(Collections.CollectionAlias alias, CancellationToken cancellationToken);

    /// <summary>Deletes an alias; deleting a collection deletes the aliases naming it in the same transaction.</summary>
    Task DeleteAliasAsync(string alias, CancellationToken cancellationToken);

    /// <summary>Every migration, to rebuild them at start-up.</summary>
    IAsyncEnumerable<Migrations.MigrationRecord> ReadMigrationsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Inserts a migration or replaces its stored state; with <paramref name="serving"/>, also saves the collection's new
    /// serving version in the same transaction, so a cut-over or rollback is never half-recorded.
    /// </summary>
    Task SaveMigrationAsync(Migrations.MigrationRecord migration, CollectionRecord? serving, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes one version's vectors of the listed items (keeping the items and their other vectors), and saves
    /// <paramref name="migration"/> in the same transaction: a migration's purge.
    /// </summary>
    Task DeleteVectorsAsync(
        string collection, ModelVersionId version, IReadOnlyList<string> itemIds, Migrations.MigrationRecord migration, CancellationToken cancellationToken);

    /// <summary>Every job, to resume unfinished ones at start-up.</summary>
    IAsyncEnumerable<Jobs.JobRecord> ReadJobsAsync(CancellationToken cancellationToken);

    /// <summary>Inserts a job or replaces its stored state.</summary>
    Task SaveJobAsync(Jobs.JobRecord job, CancellationToken cancellationToken);

    /// <summary>Every payload index declaration, to rebuild the indexes from the items at start-up.</summary>
    IAsyncEnumerable<StoredPayloadIndex> ReadPayloadIndexesAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Inserts or replaces a payload index declaration (by collection and field) in one transaction, which also saves
    /// <paramref name="job"/> when given: a declaration is never stored without the job that builds it, nor marked ready
    /// apart from its job's completion.
    /// </summary>
    Task SavePayloadIndexAsync(StoredPayloadIndex index, Jobs.JobRecord? job, CancellationToken cancellationToken);

    /// <summary>Deletes a payload index declaration; deleting a collection deletes its declarations in the same transaction.</summary>
    Task DeletePayloadIndexAsync(string collection, string field, CancellationToken cancellationToken);
}
