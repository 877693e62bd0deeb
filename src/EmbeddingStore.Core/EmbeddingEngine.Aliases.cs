// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using EmbeddingStore.Core.Collections;
using static EmbeddingStore.Core.Collections.VectorValidation;

namespace EmbeddingStore.Core;

// Collection aliases: their own state (the alias table) and the one place a name is resolved through it
// (TryGetCollection calls TryResolveAlias). Alias writes take the catalog gate, as collection creation and deletion do,
// so "an alias never shadows a collection and a collection never shadows an alias" holds between the check and the
// commit. A switch replaces one dictionary entry after its row is committed: a request resolves the alias once and is
// served wholly by the collection it found.
public sealed partial class EmbeddingEngine
{
    private readonly ConcurrentDictionary<string, CollectionAlias> _aliases = new(StringComparer.Ordinal);

    /// <summary>
    /// Creates an alias naming a collection, or switches an existing alias to another collection in one step: every
    /// request sees either the old or the new collection, never a mix and never a failure. The alias must not be a
    /// collection's name, and must name a collection by its own name (not another alias), so resolving is one lookup.
    /// </summary>
    public async Task<StoreResult<Outcome<CollectionAlias>>> PutAliasAsync(string alias, string collection, CancellationToken cancellationToken)
    {
        if (!IsValidCollectionName(alias))
        {
            return Invalid($"Alias names follow the collection name rules: 1-{MaxCollectionNameLength} characters of A-Z, a-z, 0-9, '.', '_' or '-', starting with a letter or digit.");
        }

        if (string.IsNullOrEmpty(collection))
        {
            return Invalid("collection is required: the collection the alias names.");
        }

        using (await EnterCatalogAsync(cancellationToken).ConfigureAwait(false))
        {
            if (_collections.ContainsKey(alias))
            {
                return new StoreError(
                    StoreErrorCode.NameConflict, $"'{alias}' is a collection's name; an alias may not shadow a collection. Choose another alias name.");
            }

            if (!_collections.ContainsKey(collection))
            {
                return _aliases.TryGetValue(collection, out CollectionAlias? chained)
                    ? Invalid($"'{collection}' is itself an alias (of '{chained.Collection}'); an alias names a collection by its own name.")
                    : CollectionNotFound(collection);
            }

            bool created = !_aliases.TryGetValue(alias, out CollectionAlias? current);
            if (current is not null && string.Equals(current.Collection, collection, StringComparison.Ordinal))
            {
                return new Outcome<CollectionAlias>(current, Created: false);
            }

            var record = new CollectionAlias(alias, collection, _time.GetUtcNow());
            if (await TryStorageAsync(() => _repository.SaveAliasAsync(record, cancellationToken)).ConfigureAwait(false) is { } failure)
            {
                return failure;
            }

            _aliases[alias] = record;
            return new Outcome<CollectionAlias>(record, created);
        }
    }

    /// <summary>All aliases, ordered by name.</summary>
    public IReadOnlyList<CollectionAlias> ListAliases() => [.. _aliases.Values.OrderBy(a => a.Alias, StringComparer.Ordinal)];

    /// <summary>One alias and the collection it names now.</summary>
    public StoreResult<CollectionAlias> GetAlias(string alias) =>
        alias is not null && _aliases.TryGetValue(alias, out CollectionAlias? found) ? found : AliasNotFound(alias);

    /// <summary>Deletes an alias; the collection it named is untouched. A missing alias is a not-found refusal, so typos surface.</summary>
    public async Task<StoreResult<bool>> DeleteAliasAsync(string alias, CancellationToken cancellationToken)
    {
        using (await EnterCatalogAsync(cancellationToken).ConfigureAwait(false))
        {
            if (alias is null || !_aliases.ContainsKey(alias))
            {
                return AliasNotFound(alias);
            }

            if (await TryStorageAsync(() => _repository.DeleteAliasAsync(alias, cancellationToken)).ConfigureAwait(false) is { } failure)
            {
                return failure;
            }

            _aliases.TryRemove(alias, out _);
            return true;
        }
    }

    Task<StoreResult<Outcome<CollectionAlias>>> IEmbeddingService.PutAliasAsync(string alias, string collection, CancellationToken cancellationToken) =>
        PutAliasAsync(alias, collection, cancellationToken);

    Task<IReadOnlyList<CollectionAlias>> IEmbeddingService.ListAliasesAsync(CancellationToken cancellationToken) => Task.FromResult(ListAliases());

    Task<StoreResult<CollectionAlias>> IEmbeddingService.GetAliasAsync(string alias, CancellationToken cancellationToken) => Task.FromResult(GetAlias(alias));

    Task<StoreResult<bool>> IEmbeddingService.DeleteAliasAsync(string alias, CancellationToken cancellationToken) => DeleteAliasAsync(alias, cancellationToken);

    private static StoreError AliasNotFound(string? alias) => new(StoreErrorCode.AliasNotFound, $"Alias '{alias}' does not exist.");

    private bool TryResolveAlias(string name, [NotNullWhen(true)] out Collection? collection)
    {
        collection = null;
        return _aliases.TryGetValue(name, out CollectionAlias? alias) && _collections.TryGetValue(alias.Collection, out collection);
    }

    // A collection may not take an alias's name. Under the catalog gate.
    private StoreError? AliasShadows(string name) => _aliases.TryGetValue(name, out CollectionAlias? alias)
        ? new StoreError(StoreErrorCode.NameConflict, $"'{name}' is an alias (of collection '{alias.Collection}'); a collection may not shadow an alias. Delete the alias first, or choose another name.")
        : null;

    // Deleting a collection through an alias is refused: the caller may not know which collection it names right now.
    private StoreError? AliasNotDeletable(string name) => _aliases.TryGetValue(name, out CollectionAlias? alias)
        ? new StoreError(StoreErrorCode.NameConflict, $"'{name}' is an alias (of collection '{alias.Collection}'); delete the alias, or the collection by its own name.")
        : null;

    // The repository deleted the collection's aliases with it; memory follows. Under the catalog gate.
    private void ForgetAliasesOf(string collection)
    {
        foreach (CollectionAlias alias in _aliases.Values)
        {
            if (string.Equals(alias.Collection, collection, StringComparison.Ordinal))
            {
                _aliases.TryRemove(alias.Alias, out _);
            }
        }
    }

    private async Task LoadAliasesAsync(CancellationToken cancellationToken)
    {
        _aliases.Clear();
        await foreach (CollectionAlias alias in _repository.ReadAliasesAsync(cancellationToken).ConfigureAwait(false))
        {
            _aliases[alias.Alias] = alias;
        }
    }
}
