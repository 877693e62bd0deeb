// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Runtime.CompilerServices;
using EmbeddingStore.Core.Jobs;
using EmbeddingStore.Core.Persistence;
using EmbeddingStore.Core.Versioning;

namespace EmbeddingStore.Core.Tests.TestSupport;

// A repository kept in dictionaries, so engine tests run without a file. It can be told to refuse the next write,
// which is how the tests prove that a storage refusal leaves memory untouched. Writes take one lock, as SQLite's single
// writer would, since collections now write concurrently. The SQLite repository has its own tests; both pass the
// repository conformance suite.
internal sealed class InMemoryRepository : IEmbeddingRepository
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, JobRecord> _jobs = new(StringComparer.Ordinal);
    private readonly Dictionary<ModelVersionId, ModelVersion> _versions = [];
    private readonly Dictionary<string, CollectionRecord> _collections = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SortedDictionary<string, StoredItem>> _items = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Core.Collections.CollectionAlias> _aliases = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Core.Migrations.MigrationRecord> _migrations = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Collection, string Field), StoredPayloadIndex> _payloadIndexes = [];

    public bool RefuseWrites { get; set; }

    // Awaited before an upsert into the named collection is applied: lets a test hold one collection's commit open.
    public Func<string, Task>? BeforeUpsert { get; set; }

    // Awaited before an alias row is saved: lets a test search while an alias switch is committing.
    public Func<Task>? BeforeAliasSave { get; set; }

    public int Writes { get; private set; }

    public async IAsyncEnumerable<ModelVersion> ReadModelVersionsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Yield();
        foreach (ModelVersion v in _versions.Values)
        {
            yield return v;
        }
    }

    public async IAsyncEnumerable<CollectionRecord> ReadCollectionsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Yield();
        foreach (CollectionRecord c in _collections.Values)
        {
            yield return c;
        }
    }

    public async IAsyncEnumerable<StoredItem> ReadItemsAsync(string collection, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Yield();
        if (_items.TryGetValue(collection, out SortedDictionary<string, StoredItem>? items))
        {
            foreach (StoredItem item in items.Values)
            {
                yield return item;
            }
        }
    }

    public Task SaveModelVersionAsync(ModelVersion version, CancellationToken cancellationToken) => Write(() => _versions[version.Id] = version);

    public Task SaveCollectionAsync(CollectionRecord collection, CancellationToken cancellationToken) =>
        Write(() =>
        {
            _collections[collection.Name] = collection;
            _items.TryAdd(collection.Name, new SortedDictionary<string, StoredItem>(StringComparer.Ordinal));
        });

    public Task DeleteCollectionAsync(string collection, CancellationToken cancellationToken) =>
        Write(() =>
        {
            _collections.Remove(collection);
            _items.Remove(collection);
            foreach (string alias in _aliases.Values.Where(a => a.Collection == collection).Select(a => a.Alias).ToList())
            {
                _aliases.Remove(alias);
            }

            foreach (string migration in _migrations.Values.Where(m => m.Collection == collection).Select(m => m.Id).ToList())
            {
                _migrations.Remove(migration);
            }

            foreach ((string, string) key in _payloadIndexes.Keys.Where(k => k.Collection == collection).ToList())
            {
                _payloadIndexes.Remove(key);
            }
        });

    public async Task UpsertItemsAsync(string collection, IReadOnlyList<StoredItem> items, CancellationToken cancellationToken)
    {
        if (BeforeUpsert is { } hook)
        {
            await hook(collection);
        }

        await Write(() =>
        {
            foreach (StoredItem item in items)
            {
                _items[collection][item.Id] = item;
            }
        });
    }

    public Task DeleteItemsAsync(string collection, IReadOnlyList<string> ids, CancellationToken cancellationToken) =>
        Write(() =>
        {
            foreach (string id in ids)
            {
                _items[collection].Remove(id);
            }
        });

    private readonly Dictionary<string, StoredLink> _links = new(StringComparer.Ordinal);

    public async IAsyncEnumerable<StoredLink> ReadLinksAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Yield();
        foreach (StoredLink link in _links.Values)
        {
            yield return link;
        }
    }

    public Task AddVectorsAsync(
        string collection, IReadOnlyList<(string ItemId, StoredVector Vector)> vectors, JobRecord? progress, CancellationToken cancellationToken) =>
        Write(() =>
        {
            if (progress is not null)
            {
                _jobs[progress.Id] = progress;
            }

            foreach ((string itemId, StoredVector vector) in vectors)
            {
                if (_items[collection].TryGetValue(itemId, out StoredItem? item))
                {
                    _items[collection][itemId] = item with { Vectors = [.. item.Vectors.Where(v => v.Version != vector.Version), vector] };
                }
            }
        });

    public Task SaveLinkAsync(StoredLink link, CancellationToken cancellationToken) => Write(() => _links[link.Id] = link);

    public Task DeleteLinkAsync(string id, CancellationToken cancellationToken) => Write(() => _links.Remove(id));

    public async IAsyncEnumerable<JobRecord> ReadJobsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Yield();
        List<JobRecord> jobs;
        lock (_lock)
        {
            jobs = [.. _jobs.Values.OrderBy(j => j.CreatedAt)];
        }

        foreach (JobRecord job in jobs)
        {
            yield return job;
        }
    }

    public Task SaveJobAsync(JobRecord job, CancellationToken cancellationToken) => Write(() => _jobs[job.Id] = job);

    public async IAsyncEnumerable<Core.Migrations.MigrationRecord> ReadMigrationsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Yield();
        List<Core.Migrations.MigrationRecord> migrations;
        lock (_lock)
        {
            migrations = [.. _migrations.Values.OrderBy(m => m.CreatedAt)];
        }

        foreach (Core.Migrations.MigrationRecord migration in migrations)
        {
            yield return migration;
        }
    }

    public Task DeleteVectorsAsync(
        string collection, ModelVersionId version, IReadOnlyList<string> itemIds, Core.Migrations.MigrationRecord migration, CancellationToken cancellationToken) =>
        Write(() =>
        {
            foreach (string itemId in itemIds)
            {
                if (_items[collection].TryGetValue(itemId, out StoredItem? item))
                {
                    _items[collection][itemId] = item with { Vectors = [.. item.Vectors.Where(v => v.Version != version)] };
                }
            }

            _migrations[migration.Id] = migration;
        });

    public Task SaveMigrationAsync(Core.Migrations.MigrationRecord migration, CollectionRecord? serving, CancellationToken cancellationToken) =>
        Write(() =>
        {
            if (serving is not null)
            {
                _collections[serving.Name] = serving;
            }

            _migrations[migration.Id] = migration;
        });

    public async IAsyncEnumerable<Core.Collections.CollectionAlias> ReadAliasesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Yield();
        List<Core.Collections.CollectionAlias> aliases;
        lock (_lock)
        {
            aliases = [.. _aliases.Values.OrderBy(a => a.Alias, StringComparer.Ordinal)];
        }

        foreach (Core.Collections.CollectionAlias alias in aliases)
        {
            yield return alias;
        }
    }

    public async Task SaveAliasAsync(Core.Collections.CollectionAlias alias, CancellationToken cancellationToken)
    {
        if (BeforeAliasSave is { } hook)
        {
            await hook();
        }

        await Write(() => _aliases[alias.Alias] = alias);
    }

    public Task DeleteAliasAsync(string alias, CancellationToken cancellationToken) => Write(() => _aliases.Remove(alias));

    private Task Write(Action apply)
    {
        lock (_lock)
        {
            if (RefuseWrites)
            {
                throw new StorageUnavailableException("refused by the test");
            }

            apply();
            Writes++;
            return Task.CompletedTask;
        }
    }

    public async IAsyncEnumerable<StoredPayloadIndex> ReadPayloadIndexesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Yield();
        List<StoredPayloadIndex> indexes;
        lock (_lock)
        {
            indexes = [.. _payloadIndexes.Values.OrderBy(i => i.Collection, StringComparer.Ordinal).ThenBy(i => i.Field, StringComparer.Ordinal)];
        }

        foreach (StoredPayloadIndex index in indexes)
        {
            yield return index;
        }
    }

    public Task SavePayloadIndexAsync(StoredPayloadIndex index, JobRecord? job, CancellationToken cancellationToken) =>
        Write(() =>
        {
            _payloadIndexes[(index.Collection, index.Field)] = index;
            if (job is not null)
            {
                _jobs[job.Id] = job;
            }
        });

    public Task DeletePayloadIndexAsync(string collection, string field, CancellationToken cancellationToken) =>
        Write(() => _payloadIndexes.Remove((collection, field)));
}
