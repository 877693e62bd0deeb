// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Filters;
using EmbeddingStore.Core.Indexes;
using EmbeddingStore.Core.Jobs;
using EmbeddingStore.Core.Migrations;
using EmbeddingStore.Core.Vectors;
using EmbeddingStore.Core.Versioning;

namespace EmbeddingStore.Core;

/// <summary>
/// Everything the API can ask of the database, as one asynchronous boundary. The local <see cref="EmbeddingEngine"/>
/// implements it today; a coordinator over shards (hosted on a distributed runtime) can implement the same interface
/// later, reusing the search planner and the mixed-version merger, so the endpoints never change. Every member takes a
/// <see cref="CancellationToken"/>: a dropped request stops its work, down to the scan loop.
/// </summary>
/// <remarks>
/// Refusals are values (<see cref="StoreResult{T}"/>), never exceptions: bad input is expected traffic. Writes are
/// acknowledged only after they are durable.
/// </remarks>
public interface IEmbeddingService
{
    /// <summary>The limits every request is checked against, so the API can describe and enforce them too.</summary>
    EngineLimits Limits { get; }

    /// <summary>The index kinds searches may name.</summary>
    IndexRegistry Indexes { get; }

    /// <summary>Registers a model version, or confirms an identical registration.</summary>
    Task<StoreResult<Outcome<ModelVersion>>> RegisterModelVersionAsync(
        string model, string version, int dimension, DistanceMetric metric, bool normalized, CancellationToken cancellationToken);

    /// <summary>All registered versions, ordered by name.</summary>
    Task<IReadOnlyList<ModelVersion>> ListModelVersionsAsync(CancellationToken cancellationToken);

    /// <summary>One registered version.</summary>
    Task<StoreResult<ModelVersion>> GetModelVersionAsync(string model, string version, CancellationToken cancellationToken);

    /// <summary>Creates a collection, or changes its serving version or default index (null keeps each; a collection created with no serving version holds items waiting to be embedded).</summary>
    Task<StoreResult<Outcome<CollectionInfo>>> PutCollectionAsync(string name, string? servingVersion, IndexKind? defaultIndex, CancellationToken cancellationToken);

    /// <summary>Creates a collection, or changes its serving version, default index or index build settings (null keeps each; a collection created with no serving version holds items waiting to be embedded).</summary>
    Task<StoreResult<Outcome<CollectionInfo>>> PutCollectionAsync(
        string name, string? servingVersion, IndexKind? defaultIndex, IndexSettings? indexSettings, CancellationToken cancellationToken);

    /// <summary>All collections, ordered by name.</summary>
    Task<IReadOnlyList<CollectionInfo>> ListCollectionsAsync(CancellationToken cancellationToken);

    /// <summary>One collection's settings and counts.</summary>
    Task<StoreResult<CollectionInfo>> GetCollectionAsync(string name, CancellationToken cancellationToken);

    /// <summary>
    /// The vectors a collection holds across its versions, without the rest of its info: what per-search telemetry
    /// reads, where collection info would cost a pass over every graph's rows on each request.
    /// </summary>
    Task<StoreResult<long>> CountVectorsAsync(string name, CancellationToken cancellationToken);

    /// <summary>Deletes a collection and everything in it.</summary>
    Task<StoreResult<bool>> DeleteCollectionAsync(string name, CancellationToken cancellationToken);

    /// <summary>Creates an alias naming a collection, or switches it atomically to another one.</summary>
    Task<StoreResult<Outcome<CollectionAlias>>> PutAliasAsync(string alias, string collection, CancellationToken cancellationToken);

    /// <summary>All aliases, ordered by name.</summary>
    Task<IReadOnlyList<CollectionAlias>> ListAliasesAsync(CancellationToken cancellationToken);

    /// <summary>One alias and the collection it names.</summary>
    Task<StoreResult<CollectionAlias>> GetAliasAsync(string alias, CancellationToken cancellationToken);

    /// <summary>Deletes an alias; the collection it named is untouched.</summary>
    Task<StoreResult<bool>> DeleteAliasAsync(string alias, CancellationToken cancellationToken);

    /// <summary>Declares a payload index on a field (built by a job), confirms an identical one, or replaces one of another type.</summary>
    Task<StoreResult<Outcome<PayloadIndexInfo>>> PutPayloadIndexAsync(string collection, string field, string type, CancellationToken cancellationToken);

    /// <summary>A collection's payload indexes, ordered by field.</summary>
    Task<StoreResult<IReadOnlyList<PayloadIndexInfo>>> ListPayloadIndexesAsync(string collection, CancellationToken cancellationToken);

    /// <summary>One payload index with its build state.</summary>
    Task<StoreResult<PayloadIndexInfo>> GetPayloadIndexAsync(string collection, string field, CancellationToken cancellationToken);

    /// <summary>Deletes a payload index; answers stay the same, filters on the field read payloads again.</summary>
    Task<StoreResult<bool>> DeletePayloadIndexAsync(string collection, string field, CancellationToken cancellationToken);

    /// <summary>Inserts or replaces a batch of items atomically.</summary>
    Task<StoreResult<int>> UpsertItemsAsync(string collection, IReadOnlyList<ItemUpsert> items, CancellationToken cancellationToken);

    /// <summary>Deletes items by id; missing ids are ignored.</summary>
    Task<StoreResult<int>> DeleteItemsAsync(string collection, IReadOnlyList<string> ids, CancellationToken cancellationToken);

    /// <summary>Deletes every item matching a filter, atomically.</summary>
    Task<StoreResult<int>> DeleteItemsAsync(string collection, PayloadFilter filter, CancellationToken cancellationToken);

    /// <summary>One item, optionally with its vectors.</summary>
    Task<StoreResult<ItemView>> GetItemAsync(string collection, string id, bool withVectors, CancellationToken cancellationToken);

    /// <summary>A page of items in id order, optionally only those matching a filter.</summary>
    Task<StoreResult<ScrollPage>> ScrollAsync(string collection, string? cursor, int limit, bool withVectors, PayloadFilter? filter, CancellationToken cancellationToken);

    /// <summary>How many items match a filter.</summary>
    Task<StoreResult<long>> CountAsync(string collection, PayloadFilter? filter, CancellationToken cancellationToken);

    /// <summary>Nearest-neighbour search across every version the query reaches.</summary>
    Task<StoreResult<SearchResult>> SearchAsync(string collection, SearchQuery query, CancellationToken cancellationToken);

    /// <summary>Many searches of one version in one pass, each answered exactly as a single search would be.</summary>
    Task<StoreResult<BatchSearchResult>> SearchBatchAsync(string collection, BatchSearchQuery query, CancellationToken cancellationToken);

    /// <inheritdoc cref="EmbeddingEngine.HybridSearchAsync"/>
    Task<StoreResult<Hybrid.HybridSearchResult>> HybridSearchAsync(string collection, Hybrid.HybridSearchQuery query, CancellationToken cancellationToken);

    /// <summary>Declares two versions harmonic (an identity link).</summary>
    Task<StoreResult<Outcome<HarmonicLink>>> DeclareIdentityLinkAsync(string from, string to, CancellationToken cancellationToken);

    /// <summary>Fits a bridge and stores it with its held-out quality report.</summary>
    Task<StoreResult<Outcome<HarmonicLink>>> FitLinkAsync(LinkFitRequest request, CancellationToken cancellationToken);

    /// <summary>All links, oldest first.</summary>
    Task<IReadOnlyList<HarmonicLink>> ListLinksAsync(CancellationToken cancellationToken);

    /// <summary>One link.</summary>
    Task<StoreResult<HarmonicLink>> GetLinkAsync(string id, CancellationToken cancellationToken);

    /// <summary>Deletes a link.</summary>
    Task<StoreResult<bool>> DeleteLinkAsync(string id, CancellationToken cancellationToken);

    /// <summary>Starts a background job that derives vectors through a link for a collection's items lacking them.</summary>
    Task<StoreResult<JobRecord>> StartDeriveAsync(string linkId, string collection, bool reverse, CancellationToken cancellationToken);

    /// <summary>Every job, newest first.</summary>
    Task<IReadOnlyList<JobRecord>> ListJobsAsync(CancellationToken cancellationToken);

    /// <summary>One job.</summary>
    Task<StoreResult<JobRecord>> GetJobAsync(string id, CancellationToken cancellationToken);

    /// <summary>Cancels a job between chunks.</summary>
    Task<StoreResult<JobRecord>> CancelJobAsync(string id, CancellationToken cancellationToken);

    /// <summary>Pauses a job between chunks.</summary>
    Task<StoreResult<JobRecord>> PauseJobAsync(string id, CancellationToken cancellationToken);

    /// <summary>Resumes a paused job from its stored cursor.</summary>
    Task<StoreResult<JobRecord>> ResumeJobAsync(string id, CancellationToken cancellationToken);

    /// <summary>Creates (and unless asked only to plan, starts) a migration of a collection to another version.</summary>
    Task<StoreResult<MigrationInfo>> CreateMigrationAsync(string collection, MigrationRequest request, CancellationToken cancellationToken);

    /// <summary>A collection's migrations, newest first.</summary>
    Task<StoreResult<IReadOnlyList<MigrationInfo>>> ListMigrationsAsync(string collection, CancellationToken cancellationToken);

    /// <summary>One migration as it stands now.</summary>
    Task<StoreResult<MigrationInfo>> GetMigrationAsync(string collection, string id, CancellationToken cancellationToken);

    /// <summary>Starts, pauses, resumes, cancels, cuts over or rolls back a migration.</summary>
    Task<StoreResult<MigrationInfo>> ChangeMigrationAsync(string collection, string id, MigrationAction action, CancellationToken cancellationToken);

    /// <summary>The next page of a re-embedding's items that still lack a native vector of the new version.</summary>
    Task<StoreResult<PendingPage>> GetPendingItemsAsync(string collection, string id, string? cursor, int limit, CancellationToken cancellationToken);

    /// <summary>Stores re-embedded vectors of the new version for existing items, keeping their old vectors.</summary>
    Task<StoreResult<int>> AddMigrationVectorsAsync(string collection, string id, IReadOnlyList<(string ItemId, float[] Vector)> vectors, CancellationToken cancellationToken);

    /// <summary>Refits a migration's link on the pairs re-embedded so far and adopts it.</summary>
    Task<StoreResult<MigrationInfo>> RefitMigrationLinkAsync(string collection, string id, string? kind, CancellationToken cancellationToken);

    /// <summary>Copies the store into a new file while writes go on (one consistent prefix of the committed writes).</summary>
    Task<StoreResult<long>> BackupAsync(string destinationPath, CancellationToken cancellationToken);

    /// <summary>Checks the store's integrity and compares what it holds with what memory serves, collection by collection.</summary>
    Task<StoreResult<VerifyReport>> VerifyAsync(CancellationToken cancellationToken);
}
