// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;
using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Filters;
using EmbeddingStore.Core.Indexes;
using EmbeddingStore.Core.Jobs;
using EmbeddingStore.Core.Persistence;
using EmbeddingStore.Core.Search;
using EmbeddingStore.Core.Vectors;
using EmbeddingStore.Core.Versioning;
using EmbeddingStore.Core.Versioning.Internal;
using static EmbeddingStore.Core.Collections.VectorValidation;

namespace EmbeddingStore.Core;

/// <summary>
/// The local database engine: a thin facade that validates a request, takes the right lock, commits to the durable
/// <see cref="IEmbeddingRepository"/>, and applies the change to the in-memory state, which lives in types of its own
/// (the collections, the version registry, the job runner).
/// </summary>
/// <remarks>
/// Concurrency: every collection orders its own writes (a writer gate held from validation through commit to apply) and
/// has its own memory lock (any number of readers, one writer), so work on one collection never waits for another's;
/// SQLite's single writer still orders the commits. Collections are created and deleted under a catalog gate; versions
/// and links change under the registry's gate. Gates are always taken in that order: catalog, collections (by name),
/// registry. A refusal or a storage failure leaves both the file and memory untouched, because memory changes only after
/// the commit.
/// </remarks>
public sealed partial class EmbeddingEngine : IEmbeddingService, IDisposable
{
    /// <summary>The longest collection name; names appear in URLs and logs.</summary>
    public const int MaxCollectionNameLength = 128;

    /// <summary>Fewest pairs a bridge may be fitted on; below this the held-out report is noise. Published fits plateau near 4,000 for 384-d models.</summary>
    public const int MinFitPairs = 100;

    /// <summary>Most pairs used for one fit; larger sources are subsampled deterministically by the seed.</summary>
    public const int MaxFitPairs = 20_000;

    private readonly IEmbeddingRepository _repository;
    private readonly TimeProvider _time;
    private readonly VersionRegistry _registry = new();
    private readonly ConcurrentDictionary<string, Collection> _collections = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _catalogGate = new(1, 1);

    /// <summary>Creates an engine over a repository; call <see cref="LoadAsync"/> before serving.</summary>
    public EmbeddingEngine(IEmbeddingRepository repository, EngineLimits? limits = null, TimeProvider? timeProvider = null)
        : this(repository, limits, timeProvider, null)
    {
    }

    internal EmbeddingEngine(IEmbeddingRepository repository, EngineLimits? limits, TimeProvider? timeProvider, IndexRegistry? indexes)
    {
        ArgumentNullException.ThrowIfNull(repository);
        _repository = repository;
        Limits = limits ?? new EngineLimits();
        _time = timeProvider ?? TimeProvider.System;
        Indexes = indexes ?? IndexRegistry.Default;
        Jobs = new JobRunner(repository, _time);
        Jobs.Register(new DeriveJobHandler(this));
        Jobs.Register(new PayloadIndexJobHandler(this));
        Jobs.Register(new IndexBuildJobHandler(this));
        Jobs.Register(new CompactJobHandler(this));
    }

    /// <summary>The limits every request is checked against.</summary>
    public EngineLimits Limits { get; }

    /// <summary>The index kinds searches may name.</summary>
    public IndexRegistry Indexes { get; }

    /// <summary>The background job runner; the host drives <see cref="JobRunner.RunAsync"/>.</summary>
    public JobRunner Jobs { get; }

    internal VersionRegistry Registry => _registry;

    internal IEmbeddingRepository Repository => _repository;

    internal TimeProvider Time => _time;

    /// <summary>
    /// Rebuilds memory from the repository. The repository is the source of truth, so this is the whole recovery
    /// procedure after a restart or a crash; unfinished jobs resume from their stored cursors.
    /// </summary>
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        using (await EnterCatalogAsync(cancellationToken).ConfigureAwait(false))
        {
            var versions = new List<ModelVersion>();
            await foreach (ModelVersion version in _repository.ReadModelVersionsAsync(cancellationToken).ConfigureAwait(false))
            {
                versions.Add(version);
            }

            var links = new List<HarmonicLink>();
            await foreach (StoredLink stored in _repository.ReadLinksAsync(cancellationToken).ConfigureAwait(false))
            {
                links.Add(ReadLink(stored));
            }

            _registry.Load(versions, links);

            var records = new List<CollectionRecord>();
            await foreach (CollectionRecord record in _repository.ReadCollectionsAsync(cancellationToken).ConfigureAwait(false))
            {
                records.Add(record);
            }

            _collections.Clear();
            DeferBuildRequests();
            DeleteInterruptedIndexSaves();
            foreach (CollectionRecord record in records)
            {
                Collection collection = NewCollection(record.Name, record.ServingVersion, record.CreatedAt, record.DefaultIndex, record.IndexSettings);
                collection.BeginLoad(await _repository.CountVectorsAsync(record.Name, cancellationToken).ConfigureAwait(false), _registry);
                await foreach (StoredItem stored in _repository.ReadItemsAsync(record.Name, cancellationToken).ConfigureAwait(false))
                {
                    collection.Load(stored, _registry);
                }

                collection.CompleteLoad();

                LoadIndexFiles(collection);
                BuildLoadedKinds(collection, cancellationToken);
                _collections[record.Name] = collection;
            }

            await LoadAliasesAsync(cancellationToken).ConfigureAwait(false);
            await LoadMigrationsAsync(cancellationToken).ConfigureAwait(false);
            await LoadPayloadIndexesAsync(cancellationToken).ConfigureAwait(false);

            var jobs = new List<JobRecord>();
            await foreach (JobRecord job in _repository.ReadJobsAsync(cancellationToken).ConfigureAwait(false))
            {
                jobs.Add(job);
            }

            Jobs.Load(jobs);
            await ReleaseBuildRequestsAsync().ConfigureAwait(false);
        }
    }

    // ---------------------------------------------------------------- versions

    /// <summary>
    /// Registers a model version, or confirms an identical registration. Settings may change only while no vector uses
    /// the version; afterwards a different registration is a <see cref="StoreErrorCode.VersionConflict"/>.
    /// </summary>
    public async Task<StoreResult<Outcome<ModelVersion>>> RegisterModelVersionAsync(
        string model, string version, int dimension, DistanceMetric metric, bool normalized, CancellationToken cancellationToken)
    {
        if (!ModelVersionId.IsValidPart(model) || !ModelVersionId.IsValidPart(version))
        {
            return Invalid($"Model and version names must be 1-{ModelVersionId.MaxPartLength} characters of A-Z, a-z, 0-9, '.', '_' or '-'.");
        }

        if (dimension <= 0)
        {
            return Invalid($"dimension must be at least 1; it was {dimension}.");
        }

        if (dimension > Limits.MaxDimension)
        {
            return new StoreError(StoreErrorCode.LimitExceeded, $"dimension {dimension} exceeds the configured maximum of {Limits.MaxDimension}.");
        }

        if (!Enum.IsDefined(metric))
        {
            return Invalid($"Unknown metric {metric}.");
        }

        ModelVersionId id = ModelVersionId.Create(model, version);
        var proposed = new ModelVersion(id, dimension, metric, normalized, _time.GetUtcNow());

        // A changed registration must know that no vector uses the version, including vectors of writes in flight: it
        // holds every collection's writer gate (and the catalog's, so none is created meanwhile). New or identical
        // registrations, the common case, need only the registry's gate.
        bool exclusive = _registry.TryGet(id, out ModelVersion? seen) && !seen.HasSameShape(proposed);
        while (true)
        {
            var held = new List<IDisposable>();
            try
            {
                if (exclusive)
                {
                    held.Add(await EnterCatalogAsync(cancellationToken).ConfigureAwait(false));
                    foreach (Collection collection in _collections.Values.OrderBy(c => c.Name, StringComparer.Ordinal))
                    {
                        held.Add(await collection.EnterWriterAsync(cancellationToken).ConfigureAwait(false));
                    }
                }

                held.Add(await _registry.EnterAsync(cancellationToken).ConfigureAwait(false));
                if (_registry.TryGet(id, out ModelVersion? existing))
                {
                    if (existing.HasSameShape(proposed))
                    {
                        return new Outcome<ModelVersion>(existing, Created: false);
                    }

                    if (!exclusive)
                    {
                        // Registered differently meanwhile: start again holding the collections.
                        exclusive = true;
                        continue;
                    }

                    long used = _collections.Values.Sum(c => c.LiveVectors(id));
                    if (used > 0)
                    {
                        return new StoreError(
                            StoreErrorCode.VersionConflict,
                            $"{id} is already registered as {Describe(existing)} and {used} stored vectors use it; a version is immutable once used. Register a new version instead.",
                            [id.ToString()]);
                    }

                    proposed = proposed with { CreatedAt = existing.CreatedAt };
                }

                if (await TryStorageAsync(() => _repository.SaveModelVersionAsync(proposed, cancellationToken)).ConfigureAwait(false) is { } failure)
                {
                    return failure;
                }

                _registry.Set(proposed);
                return new Outcome<ModelVersion>(proposed, Created: existing is null);
            }
            finally
            {
                for (int i = held.Count - 1; i >= 0; i--)
                {
                    held[i].Dispose();
                }
            }
        }
    }

    /// <summary>All registered versions, ordered by name for stable listings.</summary>
    public IReadOnlyList<ModelVersion> ListModelVersions() => _registry.List();

    /// <summary>One registered version.</summary>
    public StoreResult<ModelVersion> GetModelVersion(string model, string version)
    {
        if (!ModelVersionId.IsValidPart(model) || !ModelVersionId.IsValidPart(version)
            || !_registry.TryGet(ModelVersionId.Create(model, version), out ModelVersion found))
        {
            return new StoreError(StoreErrorCode.ModelVersionNotFound, $"Model version {model}@{version} is not registered.", [$"{model}@{version}"]);
        }

        return found;
    }

    // ---------------------------------------------------------------- collections

    /// <summary>Creates a collection or changes its serving version, keeping its default index.</summary>
    public Task<StoreResult<Outcome<CollectionInfo>>> PutCollectionAsync(string name, string? servingVersion, CancellationToken cancellationToken) =>
        PutCollectionAsync(name, servingVersion, null, cancellationToken);

    /// <summary>
    /// Creates a collection, or changes an existing one's serving version (the cut-over step of a model upgrade) or default
    /// index. Repeating an identical request changes nothing, so clients may retry it.
    /// </summary>
    /// <param name="name">The collection.</param>
    /// <param name="servingVersion">
    /// The version plain queries search, <c>model@version</c>; null keeps the current one, and creates a collection with
    /// none (items wait there to be embedded, found by id, scroll, count and filters but refused by plain vector searches).
    /// </param>
    /// <param name="defaultIndex">What searches that name no index use; null keeps the current setting (exact for a new collection).</param>
    /// <param name="cancellationToken">Cancels before the write commits.</param>
    public Task<StoreResult<Outcome<CollectionInfo>>> PutCollectionAsync(
        string name, string? servingVersion, IndexKind? defaultIndex, CancellationToken cancellationToken) =>
        PutCollectionAsync(name, servingVersion, defaultIndex, null, cancellationToken);

    /// <summary>
    /// Creates a collection, or changes an existing one's serving version, default index or index build settings. New
    /// settings are validated by every index kind before anything is stored, and drop the collection's built indexes so
    /// each kind rebuilds with them on its next search. Repeating an identical request changes nothing.
    /// </summary>
    /// <param name="name">The collection.</param>
    /// <param name="servingVersion">
    /// The version plain queries search, <c>model@version</c>; null keeps the current one, and creates a collection with
    /// none (items wait there to be embedded, found by id, scroll, count and filters but refused by plain vector searches).
    /// </param>
    /// <param name="defaultIndex">What searches that name no index use; null keeps the current setting (exact for a new collection).</param>
    /// <param name="indexSettings">The index build settings; null keeps the current ones (every default for a new collection).</param>
    /// <param name="cancellationToken">Cancels before the write commits.</param>
    public async Task<StoreResult<Outcome<CollectionInfo>>> PutCollectionAsync(
        string name, string? servingVersion, IndexKind? defaultIndex, IndexSettings? indexSettings, CancellationToken cancellationToken)
    {
        if (defaultIndex is { } kind && !Indexes.TryParse(kind.Name, out _))
        {
            return Indexes.Unknown(kind.Name);
        }

        if (indexSettings is not null && Indexes.ValidateSettings(indexSettings, Limits) is { } settingsError)
        {
            return settingsError;
        }

        if (!IsValidCollectionName(name))
        {
            return Invalid($"Collection names must be 1-{MaxCollectionNameLength} characters of A-Z, a-z, 0-9, '.', '_' or '-', starting with a letter or digit.");
        }

        using (await EnterCatalogAsync(cancellationToken).ConfigureAwait(false))
        {
            ModelVersionId? serving = null;
            if (servingVersion is not null)
            {
                if (!_registry.TryResolve(servingVersion, out ModelVersion version, out StoreError? error))
                {
                    return error!;
                }

                serving = version.Id;
            }

            if (AliasShadows(name) is { } shadowed)
            {
                return shadowed;
            }

            if (_collections.TryGetValue(name, out Collection? existing))
            {
                using (await existing.EnterWriterAsync(cancellationToken).ConfigureAwait(false))
                {
                    IndexKind index = defaultIndex ?? existing.DefaultIndex;
                    IndexSettings settings = indexSettings ?? existing.IndexSettings;
                    ModelVersionId? servingNext = serving ?? existing.ServingVersion;
                    if (existing.ServingVersion != servingNext || existing.DefaultIndex != index || existing.IndexSettings != settings)
                    {
                        var updated = new CollectionRecord(name, servingNext, existing.CreatedAt, index, settings);
                        if (await TryStorageAsync(() => _repository.SaveCollectionAsync(updated, cancellationToken)).ConfigureAwait(false) is { } failure)
                        {
                            return failure;
                        }

                        existing.SetSettings(servingNext, index, settings);
                    }

                    return new Outcome<CollectionInfo>(ReadInfo(existing), Created: false);
                }
            }

            var record = new CollectionRecord(name, serving, _time.GetUtcNow(), defaultIndex ?? IndexKind.Exact, indexSettings ?? IndexSettings.Default);
            if (await TryStorageAsync(() => _repository.SaveCollectionAsync(record, cancellationToken)).ConfigureAwait(false) is { } saveFailure)
            {
                return saveFailure;
            }

            Collection collection = NewCollection(name, serving, record.CreatedAt, record.DefaultIndex, record.IndexSettings);
            _collections[name] = collection;
            return new Outcome<CollectionInfo>(ReadInfo(collection), Created: true);
        }
    }

    /// <summary>All collections, ordered by name.</summary>
    public IReadOnlyList<CollectionInfo> ListCollections() =>
        [.. _collections.Values.OrderBy(c => c.Name, StringComparer.Ordinal).Select(ReadInfo)];

    /// <summary>One collection's settings and counts.</summary>
    public StoreResult<CollectionInfo> GetCollection(string name) =>
        TryGetCollection(name, out Collection? collection, out StoreError? error) ? ReadInfo(collection) : error;

    /// <summary>
    /// The live vectors of every version a collection holds: a sum over its segments, cheap enough for every request
    /// (collection info counts each graph's indexed rows one by one).
    /// </summary>
    public StoreResult<long> CountVectors(string name)
    {
        if (!TryGetCollection(name, out Collection? collection, out StoreError? error))
        {
            return error;
        }

        using Collection.ReadScope scope = collection.EnterRead();
        return collection.LiveVectorCount();
    }

    /// <summary>Deletes a collection and everything in it. Deleting a missing collection is a not-found refusal, so typos surface.</summary>
    public async Task<StoreResult<bool>> DeleteCollectionAsync(string name, CancellationToken cancellationToken)
    {
        using (await EnterCatalogAsync(cancellationToken).ConfigureAwait(false))
        {
            // By its own name only: deleting through an alias would delete whatever the alias names at that moment.
            if (!_collections.TryGetValue(name, out Collection? collection))
            {
                return AliasNotDeletable(name) ?? CollectionNotFound(name);
            }

            using (await collection.EnterWriterAsync(cancellationToken).ConfigureAwait(false))
            {
                if (await TryStorageAsync(() => _repository.DeleteCollectionAsync(name, cancellationToken)).ConfigureAwait(false) is { } failure)
                {
                    return failure;
                }

                collection.MarkDeleted();
                _collections.TryRemove(name, out _);
                ForgetAliasesOf(name);
                ForgetMigrationsOf(name);
                DeleteIndexFiles(name);
                return true;
            }
        }
    }

    /// <summary>Whether a name is acceptable for a collection: URL- and file-safe, and never <c>.</c> or <c>..</c>.</summary>
    public static bool IsValidCollectionName(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxCollectionNameLength || !char.IsAsciiLetterOrDigit(name[0]))
        {
            return false;
        }

        foreach (char c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Rows freed by deletes are dropped now rather than at the next threshold; answers do not change.</summary>
    public async Task<StoreResult<bool>> CompactAsync(string name, CancellationToken cancellationToken)
    {
        if (!TryGetCollection(name, out Collection? collection, out StoreError? error))
        {
            return error;
        }

        using (await collection.EnterWriterAsync(cancellationToken).ConfigureAwait(false))
        {
            collection.Compact();
            return true;
        }
    }

    // ---------------------------------------------------------------- items

    /// <summary>
    /// Inserts or replaces a batch of items atomically: every item is validated first, the batch is committed in one
    /// transaction, and only then becomes visible to searches, all at once. One bad item refuses the whole batch.
    /// </summary>
    /// <returns>The number of items written.</returns>
    public async Task<StoreResult<int>> UpsertItemsAsync(string collection, IReadOnlyList<ItemUpsert> items, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (items.Count == 0)
        {
            return Invalid("items must contain at least one item.");
        }

        if (items.Count > Limits.MaxBatchItems)
        {
            return new StoreError(StoreErrorCode.LimitExceeded, $"A batch may hold at most {Limits.MaxBatchItems} items; this one has {items.Count}. Split it.");
        }

        if (!TryGetCollection(collection, out Collection? state, out StoreError? error))
        {
            return error;
        }

        using (await state.EnterWriterAsync(cancellationToken).ConfigureAwait(false))
        {
            if (state.IsDeleted)
            {
                return CollectionNotFound(collection);
            }

            var seen = new HashSet<string>(StringComparer.Ordinal);
            var stored = new List<StoredItem>(items.Count);
            var payloads = new List<JsonElement?>(items.Count);
            // The version the previous vector key resolved to: items of a batch usually all name the same one.
            string? lastKey = null;
            ModelVersion? lastVersion = null;
            for (int i = 0; i < items.Count; i++)
            {
                ItemUpsert item = items[i];
                if (item is null)
                {
                    return Invalid($"items[{i}] is null.");
                }

                FieldName idField = FieldName.Indexed("items", i, ".id");
                if ((ValidateId(item.Id, idField, Limits) ?? NewItemRules.CheckNewId(item.Id, idField)) is { } idError)
                {
                    return idError;
                }

                if (!seen.Add(item.Id))
                {
                    return new StoreError(StoreErrorCode.DuplicateId, $"Item id '{item.Id}' appears more than once in the batch (again at items[{i}]).");
                }

                string? payloadJson = null;
                if (item.Payload is { } payload && payload.ValueKind != JsonValueKind.Null)
                {
                    if (payload.ValueKind != JsonValueKind.Object)
                    {
                        return Invalid($"items[{i}].payload must be a JSON object, not {payload.ValueKind}.");
                    }

                    if (NewItemRules.FindOutOfRangeNumber(payload, FieldName.Indexed("items", i, ".payload")) is { } where)
                    {
                        return Invalid($"{where} is a number beyond the range of a double; JavaScript and Python clients would read it as infinity.");
                    }

                    payloadJson = payload.GetRawText();
                    int bytes = Encoding.UTF8.GetByteCount(payloadJson);
                    if (bytes > Limits.MaxPayloadBytes)
                    {
                        return new StoreError(
                            StoreErrorCode.LimitExceeded,
                            $"items[{i}].payload is {bytes} bytes; the configured maximum is {Limits.MaxPayloadBytes}.");
                    }
                }

                // An item may hold no vector at all (waiting to be embedded, say): it is found by id, scroll, count and
                // filters, never by a vector search, and does not count against a search's coverage.
                IReadOnlyDictionary<string, float[]> given = item.Vectors ?? new Dictionary<string, float[]>();
                var vectors = new List<StoredVector>(given.Count);
                foreach ((string key, float[] values) in given)
                {
                    FieldName where = FieldName.Indexed("items", i, id: item.Id);
                    if (lastVersion is null || !string.Equals(key, lastKey, StringComparison.Ordinal))
                    {
                        if (!TryResolveVersion(_registry, key, where, out lastVersion, out StoreError? keyError))
                        {
                            return keyError!;
                        }

                        lastKey = key;
                    }

                    if (!TryPrepareVector(lastVersion!, values, where, out StoredVector? prepared, out StoreError? vectorError))
                    {
                        return vectorError!;
                    }

                    vectors.Add(prepared!);
                }

                stored.Add(new StoredItem(item.Id, payloadJson, vectors));
                payloads.Add(payloadJson is null ? null : item.Payload!.Value.Clone());
            }

            if (await TryStorageAsync(() => _repository.UpsertItemsAsync(state.Name, stored, cancellationToken)).ConfigureAwait(false) is { } failure)
            {
                return failure;
            }

            // Committed: from here on nothing may fail or be cancelled, or memory would lag the file.
            state.ApplyUpserts(stored, payloads, _registry, Indexes);
            return stored.Count;
        }
    }

    /// <summary>Deletes items by id in one transaction; ids that do not exist are ignored so a retried delete is harmless.</summary>
    /// <returns>How many of the ids existed and were deleted.</returns>
    public async Task<StoreResult<int>> DeleteItemsAsync(string collection, IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (ids.Count == 0)
        {
            return Invalid("ids must contain at least one id.");
        }

        if (ids.Count > Limits.MaxDeleteIds)
        {
            return new StoreError(StoreErrorCode.LimitExceeded, $"A delete may name at most {Limits.MaxDeleteIds} ids; this one names {ids.Count}.");
        }

        for (int i = 0; i < ids.Count; i++)
        {
            if (ValidateId(ids[i], FieldName.Indexed("ids", i), Limits) is { } idError)
            {
                return idError;
            }
        }

        if (!TryGetCollection(collection, out Collection? state, out StoreError? error))
        {
            return error;
        }

        using (await state.EnterWriterAsync(cancellationToken).ConfigureAwait(false))
        {
            if (state.IsDeleted)
            {
                return CollectionNotFound(collection);
            }

            // Under the writer gate no other write can change which ids exist, so no read lock is needed to look.
            var existing = ids.Distinct(StringComparer.Ordinal).Where(state.Contains).ToList();
            if (existing.Count == 0)
            {
                return 0;
            }

            if (await TryStorageAsync(() => _repository.DeleteItemsAsync(state.Name, existing, cancellationToken)).ConfigureAwait(false) is { } failure)
            {
                return failure;
            }

            state.ApplyDeletes(existing, Indexes);
            return existing.Count;
        }
    }

    /// <summary>
    /// Deletes every item whose payload matches the filter, in one transaction: the matching set is read under the
    /// collection's writer gate, so no concurrent write can slip an item in or out between choosing and deleting.
    /// </summary>
    /// <returns>How many items matched and were deleted.</returns>
    public async Task<StoreResult<int>> DeleteItemsAsync(string collection, PayloadFilter filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        if (filter.Validate() is { } filterError)
        {
            return filterError;
        }

        if (!TryGetCollection(collection, out Collection? state, out StoreError? error))
        {
            return error;
        }

        using (await state.EnterWriterAsync(cancellationToken).ConfigureAwait(false))
        {
            if (state.IsDeleted)
            {
                return CollectionNotFound(collection);
            }

            // Under the writer gate no other write can change items, so no read lock is needed to look.
            FilterPlan? narrowed = PayloadIndexPlanner.Plan(filter, state);
            var matching = narrowed is null
                ? state.Items.Where(item => filter.Matches(item.Payload)).Select(item => item.Id).ToList()
                : narrowed.Items.Where(narrowed.Matches).Select(item => item.Id).ToList();
            if (matching.Count == 0)
            {
                return 0;
            }

            if (await TryStorageAsync(() => _repository.DeleteItemsAsync(collection, matching, cancellationToken)).ConfigureAwait(false) is { } failure)
            {
                return failure;
            }

            state.ApplyDeletes(matching, Indexes);
            return matching.Count;
        }
    }

    /// <summary>One item, optionally with its vectors.</summary>
    public StoreResult<ItemView> GetItem(string collection, string id, bool withVectors)
    {
        if (!TryGetCollection(collection, out Collection? state, out StoreError? error))
        {
            return error;
        }

        using Collection.ReadScope scope = state.EnterRead();
        if (state.IsDeleted)
        {
            return CollectionNotFound(collection);
        }

        if (id is null || !state.TryGetItem(id, out ItemEntry item))
        {
            return new StoreError(StoreErrorCode.ItemNotFound, $"Collection '{collection}' has no item '{id}'.");
        }

        return ToView(item, withVectors);
    }

    /// <summary>
    /// Reads items in ordinal id order, a page at a time. The cursor encodes the last id returned, so a scroll
    /// survives concurrent writes and server restarts.
    /// </summary>
    /// <remarks>With a filter a page holds the next <paramref name="limit"/> matching items; the cursor works the same.</remarks>
    public StoreResult<ScrollPage> Scroll(string collection, string? cursor, int limit, bool withVectors, PayloadFilter? filter = null)
    {
        if (limit < 1 || limit > Limits.MaxScrollLimit)
        {
            return Invalid($"limit must be between 1 and {Limits.MaxScrollLimit}; it was {limit}.");
        }

        if (filter?.Validate() is { } filterError)
        {
            return filterError;
        }

        string? after = null;
        // A cursor only names the id to continue after, so any well-formed one is as good as an issued one: it is checked
        // for shape (an id this store could hold), not for origin.
        if (!string.IsNullOrEmpty(cursor) && (!TryDecodeCursor(cursor, out after) || ValidateId(after, "cursor", Limits) is not null))
        {
            return Invalid("cursor is not a scroll cursor (the base64url form of an item id, as nextCursor gives it); pass nextCursor from the previous page unchanged.");
        }

        if (!TryGetCollection(collection, out Collection? state, out StoreError? error))
        {
            return error;
        }

        using Collection.ReadScope scope = state.EnterRead();
        var page = new List<ItemView>(Math.Min(limit, state.ItemCount));
        string? last = null;
        bool more;

        // With a payload-index plan only its items are walked, in the same id order, so pages and cursors are unchanged.
        FilterPlan? narrowed = PayloadIndexPlanner.Plan(filter, state);
        IEnumerable<string> ids = narrowed is null ? state.IdsAfter(after) : PlannedIdsAfter(narrowed, after);
        foreach (string id in ids)
        {
            if (page.Count == limit)
            {
                break;
            }

            state.TryGetItem(id, out ItemEntry item);
            bool passes = narrowed is null ? filter is null || filter.Matches(item.Payload) : narrowed.Exact || filter!.Matches(item.Payload);
            if (!passes)
            {
                continue;
            }

            page.Add(ToView(item, withVectors));
            last = id;
        }

        // A full page has a next one when any id follows its last (matching or not, as the walk would have found it).
        more = page.Count == limit && last is not null && state.IdsAfter(last).Any();
        return new ScrollPage(page, more && last is not null ? EncodeCursor(last) : null);
    }

    /// <summary>How many items match a filter (all items when it is null).</summary>
    public StoreResult<long> Count(string collection, PayloadFilter? filter)
    {
        if (filter?.Validate() is { } filterError)
        {
            return filterError;
        }

        if (!TryGetCollection(collection, out Collection? state, out StoreError? error))
        {
            return error;
        }

        using Collection.ReadScope scope = state.EnterRead();
        if (filter is null || filter.IsEmpty)
        {
            return state.ItemCount;
        }

        FilterPlan? narrowed = PayloadIndexPlanner.Plan(filter, state);
        if (narrowed is { Exact: true })
        {
            return narrowed.Items.Count;
        }

        long count = 0;
        foreach (ItemEntry item in narrowed?.Items ?? state.Items)
        {
            if (filter.Matches(item.Payload))
            {
                count++;
            }
        }

        return count;
    }

    // ---------------------------------------------------------------- search

    /// <summary>
    /// Nearest-neighbour search over every version the collection holds that the query reaches: natively (the query
    /// carries a vector of that version) or through links (the query is mapped, hits name the link in <c>Via</c>). When
    /// several versions are searched, their candidates are merged onto the primary version's scale by
    /// <see cref="MixedVersionMerger"/>, and an item found in several versions is returned once. A version that is neither
    /// held natively nor reachable is refused with <see cref="StoreErrorCode.IncompatibleVersions"/>, never compared
    /// silently, even when dimensions match.
    /// </summary>
    /// <remarks>
    /// The pipeline is plan (<see cref="SearchPlanner"/>), per-segment candidates as plain values, pure merge, then
    /// fetch payloads and vectors for the final hits only. A cancelled token stops the scan within one block of rows.
    /// </remarks>
    public Task<StoreResult<SearchResult>> SearchAsync(string collection, SearchQuery query, CancellationToken cancellationToken)
    {
        try
        {
            return Task.FromResult(Search(collection, query, cancellationToken));
        }
        catch (OperationCanceledException ex) when (ex.CancellationToken == cancellationToken || cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<StoreResult<SearchResult>>(cancellationToken);
        }
    }

    /// <summary>
    /// Many nearest-neighbour queries of one model version against one collection. Every query's hits are exactly what
    /// <see cref="SearchAsync"/> returns for it alone, bridging and merging included; the batch is faster because blocks
    /// of queries share each pass over the vectors. Any invalid query refuses the whole batch, naming its index.
    /// </summary>
    /// <remarks>
    /// The batch sees one consistent state of the collection (one read lock for all queries), which a series of single
    /// searches interleaved with writes would not. The lock is held for the whole batch, hence
    /// <see cref="EngineLimits.MaxBatchQueries"/>.
    /// </remarks>
    public Task<StoreResult<BatchSearchResult>> SearchBatchAsync(string collection, BatchSearchQuery query, CancellationToken cancellationToken)
    {
        try
        {
            return Task.FromResult(SearchBatch(collection, query, cancellationToken));
        }
        catch (OperationCanceledException ex) when (ex.CancellationToken == cancellationToken || cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<StoreResult<BatchSearchResult>>(cancellationToken);
        }
    }

    // ---------------------------------------------------------------- links

    /// <summary>
    /// Declares two versions harmonic: their vectors are compared directly (FaceNet-style backward-compatible models).
    /// Requires equal dimension and metric. Declaring the same pair twice returns the existing link.
    /// </summary>
    public async Task<StoreResult<Outcome<HarmonicLink>>> DeclareIdentityLinkAsync(string from, string to, CancellationToken cancellationToken)
    {
        using (await _registry.EnterAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!TryResolveLinkEnds(from, to, out ModelVersion source, out ModelVersion target, out StoreError? error))
            {
                return error!;
            }

            if (source.Dimension != target.Dimension || source.Metric != target.Metric)
            {
                return Invalid(
                    $"An identity link needs equal dimension and metric: {source.Id} is {Describe(source)}, {target.Id} is {Describe(target)}. Fit a bridge instead.");
            }

            if (_registry.FindIdentity(source.Id, target.Id) is { } existing)
            {
                return new Outcome<HarmonicLink>(existing, Created: false);
            }

            var bridge = new IdentityBridge(source.Dimension);
            var link = new HarmonicLink(NewLinkId(), source.Id, target.Id, bridge, bridge, null, null, null, _time.GetUtcNow());
            return await SaveLinkAsync(link, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Fits a bridge from measured pairs and stores it with its held-out quality report. The fit runs outside every
    /// gate (it takes about a second for 5,000 pairs of 384-d), so writes and searches continue meanwhile.
    /// </summary>
    public async Task<StoreResult<Outcome<HarmonicLink>>> FitLinkAsync(LinkFitRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!TryResolveLinkEnds(request.From, request.To, out ModelVersion source, out ModelVersion target, out StoreError? error))
        {
            return error!;
        }

        bool auto = string.Equals(request.Kind, BridgeKindNames.Auto, StringComparison.Ordinal);
        BridgeKind kind = default;
        if (!auto && !BridgeKindNames.TryParse(request.Kind, out kind))
        {
            return Invalid($"kind must be 'auto', 'identity', 'procrustes', 'scaled-procrustes', 'ridge', 'low-rank' or 'rff-ridge'; it was '{request.Kind}'.");
        }

        if (!auto && kind == BridgeKind.Identity)
        {
            return Invalid("An identity link is declared, not fitted: send it without a fit source.");
        }

        if (!(request.Holdout >= LinkFitRequest.MinHoldout && request.Holdout <= LinkFitRequest.MaxHoldout))
        {
            return Invalid($"holdout must be between {LinkFitRequest.MinHoldout} and {LinkFitRequest.MaxHoldout}; it was {request.Holdout}.");
        }

        if (!TryCollectPairs(request, source, target, out float[] sources, out float[] targets, out int pairs, out error))
        {
            return error!;
        }

        var options = new BridgeFitOptions
        {
            Seed = request.Seed,
            HoldoutFraction = request.Holdout,
            NormalizeOutput = target.Normalized || target.Metric == DistanceMetric.CosineSimilarity,
        };
        var reverseOptions = options with { NormalizeOutput = source.Normalized || source.Metric == DistanceMetric.CosineSimilarity };
        // auto leaves out rff-ridge: on the shared 384-d data it gains under 0.01 recall@10 over ridge but costs ~140 µs per
        // query to apply (ridge: ~9 µs) and seconds to fit. It stays available by name.
        IReadOnlyList<BridgeKind> kinds = auto
            ? [.. BridgeSelector.AllKinds.Where(k => k is not (BridgeKind.Identity or BridgeKind.RandomFourierRidge))]
            : [kind];

        long started = Stopwatch.GetTimestamp();
        BridgeSelection forward;
        BridgeSelection? backward = null;
        VectorBridge? reverse;
        try
        {
            // CPU-bound: off the request thread, and cancellable between the two directions.
            forward = await Task.Run(() => BridgeSelector.Select(sources, source.Dimension, targets, target.Dimension, options, kinds, target.Metric), cancellationToken)
                .ConfigureAwait(false);
            if (!forward.Bridge.TryInvert(reverseOptions.NormalizeOutput, out reverse))
            {
                BridgeKind chosen = forward.Bridge.Kind;
                backward = await Task.Run(() => BridgeSelector.Select(targets, target.Dimension, sources, source.Dimension, reverseOptions, [chosen], source.Metric), cancellationToken)
                    .ConfigureAwait(false);
                reverse = backward.Bridge;
            }
        }
        catch (ArgumentException ex)
        {
            return Invalid($"The bridge cannot be fitted: {ex.Message}");
        }

        double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var fit = new LinkFit(
            request.Collection is not null ? "collection" : "pairs",
            request.Collection,
            pairs,
            request.Holdout,
            request.Seed,
            Math.Round(seconds, 3),
            [.. forward.Candidates.OrderByDescending(c => c.Report.RecallAt10).Select(c => new LinkCandidate(c.Kind, c.Report.RecallAt10, c.Report.MeanCosine))]);
        var link = new HarmonicLink(NewLinkId(), source.Id, target.Id, forward.Bridge, reverse, forward.Report, backward?.Report, fit, _time.GetUtcNow());

        using (await _registry.EnterAsync(cancellationToken).ConfigureAwait(false))
        {
            // The versions may have been re-registered while fitting; a link must match what is registered now.
            if (!_registry.TryGet(source.Id, out ModelVersion nowSource) || !nowSource.HasSameShape(source)
                || !_registry.TryGet(target.Id, out ModelVersion nowTarget) || !nowTarget.HasSameShape(target))
            {
                return new StoreError(StoreErrorCode.VersionConflict, "A linked model version was re-registered during the fit; fit again.", [source.Id.ToString(), target.Id.ToString()]);
            }

            return await SaveLinkAsync(link, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>All links, oldest first.</summary>
    public IReadOnlyList<HarmonicLink> ListLinks() => _registry.ListLinks();

    /// <summary>One link.</summary>
    public StoreResult<HarmonicLink> GetLink(string id) =>
        _registry.TryGetLink(id, out HarmonicLink link) ? link : new StoreError(StoreErrorCode.LinkNotFound, $"No link has id '{id}'.");

    /// <summary>Deletes a link; searches that relied on it are refused (409) afterwards instead of silently comparing.</summary>
    public async Task<StoreResult<bool>> DeleteLinkAsync(string id, CancellationToken cancellationToken)
    {
        using (await _registry.EnterAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!_registry.TryGetLink(id, out _))
            {
                return new StoreError(StoreErrorCode.LinkNotFound, $"No link has id '{id}'.");
            }

            if (await TryStorageAsync(() => _repository.DeleteLinkAsync(id, cancellationToken)).ConfigureAwait(false) is { } failure)
            {
                return failure;
            }

            _registry.RemoveLink(id);
            return true;
        }
    }

    // ---------------------------------------------------------------- jobs

    /// <summary>
    /// Starts a forward migration by map as a background job: every item of <paramref name="collection"/> that holds a
    /// vector in the link's source version but none in its target gets one computed through the link, stored with
    /// lineage <c>derived</c> and the link's id, in chunks of 1,000 that each commit with the job's cursor. Items
    /// re-embedded natively meanwhile are left alone. The request is checked now; the work happens in the runner.
    /// </summary>
    /// <param name="linkId">The link to apply.</param>
    /// <param name="collection">The collection to fill.</param>
    /// <param name="reverse">Apply the link's reverse map (target to source) instead of its forward map.</param>
    /// <param name="cancellationToken">Cancels before the job is recorded.</param>
    public async Task<StoreResult<JobRecord>> StartDeriveAsync(string linkId, string collection, bool reverse, CancellationToken cancellationToken)
    {
        StoreResult<HarmonicLink> found = GetLink(linkId);
        if (!found.IsSuccess)
        {
            return found.Error;
        }

        HarmonicLink link = found.Value!;
        if ((reverse ? link.Reverse : link.Bridge) is null)
        {
            return Invalid($"Link {link.Id} ({BridgeKindNames.ToWireName(link.Kind)}) has no reverse map; derive forward ({link.From} to {link.To}) instead.");
        }

        if (!TryGetCollection(collection, out Collection? state, out StoreError? error))
        {
            return error;
        }

        long total;
        using (state.EnterRead())
        {
            total = state.ItemCount;
        }

        string parameters = DeriveJobHandler.WriteParameters(link.Id, reverse);
        return await Jobs.EnqueueAsync(JobKinds.Derive, state.Name, parameters, total, cancellationToken).ConfigureAwait(false);
    }

    // ---------------------------------------------------------------- IEmbeddingService (async forms of the in-memory reads)

    Task<IReadOnlyList<ModelVersion>> IEmbeddingService.ListModelVersionsAsync(CancellationToken cancellationToken) => Task.FromResult(ListModelVersions());

    Task<StoreResult<ModelVersion>> IEmbeddingService.GetModelVersionAsync(string model, string version, CancellationToken cancellationToken) =>
        Task.FromResult(GetModelVersion(model, version));

    Task<IReadOnlyList<CollectionInfo>> IEmbeddingService.ListCollectionsAsync(CancellationToken cancellationToken) => Task.FromResult(ListCollections());

    Task<StoreResult<CollectionInfo>> IEmbeddingService.GetCollectionAsync(string name, CancellationToken cancellationToken) =>
        Task.FromResult(GetCollection(name));

    Task<StoreResult<long>> IEmbeddingService.CountVectorsAsync(string name, CancellationToken cancellationToken) =>
        Task.FromResult(CountVectors(name));

    Task<StoreResult<ItemView>> IEmbeddingService.GetItemAsync(string collection, string id, bool withVectors, CancellationToken cancellationToken) =>
        Task.FromResult(GetItem(collection, id, withVectors));

    Task<StoreResult<ScrollPage>> IEmbeddingService.ScrollAsync(
        string collection, string? cursor, int limit, bool withVectors, PayloadFilter? filter, CancellationToken cancellationToken) =>
        Task.FromResult(Scroll(collection, cursor, limit, withVectors, filter));

    Task<StoreResult<long>> IEmbeddingService.CountAsync(string collection, PayloadFilter? filter, CancellationToken cancellationToken) =>
        Task.FromResult(Count(collection, filter));

    Task<IReadOnlyList<HarmonicLink>> IEmbeddingService.ListLinksAsync(CancellationToken cancellationToken) => Task.FromResult(ListLinks());

    Task<StoreResult<HarmonicLink>> IEmbeddingService.GetLinkAsync(string id, CancellationToken cancellationToken) => Task.FromResult(GetLink(id));

    Task<IReadOnlyList<JobRecord>> IEmbeddingService.ListJobsAsync(CancellationToken cancellationToken) => Task.FromResult(Jobs.List());

    Task<StoreResult<JobRecord>> IEmbeddingService.GetJobAsync(string id, CancellationToken cancellationToken) => Task.FromResult(Jobs.Get(id));

    Task<StoreResult<JobRecord>> IEmbeddingService.CancelJobAsync(string id, CancellationToken cancellationToken) => Jobs.CancelAsync(id, cancellationToken);

    Task<StoreResult<JobRecord>> IEmbeddingService.PauseJobAsync(string id, CancellationToken cancellationToken) => Jobs.PauseAsync(id, cancellationToken);

    Task<StoreResult<JobRecord>> IEmbeddingService.ResumeJobAsync(string id, CancellationToken cancellationToken) => Jobs.ResumeAsync(id, cancellationToken);

    /// <summary>Releases the locks.</summary>
    public void Dispose()
    {
        _disposed = true;
        _catalogGate.Dispose();
        _migrationGate.Dispose();
        _registry.Dispose();
        Jobs.Dispose();
        foreach (Collection collection in _collections.Values)
        {
            collection.Dispose();
        }
    }

    // ---------------------------------------------------------------- internals shared with the job handlers

    internal bool TryGetCollection(string name, [NotNullWhen(true)] out Collection? collection, [NotNullWhen(false)] out StoreError? error)
    {
        // A collection by its own name, else through an alias (one place, so every operation accepts either). The alias
        // is read once, so a request that resolved it keeps that collection even if the alias switches meanwhile.
        if (name is not null && (_collections.TryGetValue(name, out collection) || TryResolveAlias(name, out collection)))
        {
            error = null;
            return true;
        }

        collection = null;
        error = CollectionNotFound(name);
        return false;
    }

    internal static StoreError CollectionNotFound(string? name) => new(StoreErrorCode.CollectionNotFound, $"Collection '{name}' does not exist.");

    // Runs a repository write; a store that refuses writes becomes a refusal, anything else is a bug and propagates.
    internal static async Task<StoreError?> TryStorageAsync(Func<Task> write)
    {
        try
        {
            await write().ConfigureAwait(false);
            return null;
        }
        catch (StorageUnavailableException ex)
        {
            return new StoreError(StoreErrorCode.StorageUnavailable, ex.Message);
        }
    }

    private static string Describe(ModelVersion v) =>
        $"{v.Dimension}-d {ScoreMapping.ToWireName(v.Metric)}{(v.Normalized ? ", normalized" : string.Empty)}";

    private static CollectionInfo ReadInfo(Collection collection)
    {
        using Collection.ReadScope scope = collection.EnterRead();
        return collection.ToInfo();
    }

    private async Task<Collection.GateScope> EnterCatalogAsync(CancellationToken cancellationToken)
    {
        await _catalogGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Collection.GateScope(_catalogGate);
    }

    // The checks single and batch search share, in the order callers see them: k and the filter, the index kind and its
    // options (before the collection, so a malformed request is refused the same way whether or not the collection
    // exists), then the collection and the kind that serves it (the request's, else the collection's default).
    private StoreError? BeginSearch(
        string collection, int k, PayloadFilter? filter, IndexKind? requested, IndexOptions options, out Collection state, out IndexKind kind)
    {
        state = null!;
        kind = default;
        if (k < 1 || k > Limits.MaxK)
        {
            return k < 1
                ? Invalid($"k must be at least 1; it was {k}.")
                : new StoreError(StoreErrorCode.LimitExceeded, $"k may be at most {Limits.MaxK}; it was {k}.");
        }

        if (filter?.Validate() is { } filterError)
        {
            return filterError;
        }

        if (requested is { } named && !Indexes.TryGet(named, out _))
        {
            return Indexes.Unknown(named.Name);
        }

        if (options.ValidateOversampling(Limits) is { } optionError)
        {
            return optionError;
        }

        if (!TryGetCollection(collection, out Collection? found, out StoreError? error))
        {
            return error;
        }

        state = found;
        kind = requested ?? found.DefaultIndex;
        return Indexes.TryGet(kind, out IVectorIndexFactory factory) ? factory.Validate(options, Limits) : Indexes.Unknown(kind.Name);
    }

    private StoreResult<SearchResult> Search(string collection, SearchQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        IndexOptions options = query.Options ?? IndexOptions.Default;
        if (BeginSearch(collection, query.K, query.Filter, query.Index, options, out Collection state, out IndexKind kind) is { } refused)
        {
            return refused;
        }

        if (!TryPrepareQueries(state, query, out List<(ModelVersion Version, float[] Vector)> queries, out ModelVersion primary, out StoreError? error))
        {
            return error!;
        }

        HashSet<ModelVersionId>? restrict = null;
        if (query.SearchVersions is { Count: > 0 })
        {
            restrict = [];
            foreach (string text in query.SearchVersions)
            {
                if (!_registry.TryResolve(text, out ModelVersion v, out error))
                {
                    return error!;
                }

                restrict.Add(v.Id);
            }
        }

        EnsureSearchIndexes(state, kind, options, cancellationToken);
        LinkGraph graph = _registry.Graph;
        using Collection.ReadScope scope = state.EnterRead();
        if (state.IsDeleted)
        {
            return CollectionNotFound(collection);
        }

        List<VersionPlan> plans = SearchPlanner.Plan(state.LiveSegments().Select(s => s.Version), queries, primary, graph, query.Bridging, restrict);
        if (plans.Count == 0)
        {
            return SearchUnreachable(state, [.. queries.Select(q => q.Version)], restrict);
        }

        SearchCoverage coverage = SearchCoverageCount.Count(state, plans);
        bool narrowed = restrict is not null || query.Bridging == BridgingMode.None;
        if (!coverage.IsComplete && !query.AllowPartial && !narrowed)
        {
            return SearchPartial(state, [.. queries.Select(q => q.Version)], coverage);
        }

        int perPlan = MixedVersionMerger.CandidatesPerPlan(query.K, plans);
        CandidateList[] lists = LocalSegmentSearch.Search(state, plans, kind, options, query.Filter, perPlan, Limits, cancellationToken);
        lists = ReferenceScoring.Attach(state, plans, lists, graph);
        List<MergedHit> merged = MixedVersionMerger.Merge(plans, lists, state.VectorItemCount, query.K);
        return new SearchResult(Fetch(state, plans, merged, query.WithPayload, query.WithVectors), kind, coverage, PlanOf(lists));
    }

    // The indexes a search needs built before it takes the read lock: its kind's, and the int8 codes a graph walk on codes
    // reads (a quantized graph search makes them maintained, as an int8 search would).
    private void EnsureSearchIndexes(Collection state, IndexKind kind, IndexOptions options, CancellationToken cancellationToken)
    {
        var built = new List<VectorSegment>();
        state.EnsureIndex(kind, Indexes, cancellationToken, built);
        SaveBuilt(state, kind, built);
        if (options.Quantized == true && kind == IndexKind.Hnsw)
        {
            state.EnsureIndex(IndexKind.Int8, Indexes, cancellationToken);
        }
    }

    private StoreResult<BatchSearchResult> SearchBatch(string collection, BatchSearchQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Vectors is null || query.Vectors.Count == 0)
        {
            return Invalid("vectors must contain at least one query vector.");
        }

        if (query.Vectors.Count > Limits.MaxBatchQueries)
        {
            return new StoreError(
                StoreErrorCode.LimitExceeded, $"A batch may hold at most {Limits.MaxBatchQueries} queries; this one has {query.Vectors.Count}. Split it.");
        }

        IndexOptions options = query.Options ?? IndexOptions.Default;
        if (BeginSearch(collection, query.K, query.Filter, query.Index, options, out Collection state, out IndexKind kind) is { } refused)
        {
            return refused;
        }

        if (QueryVersion(state, query.Version) is not { } versionText)
        {
            return NoServingVersion(state);
        }

        if (!_registry.TryResolve(versionText, out ModelVersion version, out StoreError? error))
        {
            return error!;
        }

        var prepared = new float[query.Vectors.Count][];
        for (int i = 0; i < query.Vectors.Count; i++)
        {
            float[]? vector = query.Vectors[i];
            if (vector is null)
            {
                return Invalid($"vectors[{i}] is null.");
            }

            if (!TryCheckVector(version, vector, FieldName.Indexed("vectors", i), out error))
            {
                return error!;
            }

            prepared[i] = Prepared(version, vector);
        }

        EnsureSearchIndexes(state, kind, options, cancellationToken);
        LinkGraph graph = _registry.Graph;
        using Collection.ReadScope scope = state.EnterRead();
        if (state.IsDeleted)
        {
            return CollectionNotFound(collection);
        }

        List<ModelVersion> held = [.. state.LiveSegments().Select(s => s.Version)];
        var plans = new List<VersionPlan>[prepared.Length];
        for (int i = 0; i < prepared.Length; i++)
        {
            plans[i] = SearchPlanner.Plan(held, [(version, prepared[i])], version, graph, BridgingMode.Auto, null);
            if (plans[i].Count == 0)
            {
                StoreResult<SearchResult> absent = SearchUnreachable(state, [version], null);
                if (!absent.IsSuccess)
                {
                    return absent.Error!;
                }

                // Nothing stored at all: every query's honest answer is empty.
                return new BatchSearchResult([.. query.Vectors.Select(_ => new SearchResult([], kind))]);
            }
        }

        // Queries of one version usually plan the same versions: coverage is counted once per distinct set of them.
        var coverages = new SearchCoverage[prepared.Length];
        var counted = new Dictionary<string, SearchCoverage>(StringComparer.Ordinal);
        for (int i = 0; i < prepared.Length; i++)
        {
            string key = string.Join('|', plans[i].Select(p => p.Version.ToString() + ":" + p.Via));
            if (!counted.TryGetValue(key, out SearchCoverage? coverage))
            {
                coverage = SearchCoverageCount.Count(state, plans[i]);
                counted[key] = coverage;
            }

            if (!coverage.IsComplete && !query.AllowPartial)
            {
                return SearchPartial(state, [version], coverage, $"vectors[{i}]: ").Error!;
            }

            coverages[i] = coverage;
        }

        CandidateList[][] lists = LocalSegmentSearch.SearchBatch(state, plans, kind, options, query.Filter, query.K, Limits, cancellationToken);
        var results = new SearchResult[prepared.Length];
        for (int i = 0; i < prepared.Length; i++)
        {
            lists[i] = ReferenceScoring.Attach(state, plans[i], lists[i], graph);
            List<MergedHit> merged = MixedVersionMerger.Merge(plans[i], lists[i], state.VectorItemCount, query.K);
            results[i] = new SearchResult(Fetch(state, plans[i], merged, query.WithPayload, query.WithVectors), kind, coverages[i], PlanOf(lists[i]));
        }

        return new BatchSearchResult(results);
    }

    // The plan a search reports: the most approximate one its segments ran.
    private static SearchPlan PlanOf(CandidateList[] lists)
    {
        SearchPlan plan = SearchPlan.Exact;
        foreach (CandidateList list in lists)
        {
            plan = SearchPlanNames.Combine(plan, list.Plan);
        }

        return plan;
    }

    // The final hits only get payloads and vectors, under the same read lock that produced them.
    private static List<SearchHit> Fetch(Collection collection, IReadOnlyList<VersionPlan> plans, List<MergedHit> merged, bool withPayload, bool withVectors)
    {
        var hits = new List<SearchHit>(merged.Count);
        foreach (MergedHit hit in merged)
        {
            collection.TryGetItem(hit.Id, out ItemEntry item);
            ModelVersionId version = plans[hit.Plan].Version;
            float[]? vector = null;
            if (withVectors && collection.FindSegment(version) is { } segment)
            {
                vector = segment.Row(item.RowIn(segment)).ToArray();
            }

            hits.Add(new SearchHit(item.Id, hit.Score, version.ToString(), withPayload ? item.Payload : null, vector, hit.RawScore, hit.Via));
        }

        return hits;
    }

    // The version a query's vector is in: the one it names, else the serving one; null when it names none and the
    // collection has none (NoServingVersion).
    private static string? QueryVersion(Collection state, string? named) => named ?? state.ServingVersion?.ToString();

    // A plain vector search names no version and means the serving one; a collection without one has nothing to mean.
    private static StoreError NoServingVersion(Collection state) =>
        Invalid(
            $"Collection '{state.Name}' has no serving version, so a vector search must name its version (model@version); or set a serving version by putting the collection again with one.");

    private bool TryPrepareQueries(
        Collection state, SearchQuery query, out List<(ModelVersion Version, float[] Vector)> queries, out ModelVersion primary, out StoreError? error)
    {
        queries = [];
        primary = null!;
        var raw = new List<(string Version, float[]? Vector)>();
        if (query.Vectors is { Count: > 0 })
        {
            if (query.Vector is not null)
            {
                error = Invalid("Give either vector (with an optional version) or vectors keyed by model@version, not both.");
                return false;
            }

            if (query.Version is not null && !query.Vectors.ContainsKey(query.Version))
            {
                error = Invalid($"With vectors, version names the primary version and must be one of its keys; '{query.Version}' is not.");
                return false;
            }

            raw.AddRange(query.Vectors.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => (kv.Key, (float[]?)kv.Value)));
        }
        else if (query.Vector is null)
        {
            error = Invalid("vector is required (or vectors keyed by model@version).");
            return false;
        }
        else if (QueryVersion(state, query.Version) is not { } versionText)
        {
            error = NoServingVersion(state);
            return false;
        }
        else
        {
            raw.Add((versionText, query.Vector));
        }

        foreach ((string text, float[]? vector) in raw)
        {
            if (!_registry.TryResolve(text, out ModelVersion version, out error))
            {
                return false;
            }

            if (vector is null)
            {
                error = Invalid($"The query vector for {version.Id} is null.");
                return false;
            }

            if (!TryCheckVector(version, vector, "query", out error))
            {
                return false;
            }

            queries.Add((version, Prepared(version, vector)));
        }

        // The primary version sets the score scale and wins de-duplication: the only one, else the one the caller named
        // (during a re-embedding, the new version), else the serving version, else the first by name.
        primary = queries.Count == 1
            ? queries[0].Version
            : queries.FirstOrDefault(q => string.Equals(q.Version.Id.ToString(), query.Version, StringComparison.Ordinal)).Version
                ?? queries.FirstOrDefault(q => q.Version.Id == state.ServingVersion).Version
                ?? queries[0].Version;
        error = null;
        return true;
    }

    // Nothing the query can be compared with. Empty is the honest answer only when the collection holds no vectors at
    // all; otherwise "no results" would hide "these results are not comparable". Under the read lock.
    private static StoreResult<SearchResult> SearchUnreachable(Collection state, IReadOnlyList<ModelVersion> asked, HashSet<ModelVersionId>? restrict)
    {
        var live = state.LiveSegments().Select(s => s.Version.Id).ToList();
        var held = live.Where(id => restrict is null || restrict.Contains(id)).Select(id => id.ToString()).Order(StringComparer.Ordinal).ToList();
        if (live.Count == 0)
        {
            return new SearchResult([], IndexKind.Exact);
        }

        string askedText = string.Join(", ", asked.Select(v => v.Id.ToString()));
        var versions = asked.Select(v => v.Id.ToString()).ToList();
        versions.AddRange(held);
        string holds = held.Count == 0 ? "none of the requested versions" : string.Join(", ", held);
        return new StoreError(
            StoreErrorCode.IncompatibleVersions,
            $"Collection '{state.Name}' holds no vectors of {askedText}; it holds {holds}, and no link makes {askedText} comparable with them.",
            versions);
    }

    // The query reaches only part of the collection: refused the way an unreachable version is, because hits from one item
    // out of three would pass for the collection's nearest neighbours. Under the read lock.
    private static StoreResult<SearchResult> SearchPartial(Collection state, IReadOnlyList<ModelVersion> asked, SearchCoverage coverage, string prefix = "")
    {
        string askedText = string.Join(", ", asked.Select(v => v.Id.ToString()));
        var searched = coverage.Versions.Select(v => v.Version).ToHashSet(StringComparer.Ordinal);
        var unreached = state.LiveSegments().Select(s => s.Version.Id.ToString()).Where(v => !searched.Contains(v)).Order(StringComparer.Ordinal).ToList();
        string parts = string.Join(", ", coverage.Versions.Select(v => $"{v.Version}: {v.Vectors}"));
        var versions = asked.Select(v => v.Id.ToString()).ToList();
        versions.AddRange(unreached);
        return new StoreError(
            StoreErrorCode.IncompatibleVersions,
            $"{prefix}A {askedText} query reaches {coverage.SearchedItems} of the {coverage.HeldItems} items of collection '{state.Name}' ({parts}); " +
            (unreached.Count == 0 ? "the other items hold no vector it can be compared with. " : $"no link makes it comparable with {string.Join(", ", unreached)}. ") +
            "Fit or declare a link, or set allowPartial to accept an answer from part of the collection.",
            versions.Distinct(StringComparer.Ordinal).ToList());
    }

    private static string NewLinkId() => "lnk-" + Guid.NewGuid().ToString("N")[..16];

    private async Task<StoreResult<Outcome<HarmonicLink>>> SaveLinkAsync(HarmonicLink link, CancellationToken cancellationToken)
    {
        var stored = new StoredLink(
            link.Id,
            link.From,
            link.To,
            BridgeKindNames.ToWireName(link.Kind),
            link.Bridge.Serialize(),
            link.Reverse?.Serialize(),
            link.Quality is null ? null : LinkCodec.WriteQuality(link.Quality),
            link.Fit is null ? null : LinkCodec.WriteFit(link.Fit),
            link.CreatedAt);
        if (await TryStorageAsync(() => _repository.SaveLinkAsync(stored, cancellationToken)).ConfigureAwait(false) is { } failure)
        {
            return failure;
        }

        _registry.AddLink(link);
        return new Outcome<HarmonicLink>(link, Created: true);
    }

    private static HarmonicLink ReadLink(StoredLink stored)
    {
        VectorBridge bridge = VectorBridge.Deserialize(stored.Bridge);
        VectorBridge? reverse = stored.ReverseBridge is null ? null : VectorBridge.Deserialize(stored.ReverseBridge);
        BridgeQualityReport? quality = stored.QualityJson is null ? null : LinkCodec.ReadQuality(stored.QualityJson);
        LinkFit? fit = stored.FitJson is null ? null : LinkCodec.ReadFit(stored.FitJson);
        return new HarmonicLink(stored.Id, stored.From, stored.To, bridge, reverse, quality, null, fit, stored.CreatedAt);
    }

    private bool TryResolveLinkEnds(string from, string to, out ModelVersion source, out ModelVersion target, out StoreError? error)
    {
        target = null!;
        if (!_registry.TryResolve(from, out source, out error) || !_registry.TryResolve(to, out target, out error))
        {
            return false;
        }

        if (source.Id == target.Id)
        {
            error = Invalid($"A link joins two different versions; both ends are {source.Id}.");
            return false;
        }

        return true;
    }

    // Gathers training pairs: uploaded ones first, then the collection's items that hold both versions, in id order.
    private bool TryCollectPairs(LinkFitRequest request, ModelVersion source, ModelVersion target, out float[] sources, out float[] targets, out int pairs, out StoreError? error)
    {
        sources = [];
        targets = [];
        pairs = 0;
        var fromRows = new List<float[]>();
        var toRows = new List<float[]>();
        if (request.FromVectors is not null || request.ToVectors is not null)
        {
            if (request.FromVectors is null || request.ToVectors is null || request.FromVectors.Count != request.ToVectors.Count)
            {
                error = Invalid($"pairs need as many 'from' as 'to' vectors; got {request.FromVectors?.Count ?? 0} and {request.ToVectors?.Count ?? 0}.");
                return false;
            }

            for (int i = 0; i < request.FromVectors.Count; i++)
            {
                if (!TryCheckVector(source, request.FromVectors[i] ?? [], FieldName.Indexed("pairs.from", i), out error)
                    || !TryCheckVector(target, request.ToVectors[i] ?? [], FieldName.Indexed("pairs.to", i), out error))
                {
                    return false;
                }

                fromRows.Add(Prepared(source, request.FromVectors[i]));
                toRows.Add(Prepared(target, request.ToVectors[i]));
            }
        }

        if (request.Collection is not null)
        {
            if (!TryGetCollection(request.Collection, out Collection? state, out error))
            {
                return false;
            }

            using Collection.ReadScope scope = state.EnterRead();
            if (state.FindSegment(source.Id) is { } fromSegment && state.FindSegment(target.Id) is { } toSegment)
            {
                foreach (string id in state.IdsAfter(null))
                {
                    state.TryGetItem(id, out ItemEntry item);
                    int a = item.RowIn(fromSegment), b = item.RowIn(toSegment);

                    // Only native pairs: a derived vector is the image of its partner under an earlier map, so fitting on
                    // it would teach the new bridge to copy the old one (and report its own fit as held-out quality).
                    if (a >= 0 && b >= 0 && item.DerivedLinkFor(source.Id) is null && item.DerivedLinkFor(target.Id) is null)
                    {
                        fromRows.Add(fromSegment.Row(a).ToArray());
                        toRows.Add(toSegment.Row(b).ToArray());
                    }
                }
            }
        }

        if (fromRows.Count < MinFitPairs)
        {
            error = Invalid(
                $"A bridge needs at least {MinFitPairs} pairs (items embedded by both {source.Id} and {target.Id}); found {fromRows.Count}.");
            return false;
        }

        if (fromRows.Count > MaxFitPairs)
        {
            // Deterministic subsample: a seeded shuffle, then the first MaxFitPairs.
            var random = new Random(request.Seed);
            int[] order = [.. Enumerable.Range(0, fromRows.Count)];
            random.Shuffle(order);
            fromRows = [.. order.Take(MaxFitPairs).Order().Select(i => fromRows[i])];
            toRows = [.. order.Take(MaxFitPairs).Order().Select(i => toRows[i])];
        }

        pairs = fromRows.Count;
        sources = new float[pairs * source.Dimension];
        targets = new float[pairs * target.Dimension];
        for (int i = 0; i < pairs; i++)
        {
            fromRows[i].CopyTo(sources, i * source.Dimension);
            toRows[i].CopyTo(targets, i * target.Dimension);
        }

        error = null;
        return true;
    }

    private static ItemView ToView(ItemEntry item, bool withVectors)
    {
        Dictionary<string, float[]>? vectors = null;
        Dictionary<string, string>? lineage = null;
        if (withVectors)
        {
            vectors = new Dictionary<string, float[]>(item.RowCount, StringComparer.Ordinal);
            lineage = new Dictionary<string, string>(item.RowCount, StringComparer.Ordinal);
            foreach ((VectorSegment segment, int row) in item.Rows)
            {
                vectors[segment.Version.Id.ToString()] = segment.Row(row).ToArray();
                lineage[segment.Version.Id.ToString()] = item.DerivedLinkFor(segment.Version.Id) is { } link ? "derived:" + link : "native";
            }
        }

        return new ItemView(item.Id, item.Payload, vectors, lineage);
    }

    // The plan's items after the cursor, in ordinal id order (the order a plain scroll walks).
    private static List<string> PlannedIdsAfter(FilterPlan narrowed, string? after)
    {
        var ids = new List<string>(narrowed.Items.Count);
        foreach (ItemEntry item in narrowed.Items)
        {
            if (after is null || string.CompareOrdinal(item.Id, after) > 0)
            {
                ids.Add(item.Id);
            }
        }

        ids.Sort(StringComparer.Ordinal);
        return ids;
    }

    private static string EncodeCursor(string lastId) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(lastId));

    private static bool TryDecodeCursor(string cursor, out string? lastId)
    {
        lastId = null;
        try
        {
            byte[] bytes = Base64Url.DecodeFromChars(cursor);
            lastId = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
            return lastId.Length > 0;
        }
        catch (FormatException)
        {
            return false;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
