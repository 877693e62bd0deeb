// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Runtime.CompilerServices;
using EmbeddingStore.Core.Jobs;
using EmbeddingStore.Core.Persistence;
using EmbeddingStore.Core.Versioning;

namespace EmbeddingStore.Admin.Bench;

// The bench measures search, not SQLite: the engine runs over a repository that accepts every write and keeps nothing.
internal sealed class DiscardingRepository : IEmbeddingRepository
{
    public async IAsyncEnumerable<ModelVersion> ReadModelVersionsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.CompletedTask;
        yield break;
    }

    public async IAsyncEnumerable<CollectionRecord> ReadCollectionsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.CompletedTask;
        yield break;
    }

    public async IAsyncEnumerable<StoredItem> ReadItemsAsync(string collection, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.CompletedTask;
        yield break;
    }

    public Task SaveModelVersionAsync(ModelVersion version, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task SaveCollectionAsync(CollectionRecord collection, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task DeleteCollectionAsync(string collection, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task UpsertItemsAsync(string collection, IReadOnlyList<StoredItem> items, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task DeleteItemsAsync(string collection, IReadOnlyList<string> ids, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task AddVectorsAsync(
        string collection, IReadOnlyList<(string ItemId, StoredVector Vector)> vectors, JobRecord? progress, CancellationToken cancellationToken) => Task.CompletedTask;

    public async IAsyncEnumerable<StoredLink> ReadLinksAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        yield break;
    }

    public Task SaveLinkAsync(StoredLink link, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task DeleteLinkAsync(string id, CancellationToken cancellationToken) => Task.CompletedTask;

    public async IAsyncEnumerable<JobRecord> ReadJobsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        yield break;
    }

    public Task SaveJobAsync(JobRecord job, CancellationToken cancellationToken) => Task.CompletedTask;

    public async IAsyncEnumerable<Core.Migrations.MigrationRecord> ReadMigrationsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        yield break;
    }

    public Task SaveMigrationAsync(Core.Migrations.MigrationRecord migration, CollectionRecord? serving, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task DeleteVectorsAsync(
        string collection, ModelVersionId version, IReadOnlyList<string> itemIds, Core.Migrations.MigrationRecord migration, CancellationToken cancellationToken) =>
        Task.CompletedTask;

    public async IAsyncEnumerable<Core.Collections.CollectionAlias> ReadAliasesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        yield break;
    }

    public Task SaveAliasAsync(Core.Collections.CollectionAlias alias, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task DeleteAliasAsync(string alias, CancellationToken cancellationToken) => Task.CompletedTask;

    public async IAsyncEnumerable<StoredPayloadIndex> ReadPayloadIndexesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        yield break;
    }

    public Task SavePayloadIndexAsync(StoredPayloadIndex index, JobRecord? job, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task DeletePayloadIndexAsync(string collection, string field, CancellationToken cancellationToken) => Task.CompletedTask;
}
