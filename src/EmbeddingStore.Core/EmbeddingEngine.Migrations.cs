// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Collections.Concurrent;
using System.Globalization;
using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Jobs;
using EmbeddingStore.Core.Migrations;
using EmbeddingStore.Core.Persistence;
using EmbeddingStore.Core.Versioning;
using static EmbeddingStore.Core.Collections.VectorValidation;

namespace EmbeddingStore.Core;

// Model-upgrade migrations as operations. A migration is a durable record (the migrations table) over work that is
// already durable elsewhere: a transform's chunks are a derive job (cursor and counters committed with each chunk), a
// re-embedding's progress is the native vectors the collection holds. The record adds what only it knows: the plan,
// the gates, and the cut-over and rollback switches of the serving version, each committed together with the
// collection's new serving version in one transaction.
//
// Locks: every migration operation takes the migration gate first. It may then take the job runner's gate (start,
// pause, resume, cancel of a transform) or a collection's writer gate (cut-over, rollback, uploads), never the other way
// round: the runner holds its gate while a derive chunk takes the collection's writer gate, so the migration gate must
// come before both.
public sealed partial class EmbeddingEngine
{
    private readonly ConcurrentDictionary<string, MigrationRecord> _migrations = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, PendingPlan> _pendingPlans = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _migrationGate = new(1, 1);

    /// <summary>
    /// Creates a migration of a collection from the version it serves to <see cref="MigrationRequest.To"/>, and starts it
    /// unless asked only to plan. Only one migration per collection may be active (planned, running, paused, or completed
    /// and not yet cut over), so two never race to switch the serving version.
    /// </summary>
    public async Task<StoreResult<MigrationInfo>> CreateMigrationAsync(string collection, MigrationRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!MigrationStrategyNames.TryParse(request.Strategy, out MigrationStrategy strategy))
        {
            return Invalid($"strategy must be 'bridge', 'transform' or 'reembed'; it was '{request.Strategy}'.");
        }

        PendingOrder order = PendingOrder.Stratified;
        if (request.Order is not null && !PendingOrderNames.TryParse(request.Order, out order))
        {
            return Invalid($"order must be 'stratified', 'random' or 'id'; it was '{request.Order}'.");
        }

        if (request.RefitEveryPercent is < 0 or > 100)
        {
            return Invalid($"refitEveryPercent must be between 0 (never) and 100; it was {request.RefitEveryPercent}.");
        }

        MigrationGates gates = request.Gates ?? MigrationGates.None;
        if ((CheckFraction(gates.MinRecallAt10, "gates.minRecallAt10") ?? CheckFraction(gates.MinNativeFraction, "gates.minNativeFraction")) is { } badGate)
        {
            return badGate;
        }

        if (!TryGetCollection(collection, out Collection? state, out StoreError? error))
        {
            return error;
        }

        using (await EnterMigrationsAsync(cancellationToken).ConfigureAwait(false))
        {
            if (state.IsDeleted)
            {
                return CollectionNotFound(collection);
            }

            if (!_registry.TryResolve(request.To, out ModelVersion target, out error))
            {
                return error!;
            }

            if (state.ServingVersion is not { } from)
            {
                return Invalid(
                    $"Collection '{state.Name}' has no serving version, so there is nothing to migrate from; set one first by putting the collection again with a serving version.");
            }

            if (target.Id == from)
            {
                return Invalid($"Collection '{state.Name}' already serves {from}; a migration moves it to another version.");
            }

            if (_migrations.Values.FirstOrDefault(m => m.Collection == state.Name && MigrationStateNames.IsActive(EffectiveState(m))) is { } active)
            {
                return new StoreError(
                    StoreErrorCode.MigrationConflict,
                    $"Collection '{state.Name}' already has migration {active.Id} ({MigrationStateNames.ToWireName(EffectiveState(active))}, to {active.To}); cut it over or cancel it first.");
            }

            if (!TryChooseLink(strategy, from, target.Id, request.Link, out string? linkId, out error))
            {
                return error!;
            }

            DateTimeOffset now = _time.GetUtcNow();
            IReadOnlyList<LinkQualityPoint> history = linkId is null ? [] : [QualityPoint(linkId, from, target.Id, strategy, state, now)];
            var record = new MigrationRecord(
                "mig-" + Guid.NewGuid().ToString("N")[..16], state.Name, from, target.Id, strategy, MigrationState.Planned, linkId, null, gates, order,
                request.Seed, history, now, now)
            {
                RefitEveryPercent = request.RefitEveryPercent,
            };
            if (request.Start)
            {
                StoreResult<MigrationRecord> started = await StartCoreAsync(record, state, cancellationToken).ConfigureAwait(false);
                if (!started.IsSuccess)
                {
                    return started.Error;
                }

                record = started.Value!;
            }

            if (await TryStorageAsync(() => _repository.SaveMigrationAsync(record, null, cancellationToken)).ConfigureAwait(false) is { } failure)
            {
                if (record.JobId is not null)
                {
                    await Jobs.CancelAsync(record.JobId, CancellationToken.None).ConfigureAwait(false);
                }

                return failure;
            }

            _migrations[record.Id] = record;
            return Describe(record);
        }
    }

    /// <summary>A collection's migrations, newest first.</summary>
    public StoreResult<IReadOnlyList<MigrationInfo>> ListMigrations(string collection)
    {
        if (!TryGetCollection(collection, out Collection? state, out StoreError? error))
        {
            return error;
        }

        IReadOnlyList<MigrationInfo> list =
            [.. _migrations.Values.Where(m => m.Collection == state.Name).OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Id, StringComparer.Ordinal).Select(Describe)];
        return StoreResult<IReadOnlyList<MigrationInfo>>.Success(list);
    }

    /// <summary>One migration as it stands now.</summary>
    public StoreResult<MigrationInfo> GetMigration(string collection, string id) =>
        TryFindMigration(collection, id, out MigrationRecord? record, out _, out StoreError? error) ? Describe(record) : error;

    /// <summary>Starts a planned migration (a transform's job is queued; a bridge completes at once).</summary>
    public Task<StoreResult<MigrationInfo>> StartMigrationAsync(string collection, string id, CancellationToken cancellationToken) =>
        ChangeMigrationAsync(collection, id, MigrationAction.Start, cancellationToken);

    /// <summary>Holds a running migration between chunks (a re-embedding stops handing out pending items).</summary>
    public Task<StoreResult<MigrationInfo>> PauseMigrationAsync(string collection, string id, CancellationToken cancellationToken) =>
        ChangeMigrationAsync(collection, id, MigrationAction.Pause, cancellationToken);

    /// <summary>Continues a paused migration from its stored cursor, or starts a planned one.</summary>
    public Task<StoreResult<MigrationInfo>> ResumeMigrationAsync(string collection, string id, CancellationToken cancellationToken) =>
        ChangeMigrationAsync(collection, id, MigrationAction.Resume, cancellationToken);

    /// <summary>Stops a migration that has not been cut over; what it wrote stays, and the collection keeps serving the old version.</summary>
    public Task<StoreResult<MigrationInfo>> CancelMigrationAsync(string collection, string id, CancellationToken cancellationToken) =>
        ChangeMigrationAsync(collection, id, MigrationAction.Cancel, cancellationToken);

    /// <summary>
    /// Switches the collection's serving version to the migration's target in one transaction, if the state and the gates
    /// allow: a refused cut-over names the measured figure and the gate it missed.
    /// </summary>
    public Task<StoreResult<MigrationInfo>> CutOverMigrationAsync(string collection, string id, CancellationToken cancellationToken) =>
        ChangeMigrationAsync(collection, id, MigrationAction.CutOver, cancellationToken);

    /// <summary>
    /// Deletes the old vectors of a cut-over collection's items that hold a new-version vector, reclaiming memory and
    /// disk. Final: a purged migration cannot be rolled back.
    /// </summary>
    public Task<StoreResult<MigrationInfo>> PurgeMigrationAsync(string collection, string id, CancellationToken cancellationToken) =>
        ChangeMigrationAsync(collection, id, MigrationAction.Purge, cancellationToken);

    /// <summary>Switches a cut-over collection back to the old version; nothing was deleted, so the old answers return at once.</summary>
    public Task<StoreResult<MigrationInfo>> RollbackMigrationAsync(string collection, string id, CancellationToken cancellationToken) =>
        ChangeMigrationAsync(collection, id, MigrationAction.Rollback, cancellationToken);

    /// <summary>
    /// The next items of a re-embedding that still lack a native new-version vector, in the migration's pending order.
    /// </summary>
    /// <param name="collection">The collection (or an alias of it).</param>
    /// <param name="id">The migration.</param>
    /// <param name="cursor">Where the previous page stopped; null for the first page.</param>
    /// <param name="limit">Items per page, 1 to <see cref="EngineLimits.MaxScrollLimit"/>.</param>
    public StoreResult<PendingPage> GetPendingItems(string collection, string id, string? cursor, int limit)
    {
        if (limit < 1 || limit > Limits.MaxScrollLimit)
        {
            return Invalid($"limit must be between 1 and {Limits.MaxScrollLimit}; it was {limit}.");
        }

        if (!TryFindMigration(collection, id, out MigrationRecord? record, out Collection? state, out StoreError? error))
        {
            return error;
        }

        if (record.Strategy != MigrationStrategy.Reembed)
        {
            return new StoreError(
                StoreErrorCode.MigrationStateConflict,
                $"Migration {id} is a {MigrationStrategyNames.ToWireName(record.Strategy)} migration; only a reembed migration has pending items.");
        }

        MigrationState effective = EffectiveState(record);
        if (effective is MigrationState.Planned or MigrationState.Paused or MigrationState.Cancelled or MigrationState.Failed)
        {
            return new StoreError(
                StoreErrorCode.MigrationStateConflict,
                $"Migration {id} is {MigrationStateNames.ToWireName(effective)}; pending items are handed out while it runs (resume it first).");
        }

        long position = 0;
        if (cursor is not null && (!long.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out position) || position < 0))
        {
            return Invalid($"cursor must be a value returned as nextCursor; it was '{cursor}'.");
        }

        string[] order = PlanPending(record, state);
        using (state.EnterRead())
        {
            VectorSegment? native = state.FindSegment(record.To);
            var items = new List<PendingItem>(limit);
            long remaining = 0;
            long next = -1;
            for (long i = 0; i < order.Length; i++)
            {
                if (!state.TryGetItem(order[i], out ItemEntry item) || HasNative(item, native, record.To))
                {
                    continue;
                }

                remaining++;
                if (i < position)
                {
                    continue;
                }

                if (items.Count < limit)
                {
                    items.Add(new PendingItem(item.Id, item.Payload));
                }
                else if (next < 0)
                {
                    next = i;
                }
            }

            return new PendingPage(items, next < 0 ? null : next.ToString(CultureInfo.InvariantCulture), remaining);
        }
    }

    /// <summary>
    /// Stores re-embedded (native) new-version vectors for existing items, keeping their payloads and old vectors (a
    /// plain upsert would replace the whole item and drop the old vector a rollback needs). One transaction; a native
    /// vector replaces a derived one.
    /// </summary>
    public async Task<StoreResult<int>> AddMigrationVectorsAsync(
        string collection, string id, IReadOnlyList<(string ItemId, float[] Vector)> vectors, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        if (vectors.Count == 0 || vectors.Count > Limits.MaxBatchItems)
        {
            return new StoreError(StoreErrorCode.LimitExceeded, $"A batch carries 1 to {Limits.MaxBatchItems} vectors; it had {vectors.Count}.");
        }

        using (await EnterMigrationsAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!TryFindMigration(collection, id, out MigrationRecord? record, out Collection? state, out StoreError? error))
            {
                return error;
            }

            if (record.Strategy != MigrationStrategy.Reembed || EffectiveState(record) is MigrationState.Planned or MigrationState.Cancelled or MigrationState.Failed)
            {
                return new StoreError(
                    StoreErrorCode.MigrationStateConflict,
                    $"Migration {id} ({MigrationStrategyNames.ToWireName(record.Strategy)}, {MigrationStateNames.ToWireName(EffectiveState(record))}) takes no re-embedded vectors; only a started reembed migration does.");
            }

            if (!_registry.TryGet(record.To, out ModelVersion target))
            {
                return new StoreError(StoreErrorCode.ModelVersionNotFound, $"Model version {record.To} is not registered.", [record.To.ToString()]);
            }

            using (await state.EnterWriterAsync(cancellationToken).ConfigureAwait(false))
            {
                if (state.IsDeleted)
                {
                    return CollectionNotFound(collection);
                }

                var batch = new List<(string ItemId, StoredVector Vector)>(vectors.Count);
                var seen = new HashSet<string>(StringComparer.Ordinal);
                for (int i = 0; i < vectors.Count; i++)
                {
                    (string itemId, float[] vector) = vectors[i];
                    if (itemId is null || !state.Contains(itemId))
                    {
                        return new StoreError(StoreErrorCode.ItemNotFound, $"items[{i}]: collection '{state.Name}' has no item '{itemId}'; nothing was stored.");
                    }

                    if (!seen.Add(itemId))
                    {
                        return new StoreError(StoreErrorCode.DuplicateId, $"items[{i}]: item '{itemId}' appears twice in the batch; nothing was stored.");
                    }

                    if (!TryCheckVector(target, vector ?? [], FieldName.Indexed("items", i, ".vector"), out error))
                    {
                        return error!;
                    }

                    batch.Add((itemId, new StoredVector(target.Id, Prepared(target, vector), VectorOrigin.Native, null)));
                }

                if (await TryStorageAsync(() => _repository.AddVectorsAsync(state.Name, batch, null, cancellationToken)).ConfigureAwait(false) is { } failure)
                {
                    return failure;
                }

                state.ApplyVectors(target, batch, Indexes);
            }

            await MaybeAutoRefitAsync(record, state, cancellationToken).ConfigureAwait(false);
            return vectors.Count;
        }
    }

    /// <summary>
    /// Refits the migration's link on every pair the collection now holds natively in both versions (derived vectors are
    /// never pairs) and adopts it, adding a point to the link history: as a re-embedding grows, so does the bridge it
    /// serves through. The old link stays registered, so searches that named it keep working.
    /// </summary>
    /// <param name="collection">The collection (or an alias of it).</param>
    /// <param name="id">The migration.</param>
    /// <param name="kind">A bridge kind's wire name, or null for <c>auto</c> (every candidate fitted, the best kept).</param>
    /// <param name="cancellationToken">Cancels before the link is stored.</param>
    public async Task<StoreResult<MigrationInfo>> RefitMigrationLinkAsync(string collection, string id, string? kind, CancellationToken cancellationToken)
    {
        using (await EnterMigrationsAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!TryFindMigration(collection, id, out MigrationRecord? record, out Collection? state, out StoreError? error))
            {
                return error;
            }

            if (EffectiveState(record) is MigrationState.Cancelled or MigrationState.Failed)
            {
                return new StoreError(StoreErrorCode.MigrationStateConflict, $"Migration {id} is {MigrationStateNames.ToWireName(EffectiveState(record))}; its link is no longer refitted.");
            }

            StoreResult<MigrationRecord> refitted = await RefitCoreAsync(record, state, kind ?? BridgeKindNames.Auto, cancellationToken).ConfigureAwait(false);
            return refitted.IsSuccess ? Describe(refitted.Value!) : refitted.Error;
        }
    }

    // Under the migration gate: fits a new link on the collection's native pairs and adopts it with a history point. A
    // transform maps stored old vectors forward, so its link is fitted old -> new. A bridge or a re-embedding serves new
    // queries over old vectors, and its mixed search scores the old candidates corpus-side (their vectors mapped into the
    // new version) when it can, which a scratch simulation found far better: on a 2,000-item fortunes subset at 15 % re-embedded, 0.2727
    // against 0.2253 for a query-side ridge (docs/migrations.md). Both directions come from one link only when it has an
    // exact inverse, so for those strategies `auto` means scaled Procrustes fitted old -> new, and any other reversible
    // kind is fitted that way too; a kind without an inverse is fitted new -> old, the direction the queries need.
    private async Task<StoreResult<MigrationRecord>> RefitCoreAsync(MigrationRecord record, Collection state, string kind, CancellationToken cancellationToken)
    {
        bool reversible = BridgeKindNames.TryParse(kind, out BridgeKind parsed) && parsed is BridgeKind.Procrustes or BridgeKind.ScaledProcrustes;
        if (record.Strategy != MigrationStrategy.Transform && string.Equals(kind, BridgeKindNames.Auto, StringComparison.Ordinal))
        {
            kind = BridgeKindNames.ToWireName(BridgeKind.ScaledProcrustes);
            reversible = true;
        }

        (ModelVersionId fitFrom, ModelVersionId fitTo) = record.Strategy == MigrationStrategy.Transform || reversible ? (record.From, record.To) : (record.To, record.From);
        StoreResult<Outcome<HarmonicLink>> fitted = await FitLinkAsync(
            new LinkFitRequest(fitFrom.ToString(), fitTo.ToString(), kind, state.Name), cancellationToken).ConfigureAwait(false);
        if (!fitted.IsSuccess)
        {
            return fitted.Error;
        }

        HarmonicLink link = fitted.Value!.Value;
        DateTimeOffset now = _time.GetUtcNow();
        MigrationRecord updated = record with
        {
            LinkId = link.Id,
            History = [.. record.History, QualityPoint(link.Id, record.From, record.To, record.Strategy, state, now)],
            UpdatedAt = now,
        };
        if (await TryStorageAsync(() => _repository.SaveMigrationAsync(updated, null, cancellationToken)).ConfigureAwait(false) is { } failure)
        {
            return failure;
        }

        _migrations[updated.Id] = updated;
        return updated;
    }

    // After an upload: when the native fraction has crossed the next multiple of RefitEveryPercent since the link was last
    // adopted, and enough native pairs exist to fit on, the link is refitted (the current link's kind; when it has none or
    // is an identity, ridge for a transform and scaled Procrustes, which serves both directions, for the others). A refit that cannot be done now (too few pairs) waits for the next crossing; the upload
    // stands either way.
    private async Task<MigrationRecord> MaybeAutoRefitAsync(MigrationRecord record, Collection state, CancellationToken cancellationToken)
    {
        if (record.RefitEveryPercent <= 0)
        {
            return record;
        }

        long items, native, pairs;
        using (state.EnterRead())
        {
            (items, native, _) = CountTarget(state, record.To);
            pairs = CountNativePairs(state, record.From, record.To);
        }

        double fraction = items == 0 ? 1 : (double)native / items;
        double last = record.History.Count == 0 ? 0 : record.History[^1].NativeFraction;
        if (Math.Floor(fraction * 100 / record.RefitEveryPercent) <= Math.Floor(last * 100 / record.RefitEveryPercent) || pairs < MinFitPairs)
        {
            return record;
        }

        string kind = record.LinkId is not null && _registry.TryGetLink(record.LinkId, out HarmonicLink current) && current.Kind != BridgeKind.Identity
            ? BridgeKindNames.ToWireName(current.Kind)
            : BridgeKindNames.ToWireName(record.Strategy == MigrationStrategy.Transform ? BridgeKind.Ridge : BridgeKind.ScaledProcrustes);
        StoreResult<MigrationRecord> refitted = await RefitCoreAsync(record, state, kind, cancellationToken).ConfigureAwait(false);
        return refitted.IsSuccess ? refitted.Value! : record;
    }

    // Under the read lock: items holding native vectors of both versions, the pairs a refit can use.
    private static long CountNativePairs(Collection state, ModelVersionId from, ModelVersionId to)
    {
        VectorSegment? a = state.FindSegment(from), b = state.FindSegment(to);
        if (a is null || b is null)
        {
            return 0;
        }

        long pairs = 0;
        foreach (ItemEntry item in state.Items)
        {
            if (HasNative(item, a, from) && HasNative(item, b, to))
            {
                pairs++;
            }
        }

        return pairs;
    }

    Task<StoreResult<MigrationInfo>> IEmbeddingService.CreateMigrationAsync(string collection, MigrationRequest request, CancellationToken cancellationToken) =>
        CreateMigrationAsync(collection, request, cancellationToken);

    Task<StoreResult<IReadOnlyList<MigrationInfo>>> IEmbeddingService.ListMigrationsAsync(string collection, CancellationToken cancellationToken) =>
        Task.FromResult(ListMigrations(collection));

    Task<StoreResult<MigrationInfo>> IEmbeddingService.GetMigrationAsync(string collection, string id, CancellationToken cancellationToken) =>
        Task.FromResult(GetMigration(collection, id));

    Task<StoreResult<MigrationInfo>> IEmbeddingService.ChangeMigrationAsync(string collection, string id, MigrationAction action, CancellationToken cancellationToken) =>
        ChangeMigrationAsync(collection, id, action, cancellationToken);

    Task<StoreResult<PendingPage>> IEmbeddingService.GetPendingItemsAsync(string collection, string id, string? cursor, int limit, CancellationToken cancellationToken) =>
        Task.FromResult(GetPendingItems(collection, id, cursor, limit));

    Task<StoreResult<int>> IEmbeddingService.AddMigrationVectorsAsync(
        string collection, string id, IReadOnlyList<(string ItemId, float[] Vector)> vectors, CancellationToken cancellationToken) =>
        AddMigrationVectorsAsync(collection, id, vectors, cancellationToken);

    Task<StoreResult<MigrationInfo>> IEmbeddingService.RefitMigrationLinkAsync(string collection, string id, string? kind, CancellationToken cancellationToken) =>
        RefitMigrationLinkAsync(collection, id, kind, cancellationToken);

    /// <summary>Applies one state change to a migration: the one place the state machine lives.</summary>
    public async Task<StoreResult<MigrationInfo>> ChangeMigrationAsync(string collection, string id, MigrationAction action, CancellationToken cancellationToken)
    {
        using (await EnterMigrationsAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!TryFindMigration(collection, id, out MigrationRecord? record, out Collection? state, out StoreError? error))
            {
                return error;
            }

            MigrationState current = EffectiveState(record);
            DateTimeOffset now = _time.GetUtcNow();
            MigrationRecord? next = null;
            CollectionRecord? serving = null;
            switch (action)
            {
                case MigrationAction.Start:
                case MigrationAction.Resume when current == MigrationState.Planned:
                    if (current != MigrationState.Planned)
                    {
                        return StateConflict(record, current, action);
                    }

                    StoreResult<MigrationRecord> started = await StartCoreAsync(record, state, cancellationToken).ConfigureAwait(false);
                    if (!started.IsSuccess)
                    {
                        return started.Error;
                    }

                    next = started.Value! with { UpdatedAt = now };
                    break;

                case MigrationAction.Resume:
                    if (current != MigrationState.Paused)
                    {
                        return current == MigrationState.Running ? Describe(record) : StateConflict(record, current, action);
                    }

                    if (record.JobId is not null && await Jobs.ResumeAsync(record.JobId, cancellationToken).ConfigureAwait(false) is { IsSuccess: false } resumeFailed)
                    {
                        return resumeFailed.Error;
                    }

                    next = record with { State = MigrationState.Running, UpdatedAt = now };
                    break;

                case MigrationAction.Pause:
                    if (current != MigrationState.Running)
                    {
                        return current == MigrationState.Paused ? Describe(record) : StateConflict(record, current, action);
                    }

                    if (record.JobId is not null && await Jobs.PauseAsync(record.JobId, cancellationToken).ConfigureAwait(false) is { IsSuccess: false } pauseFailed)
                    {
                        return pauseFailed.Error;
                    }

                    next = record with { State = MigrationState.Paused, UpdatedAt = now };
                    break;

                case MigrationAction.Cancel:
                    if (!MigrationStateNames.IsActive(current))
                    {
                        return current == MigrationState.Cancelled ? Describe(record) : StateConflict(record, current, action);
                    }

                    if (record.JobId is not null && Jobs.Get(record.JobId) is { IsSuccess: true } job && !JobStateNames.IsFinal(job.Value!.State))
                    {
                        if (await Jobs.CancelAsync(record.JobId, cancellationToken).ConfigureAwait(false) is { IsSuccess: false } cancelFailed)
                        {
                            return cancelFailed.Error;
                        }
                    }

                    next = record with { State = MigrationState.Cancelled, UpdatedAt = now };
                    break;

                case MigrationAction.CutOver:
                    if (current == MigrationState.CutOver)
                    {
                        return Describe(record);
                    }

                    bool ready = current is MigrationState.Completed or MigrationState.RolledBack
                        || (record.Strategy == MigrationStrategy.Reembed && current is MigrationState.Running or MigrationState.Paused);
                    if (!ready)
                    {
                        return StateConflict(record, current, action);
                    }

                    if (ServesOther(record, state, record.From) is { } movedOn)
                    {
                        return movedOn;
                    }

                    if (CheckGates(Describe(record)) is { } gateFailure)
                    {
                        return gateFailure;
                    }

                    if (!_registry.TryGet(record.To, out _))
                    {
                        return new StoreError(StoreErrorCode.ModelVersionNotFound, $"Model version {record.To} is not registered.", [record.To.ToString()]);
                    }

                    next = record with { State = MigrationState.CutOver, UpdatedAt = now };
                    serving = new CollectionRecord(state.Name, record.To, state.CreatedAt, state.DefaultIndex, state.IndexSettings);
                    break;

                case MigrationAction.Rollback:
                    if (current == MigrationState.RolledBack)
                    {
                        return Describe(record);
                    }

                    if (current != MigrationState.CutOver)
                    {
                        return StateConflict(record, current, action);
                    }

                    if (ServesOther(record, state, record.To) is { } changedSince)
                    {
                        return changedSince;
                    }

                    next = record with { State = MigrationState.RolledBack, UpdatedAt = now };
                    serving = new CollectionRecord(state.Name, record.From, state.CreatedAt, state.DefaultIndex, state.IndexSettings);
                    break;

                case MigrationAction.Purge:
                    if (current == MigrationState.Purged)
                    {
                        return Describe(record);
                    }

                    if (current != MigrationState.CutOver)
                    {
                        return StateConflict(record, current, action);
                    }

                    return await PurgeCoreAsync(record with { State = MigrationState.Purged, UpdatedAt = now }, state, cancellationToken).ConfigureAwait(false);

                default:
                    return Invalid($"Unknown migration action {action}.");
            }

            if (serving is null)
            {
                if (await TryStorageAsync(() => _repository.SaveMigrationAsync(next, null, cancellationToken)).ConfigureAwait(false) is { } failure)
                {
                    return failure;
                }

                _migrations[next.Id] = next;
                return Describe(next);
            }

            // The switch: under the collection's writer gate, so no write sees a half-switched collection, and the serving
            // version and the migration's state are committed in one transaction.
            using (await state.EnterWriterAsync(cancellationToken).ConfigureAwait(false))
            {
                if (state.IsDeleted)
                {
                    return CollectionNotFound(collection);
                }

                serving = serving with { DefaultIndex = state.DefaultIndex, IndexSettings = state.IndexSettings };
                if (await TryStorageAsync(() => _repository.SaveMigrationAsync(next, serving, cancellationToken)).ConfigureAwait(false) is { } failure)
                {
                    return failure;
                }

                state.SetSettings(serving.ServingVersion, serving.DefaultIndex, serving.IndexSettings ?? Core.Indexes.IndexSettings.Default);
                _migrations[next.Id] = next;
                return Describe(next);
            }
        }
    }

    // Deletes the old version's vector of every item that holds a new one, and records the purge, in one transaction under
    // the collection's writer gate. Items without a new vector keep their old one (they are still served through the link).
    private async Task<StoreResult<MigrationInfo>> PurgeCoreAsync(MigrationRecord next, Collection state, CancellationToken cancellationToken)
    {
        using (await state.EnterWriterAsync(cancellationToken).ConfigureAwait(false))
        {
            if (state.IsDeleted)
            {
                return CollectionNotFound(next.Collection);
            }

            var ids = new List<string>();
            VectorSegment? old = state.FindSegment(next.From), current = state.FindSegment(next.To);
            if (old is not null && current is not null)
            {
                foreach (ItemEntry item in state.Items)
                {
                    if (item.RowIn(old) >= 0 && item.RowIn(current) >= 0)
                    {
                        ids.Add(item.Id);
                    }
                }
            }

            if (await TryStorageAsync(() => _repository.DeleteVectorsAsync(state.Name, next.From, ids, next, cancellationToken)).ConfigureAwait(false) is { } failure)
            {
                return failure;
            }

            state.RemoveVectors(next.From, ids, Indexes);
            _migrations[next.Id] = next;
            return Describe(next);
        }
    }

    private static StoreError? CheckFraction(double? value, string field) =>
        value is { } v && !(v >= 0 && v <= 1) ? Invalid($"{field} must be between 0 and 1; it was {v.ToString(CultureInfo.InvariantCulture)}.") : null;

    // A switch is only made from the version it expects the collection to serve: after a later migration (or a manual
    // change of the serving version), an old migration's cut-over or rollback would silently undo it.
    private static StoreError? ServesOther(MigrationRecord record, Collection state, ModelVersionId expected) =>
        state.ServingVersion == expected
            ? null
            : new StoreError(
                StoreErrorCode.MigrationStateConflict,
                $"Collection '{state.Name}' serves {state.ServingVersion} now, not {expected}; migration {record.Id} ({record.From} to {record.To}) no longer switches it.");

    private static StoreError StateConflict(MigrationRecord record, MigrationState current, MigrationAction action) => new(
        StoreErrorCode.MigrationStateConflict,
        $"Migration {record.Id} ({MigrationStrategyNames.ToWireName(record.Strategy)}) is {MigrationStateNames.ToWireName(current)}; it cannot {MigrationActionNames.ToWireName(action)}.");

    private static bool HasNative(ItemEntry item, VectorSegment? segment, ModelVersionId version) =>
        segment is not null && item.RowIn(segment) >= 0 && item.DerivedLinkFor(version) is null;

    private async Task<Collection.GateScope> EnterMigrationsAsync(CancellationToken cancellationToken)
    {
        await _migrationGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Collection.GateScope(_migrationGate);
    }

    private bool TryFindMigration(
        string collection, string id, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out MigrationRecord? record,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Collection? state, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out StoreError? error)
    {
        record = null;
        if (!TryGetCollection(collection, out state, out error))
        {
            return false;
        }

        if (id is null || !_migrations.TryGetValue(id, out record) || record.Collection != state.Name)
        {
            record = null;
            state = null;
            error = new StoreError(StoreErrorCode.MigrationNotFound, $"Collection '{collection}' has no migration '{id}'.");
            return false;
        }

        return true;
    }

    // Starting: a transform queues its derive job; a bridge has nothing to write and is complete at once; a re-embedding
    // waits for vectors.
    private async Task<StoreResult<MigrationRecord>> StartCoreAsync(MigrationRecord record, Collection state, CancellationToken cancellationToken)
    {
        switch (record.Strategy)
        {
            case MigrationStrategy.Bridge:
                return record with { State = MigrationState.Completed };
            case MigrationStrategy.Reembed:
                return record with { State = MigrationState.Running };
            default:
                if (record.LinkId is null || !_registry.TryGetLink(record.LinkId, out HarmonicLink link))
                {
                    return new StoreError(StoreErrorCode.LinkNotFound, $"The migration's link '{record.LinkId}' no longer exists; plan a new migration with a link.");
                }

                long total;
                using (state.EnterRead())
                {
                    total = state.ItemCount;
                }

                bool reverse = link.From != record.From;
                StoreResult<JobRecord> job = await Jobs.EnqueueAsync(
                    JobKinds.Derive, state.Name, DeriveJobHandler.WriteParameters(link.Id, reverse), total, cancellationToken).ConfigureAwait(false);
                return job.IsSuccess ? record with { State = MigrationState.Running, JobId = job.Value!.Id } : job.Error;
        }
    }

    // The link a strategy uses, checked to run the right way: a transform needs a map from the old version into the new,
    // a bridge a map from the new into the old (its queries are mapped), a re-embedding either (optional). Without a
    // named link the best-reported one is chosen.
    private bool TryChooseLink(
        MigrationStrategy strategy, ModelVersionId from, ModelVersionId to, string? requested, out string? linkId, out StoreError? error)
    {
        linkId = null;
        error = null;
        (ModelVersionId source, ModelVersionId target) = strategy == MigrationStrategy.Transform ? (from, to) : (to, from);
        bool Usable(HarmonicLink l) => (l.From == source && l.To == target) || (l.From == target && l.To == source && l.Reverse is not null)
            || (strategy == MigrationStrategy.Reembed && ((l.From == to && l.To == from) || (l.From == from && l.To == to)));

        if (requested is not null)
        {
            if (!_registry.TryGetLink(requested, out HarmonicLink named))
            {
                error = new StoreError(StoreErrorCode.LinkNotFound, $"No link has id '{requested}'.");
                return false;
            }

            if (!Usable(named))
            {
                error = Invalid($"Link {named.Id} maps {named.From} to {named.To}{(named.Reverse is null ? " and has no reverse map" : string.Empty)}; a {MigrationStrategyNames.ToWireName(strategy)} migration from {from} to {to} needs a map from {source} to {target}.");
                return false;
            }

            linkId = named.Id;
            return true;
        }

        HarmonicLink? best = _registry.ListLinks().Where(Usable).OrderByDescending(l => DirectionalRecall(l, source) ?? 0).FirstOrDefault();
        if (best is null && strategy != MigrationStrategy.Reembed)
        {
            error = Invalid(
                $"No link maps {source} to {target}; a {MigrationStrategyNames.ToWireName(strategy)} migration needs one. Fit one first (POST /v1/links) or choose the reembed strategy.");
            return false;
        }

        linkId = best?.Id;
        return true;
    }

    // Held-out recall@10 of a link's map out of `source`: its forward report, or its reverse one; 1 for a declared identity.
    private static double? DirectionalRecall(HarmonicLink link, ModelVersionId source)
    {
        if (link.Kind == BridgeKind.Identity)
        {
            return 1;
        }

        return link.From == source ? link.Quality?.RecallAt10 : link.ReverseQuality?.RecallAt10 ?? link.Quality?.RecallAt10;
    }

    private double? LinkRecall(MigrationRecord record)
    {
        if (record.LinkId is null || !_registry.TryGetLink(record.LinkId, out HarmonicLink link))
        {
            return null;
        }

        return DirectionalRecall(link, record.Strategy == MigrationStrategy.Transform ? record.From : record.To);
    }

    private LinkQualityPoint QualityPoint(string linkId, ModelVersionId from, ModelVersionId to, MigrationStrategy strategy, Collection state, DateTimeOffset at)
    {
        _registry.TryGetLink(linkId, out HarmonicLink link);
        long items, native;
        using (state.EnterRead())
        {
            (items, native, _) = CountTarget(state, to);
        }

        double? recall = link is null ? null : DirectionalRecall(link, strategy == MigrationStrategy.Transform ? from : to);
        return new LinkQualityPoint(at, linkId, link?.Fit?.Pairs, recall, items == 0 ? 1 : (double)native / items);
    }

    // Under the read lock: items held, and how many hold a native or a derived vector of `to`.
    private static (long Items, long Native, long Derived) CountTarget(Collection state, ModelVersionId to)
    {
        VectorSegment? segment = state.FindSegment(to);
        long native = 0, derived = 0;
        if (segment is not null)
        {
            foreach (ItemEntry item in state.Items)
            {
                if (item.RowIn(segment) >= 0)
                {
                    if (item.DerivedLinkFor(to) is null)
                    {
                        native++;
                    }
                    else
                    {
                        derived++;
                    }
                }
            }
        }

        return (state.ItemCount, native, derived);
    }

    // A transform's working states follow its job (which the runner advances and which survives restarts on its own); a
    // re-embedding is complete while no item lacks a native vector. Everything else is the stored state.
    // Callers that have already counted the collection pass (items, native) so it is not walked twice.
    private MigrationState EffectiveState(MigrationRecord record, (long Items, long Native)? counted = null)
    {
        if (record.State is MigrationState.Running or MigrationState.Paused && record.JobId is not null && Jobs.Get(record.JobId) is { IsSuccess: true } job)
        {
            return job.Value!.State switch
            {
                JobState.Queued or JobState.Running => MigrationState.Running,
                JobState.Paused => MigrationState.Paused,
                JobState.Completed => MigrationState.Completed,
                JobState.Failed => MigrationState.Failed,
                _ => MigrationState.Cancelled,
            };
        }

        if (record.State == MigrationState.Running && record.Strategy == MigrationStrategy.Reembed)
        {
            if (counted is null && TryGetCollection(record.Collection, out Collection? state, out _))
            {
                using (state.EnterRead())
                {
                    (long items, long native, _) = CountTarget(state, record.To);
                    counted = (items, native);
                }
            }

            if (counted is { Items: > 0 } c && c.Native == c.Items)
            {
                return MigrationState.Completed;
            }
        }

        return record.State;
    }

    private MigrationInfo Describe(MigrationRecord record)
    {
        long items = 0, native = 0, derived = 0;
        if (TryGetCollection(record.Collection, out Collection? state, out _))
        {
            using (state.EnterRead())
            {
                (items, native, derived) = CountTarget(state, record.To);
            }
        }

        JobRecord? job = record.JobId is not null && Jobs.Get(record.JobId) is { IsSuccess: true } found ? found.Value : null;
        (long done, long total) = record.Strategy switch
        {
            MigrationStrategy.Transform => job is null ? (0, items) : (job.Done, job.Total),
            MigrationStrategy.Reembed => (native, items),
            _ => (0L, 0L),
        };
        return new MigrationInfo(record, EffectiveState(record, (items, native)), done, total, items, native, derived, LinkRecall(record), job?.State, record.Error ?? job?.Error);
    }

    private static StoreError? CheckGates(MigrationInfo info)
    {
        MigrationGates gates = info.Record.Gates;
        if (gates.MinRecallAt10 is { } minRecall)
        {
            if (info.LinkRecallAt10 is not { } recall)
            {
                return new StoreError(
                    StoreErrorCode.MigrationGateFailed,
                    $"The cut-over requires a link with held-out recall@10 of at least {minRecall.ToString(CultureInfo.InvariantCulture)}, and migration {info.Record.Id} has no link with a report; refit one first.");
            }

            if (recall < minRecall)
            {
                return new StoreError(
                    StoreErrorCode.MigrationGateFailed,
                    $"The cut-over requires held-out recall@10 of at least {minRecall.ToString(CultureInfo.InvariantCulture)}; link {info.Record.LinkId} reports {recall.ToString("0.####", CultureInfo.InvariantCulture)}.");
            }
        }

        if (gates.MinNativeFraction is { } minNative && info.NativeFraction < minNative)
        {
            return new StoreError(
                StoreErrorCode.MigrationGateFailed,
                $"The cut-over requires a native fraction of at least {minNative.ToString(CultureInfo.InvariantCulture)}; {info.NativeTarget} of {info.Items} items ({info.NativeFraction.ToString("0.####", CultureInfo.InvariantCulture)}) hold a native {info.Record.To} vector.");
        }

        return null;
    }

    // The pending order of a re-embedding, planned once over the old version's vectors and kept while the collection holds
    // the same number of items and old vectors (items added later are planned in again). The rows are copied under the
    // read lock and clustered outside it, so writers never wait for the k-means.
    private string[] PlanPending(MigrationRecord record, Collection state)
    {
        var withOld = new List<string>();
        var withoutOld = new List<string>();
        float[] gathered;
        int dimension;
        long stamp;
        using (state.EnterRead())
        {
            VectorSegment? old = state.FindSegment(record.From);
            stamp = ((long)state.ItemCount << 32) | (uint)(old?.LiveCount ?? 0);
            if (_pendingPlans.TryGetValue(record.Id, out PendingPlan? cached) && cached.Stamp == stamp)
            {
                return cached.Ids;
            }

            dimension = old?.Dimension ?? 0;
            var rows = new List<int>();
            foreach (string itemId in state.IdsAfter(null))
            {
                state.TryGetItem(itemId, out ItemEntry item);
                int row = old is null ? -1 : item.RowIn(old);
                if (row >= 0)
                {
                    withOld.Add(itemId);
                    rows.Add(row);
                }
                else
                {
                    withoutOld.Add(itemId);
                }
            }

            gathered = new float[withOld.Count * dimension];
            for (int i = 0; i < rows.Count; i++)
            {
                old!.Row(rows[i]).CopyTo(gathered.AsSpan(i * dimension, dimension));
            }
        }

        int[] permutation = PendingOrderPlanner.Plan(record.Order, gathered, dimension, withOld.Count, record.Seed);
        string[] ids = [.. permutation.Select(p => withOld[p]), .. withoutOld];
        _pendingPlans[record.Id] = new PendingPlan(stamp, ids);
        return ids;
    }

    private void ForgetMigrationsOf(string collection)
    {
        foreach (MigrationRecord record in _migrations.Values)
        {
            if (record.Collection == collection)
            {
                _migrations.TryRemove(record.Id, out _);
                _pendingPlans.TryRemove(record.Id, out _);
            }
        }
    }

    private async Task LoadMigrationsAsync(CancellationToken cancellationToken)
    {
        _migrations.Clear();
        _pendingPlans.Clear();
        await foreach (MigrationRecord record in _repository.ReadMigrationsAsync(cancellationToken).ConfigureAwait(false))
        {
            _migrations[record.Id] = record;
        }
    }

    private sealed record PendingPlan(long Stamp, string[] Ids);
}
