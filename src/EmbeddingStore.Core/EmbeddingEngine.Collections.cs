// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Persistence;
using EmbeddingStore.Core.Versioning;

namespace EmbeddingStore.Core;

public sealed partial class EmbeddingEngine
{
    /// <summary>The longest collection name; names appear in URLs and logs.</summary>
    public const int MaxCollectionNameLength = 128;

    /// <summary>Creates a collection or changes its serving version, keeping its default index.</summary>
    public Task<StoreResult<Outcome<CollectionInfo>>> PutCollectionAsync(string name, string servingVersion, CancellationToken cancellationToken) =>
        PutCollectionAsync(name, servingVersion, null, cancellationToken);

    /// <summary>
    /// Creates a collection, or changes an existing one's serving version (the cut-over step of a model upgrade).
    /// Repeating an identical request changes nothing, so clients may retry it.
    /// </summary>
    /// <param name="name">The collection.</param>
    /// <param name="servingVersion">The version plain queries search, <c>model@version</c>.</param>
    /// <param name="defaultIndex">What searches that name no index use; null keeps the current setting (exact for a new collection).</param>
    /// <param name="cancellationToken">Cancels before the write commits.</param>
    public async Task<StoreResult<Outcome<CollectionInfo>>> PutCollectionAsync(
        string name, string servingVersion, SearchIndexKind? defaultIndex, CancellationToken cancellationToken)
    {
        if (defaultIndex is { } kind && !Enum.IsDefined(kind))
        {
            return Invalid($"Unknown index {kind}; use exact or int8.");
        }

        if (!IsValidCollectionName(name))
        {
            return Invalid($"Collection names must be 1-{MaxCollectionNameLength} characters of A-Z, a-z, 0-9, '.', '_' or '-', starting with a letter or digit.");
        }

        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!TryResolveVersion(servingVersion, out ModelVersion version, out StoreError? error))
            {
                return error!;
            }

            if (_collections.TryGetValue(name, out CollectionState? existing))
            {
                SearchIndexKind index = defaultIndex ?? existing.DefaultIndex;
                if (existing.ServingVersion != version.Id || existing.DefaultIndex != index)
                {
                    var updated = new CollectionRecord(name, version.Id, existing.CreatedAt, index);
                    if (await TryStorageAsync(() => _repository.SaveCollectionAsync(updated, cancellationToken)).ConfigureAwait(false) is { } failure)
                    {
                        return failure;
                    }

                    existing.ServingVersion = version.Id;
                    existing.DefaultIndex = index;
                }

                return new Outcome<CollectionInfo>(ReadInfo(existing), Created: false);
            }

            var record = new CollectionRecord(name, version.Id, _time.GetUtcNow(), defaultIndex ?? SearchIndexKind.Exact);
            if (await TryStorageAsync(() => _repository.SaveCollectionAsync(record, cancellationToken)).ConfigureAwait(false) is { } saveFailure)
            {
                return saveFailure;
            }

            var state = new CollectionState(name, version.Id, record.CreatedAt) { DefaultIndex = record.DefaultIndex };
            _collections[name] = state;
            return new Outcome<CollectionInfo>(ReadInfo(state), Created: true);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>All collections, ordered by name.</summary>
    public IReadOnlyList<CollectionInfo> ListCollections() =>
        [.. _collections.Values.OrderBy(c => c.Name, StringComparer.Ordinal).Select(ReadInfo)];

    /// <summary>One collection's settings and counts.</summary>
    public StoreResult<CollectionInfo> GetCollection(string name)
    {
        if (!TryGetCollection(name, out CollectionState? state, out StoreError? error))
        {
            return error;
        }

        return ReadInfo(state);
    }

    /// <summary>Deletes a collection and everything in it. Deleting a missing collection is a not-found refusal, so typos surface.</summary>
    public async Task<StoreResult<bool>> DeleteCollectionAsync(string name, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!TryGetCollection(name, out CollectionState? state, out StoreError? error))
            {
                return error;
            }

            if (await TryStorageAsync(() => _repository.DeleteCollectionAsync(name, cancellationToken)).ConfigureAwait(false) is { } failure)
            {
                return failure;
            }

            state.Lock.EnterWriteLock();
            try
            {
                state.IsDeleted = true;
                _collections.TryRemove(name, out _);
            }
            finally
            {
                state.Lock.ExitWriteLock();
            }

            return true;
        }
        finally
        {
            _writeLock.Release();
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

    private static CollectionInfo ReadInfo(CollectionState state)
    {
        state.Lock.EnterReadLock();
        try
        {
            return state.ToInfo();
        }
        finally
        {
            state.Lock.ExitReadLock();
        }
    }

    private bool TryGetCollection(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out CollectionState? state, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out StoreError? error)
    {
        if (name is not null && _collections.TryGetValue(name, out state))
        {
            error = null;
            return true;
        }

        state = null;
        error = new StoreError(StoreErrorCode.CollectionNotFound, $"Collection '{name}' does not exist.");
        return false;
    }
}
