// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Collections.Concurrent;
using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Persistence;
using EmbeddingStore.Core.Vectors;
using EmbeddingStore.Core.Versioning;
using EmbeddingStore.Core.Versioning.Internal;

namespace EmbeddingStore.Core;

/// <summary>
/// The database engine: the model-version registry and every collection's in-memory search structures, kept in step
/// with a durable <see cref="IEmbeddingRepository"/>.
/// </summary>
/// <remarks>
/// Concurrency: one writer at a time (a single async lock, matching SQLite's single writer) and any number of concurrent
/// readers. Every write is validated completely, committed to the repository, and only then applied to memory; a
/// refusal or a storage failure therefore leaves both untouched. Reads never wait for the repository.
/// </remarks>
public sealed partial class EmbeddingEngine : IDisposable
{
    private readonly IEmbeddingRepository _repository;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ConcurrentDictionary<ModelVersionId, ModelVersion> _versions = new();
    private readonly ConcurrentDictionary<string, CollectionState> _collections = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, HarmonicLink> _links = new(StringComparer.Ordinal);

    // Rebuilt (copy-on-write) whenever links change, so searches read a consistent graph without a lock.
    private volatile LinkGraph _graph = new([]);

    /// <summary>Creates an engine over a repository; call <see cref="LoadAsync"/> before serving.</summary>
    public EmbeddingEngine(IEmbeddingRepository repository, EngineLimits? limits = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(repository);
        _repository = repository;
        Limits = limits ?? new EngineLimits();
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The limits every request is checked against.</summary>
    public EngineLimits Limits { get; }

    /// <summary>
    /// Rebuilds memory from the repository. The repository is the source of truth, so this is the whole recovery
    /// procedure after a restart or a crash.
    /// </summary>
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _versions.Clear();
            _collections.Clear();
            await foreach (ModelVersion version in _repository.ReadModelVersionsAsync(cancellationToken).ConfigureAwait(false))
            {
                _versions[version.Id] = version;
            }

            _links.Clear();
            await foreach (StoredLink stored in _repository.ReadLinksAsync(cancellationToken).ConfigureAwait(false))
            {
                _links[stored.Id] = ReadLink(stored);
            }

            _graph = new LinkGraph(_links.Values);

            var records = new List<CollectionRecord>();
            await foreach (CollectionRecord record in _repository.ReadCollectionsAsync(cancellationToken).ConfigureAwait(false))
            {
                records.Add(record);
            }

            foreach (CollectionRecord record in records)
            {
                var state = new CollectionState(record.Name, record.ServingVersion, record.CreatedAt) { DefaultIndex = record.DefaultIndex };
                await foreach (StoredItem stored in _repository.ReadItemsAsync(record.Name, cancellationToken).ConfigureAwait(false))
                {
                    ApplyUpsert(state, stored);
                }

                _collections[record.Name] = state;
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

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
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var proposed = new ModelVersion(id, dimension, metric, normalized, _time.GetUtcNow());
            if (_versions.TryGetValue(id, out ModelVersion? existing))
            {
                if (existing.HasSameShape(proposed))
                {
                    return new Outcome<ModelVersion>(existing, Created: false);
                }

                long used = CountVectors(id);
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

            _versions[id] = proposed;
            return new Outcome<ModelVersion>(proposed, Created: existing is null);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>All registered versions, ordered by name for stable listings.</summary>
    public IReadOnlyList<ModelVersion> ListModelVersions() =>
        [.. _versions.Values.OrderBy(v => v.Id.Model, StringComparer.Ordinal).ThenBy(v => v.Id.Version, StringComparer.Ordinal)];

    /// <summary>One registered version.</summary>
    public StoreResult<ModelVersion> GetModelVersion(string model, string version)
    {
        if (!ModelVersionId.IsValidPart(model) || !ModelVersionId.IsValidPart(version)
            || !_versions.TryGetValue(ModelVersionId.Create(model, version), out ModelVersion? found))
        {
            return new StoreError(StoreErrorCode.ModelVersionNotFound, $"Model version {model}@{version} is not registered.", [$"{model}@{version}"]);
        }

        return found;
    }

    /// <summary>Releases the locks.</summary>
    public void Dispose()
    {
        _writeLock.Dispose();
        foreach (CollectionState state in _collections.Values)
        {
            state.Dispose();
        }
    }

    private static string Describe(ModelVersion v) =>
        $"{v.Dimension}-d {ScoreMapping.ToWireName(v.Metric)}{(v.Normalized ? ", normalized" : string.Empty)}";

    private static StoreError Invalid(string message) => new(StoreErrorCode.InvalidArgument, message);

    private long CountVectors(ModelVersionId id)
    {
        long total = 0;
        foreach (CollectionState state in _collections.Values)
        {
            if (state.Segments.TryGetValue(id, out VectorSegment? segment))
            {
                total += segment.Count;
            }
        }

        return total;
    }

    // Runs a repository write; a store that refuses writes becomes a refusal, anything else is a bug and propagates.
    private static async Task<StoreError?> TryStorageAsync(Func<Task> write)
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

    private bool TryResolveVersion(string? text, out ModelVersion version, out StoreError? error)
    {
        version = null!;
        if (!ModelVersionId.TryParse(text, out ModelVersionId id))
        {
            error = Invalid($"'{text}' is not a model version; write it as model@version.");
            return false;
        }

        if (!_versions.TryGetValue(id, out ModelVersion? found))
        {
            error = new StoreError(StoreErrorCode.ModelVersionNotFound, $"Model version {id} is not registered.", [id.ToString()]);
            return false;
        }

        version = found;
        error = null;
        return true;
    }
}
