// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Filters;
using EmbeddingStore.Core.Jobs;
using EmbeddingStore.Core.Persistence;
using static EmbeddingStore.Core.Collections.VectorValidation;

namespace EmbeddingStore.Core;

// Payload indexes: declared per collection and field, stored as declarations only (migration 0009), built by a job over
// the existing items (Jobs/PayloadIndexJobHandler) and rebuilt from the items at start-up. Declaring and deleting take
// the collection's writer gate, as item writes do, so an index and the items it covers never disagree.
public sealed partial class EmbeddingEngine
{
    /// <summary>The longest payload field an index may be declared on (dotted keys included).</summary>
    public const int MaxPayloadIndexFieldLength = 256;

    /// <summary>
    /// Declares a payload index on a field, or confirms an identical declaration; a different type replaces the index.
    /// The index is built by a job and serves filtered search, count, scroll and delete once that job has finished; until
    /// then every answer is the same as without it (only slower).
    /// </summary>
    public async Task<StoreResult<Outcome<PayloadIndexInfo>>> PutPayloadIndexAsync(string collection, string field, string type, CancellationToken cancellationToken)
    {
        if (ValidateField(field) is { } fieldError)
        {
            return fieldError;
        }

        if (!PayloadIndexNames.TryParseType(type, out PayloadIndexType parsed))
        {
            return Invalid($"type must be one of {string.Join(", ", PayloadIndexNames.TypeNames)}; it was '{type}'.");
        }

        if (!TryGetCollection(collection, out Collection? state, out StoreError? error))
        {
            return error;
        }

        JobRecord job;
        PayloadIndexInfo info;
        bool created;
        using (await state.EnterWriterAsync(cancellationToken).ConfigureAwait(false))
        {
            if (state.IsDeleted)
            {
                return CollectionNotFound(collection);
            }

            PayloadFieldIndex? existing = state.FindPayloadIndex(field);
            if (existing is not null && existing.Type == parsed)
            {
                using (state.EnterRead())
                {
                    return new Outcome<PayloadIndexInfo>(existing.ToInfo(), Created: false);
                }
            }

            if (existing is null && state.PayloadIndexes.Count >= Limits.MaxPayloadIndexes)
            {
                return new StoreError(
                    StoreErrorCode.LimitExceeded,
                    $"Collection '{state.Name}' already has {state.PayloadIndexes.Count} payload indexes, the configured maximum; delete one first.");
            }

            job = Jobs.NewJob(JobKinds.PayloadIndex, state.Name, PayloadIndexJobHandler.WriteParameters(field), state.ItemCount);
            var stored = new StoredPayloadIndex(state.Name, field, parsed, PayloadIndexState.Building, job.Id, job.CreatedAt);
            if (await TryStorageAsync(() => _repository.SavePayloadIndexAsync(stored, job, cancellationToken)).ConfigureAwait(false) is { } failure)
            {
                return failure;
            }

            var index = new PayloadFieldIndex(field, parsed, PayloadIndexState.Building, job.Id, job.CreatedAt);
            state.PutPayloadIndex(index, fill: false);
            info = index.ToInfo();
            created = existing is null;
        }

        // After the gate: the runner takes this collection's gate inside its own, so it is never waited for under ours.
        Jobs.Adopt(job);
        return new Outcome<PayloadIndexInfo>(info, created);
    }

    /// <summary>A collection's payload indexes, ordered by field.</summary>
    public StoreResult<IReadOnlyList<PayloadIndexInfo>> ListPayloadIndexes(string collection)
    {
        if (!TryGetCollection(collection, out Collection? state, out StoreError? error))
        {
            return error;
        }

        using Collection.ReadScope scope = state.EnterRead();
        return StoreResult<IReadOnlyList<PayloadIndexInfo>>.Success([.. state.PayloadIndexes.OrderBy(i => i.Field, StringComparer.Ordinal).Select(i => i.ToInfo())]);
    }

    /// <summary>One payload index with its build state.</summary>
    public StoreResult<PayloadIndexInfo> GetPayloadIndex(string collection, string field)
    {
        if (!TryGetCollection(collection, out Collection? state, out StoreError? error))
        {
            return error;
        }

        using Collection.ReadScope scope = state.EnterRead();
        return field is not null && state.FindPayloadIndex(field) is { } index ? index.ToInfo() : PayloadIndexNotFound(state.Name, field);
    }

    /// <summary>
    /// Deletes a payload index; filters on its field then read payloads again, with the same answers. A build job still
    /// running completes without effect.
    /// </summary>
    public async Task<StoreResult<bool>> DeletePayloadIndexAsync(string collection, string field, CancellationToken cancellationToken)
    {
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

            if (field is null || state.FindPayloadIndex(field) is null)
            {
                return PayloadIndexNotFound(state.Name, field);
            }

            if (await TryStorageAsync(() => _repository.DeletePayloadIndexAsync(state.Name, field, cancellationToken)).ConfigureAwait(false) is { } failure)
            {
                return failure;
            }

            state.RemovePayloadIndex(field);
            return true;
        }
    }

    // Start-up: declarations come back with their stored state and are filled from the loaded items at once; a build
    // that had not finished resumes as its job (which then only marks the index ready).
    private async Task LoadPayloadIndexesAsync(CancellationToken cancellationToken)
    {
        await foreach (StoredPayloadIndex stored in _repository.ReadPayloadIndexesAsync(cancellationToken).ConfigureAwait(false))
        {
            if (_collections.TryGetValue(stored.Collection, out Collection? collection))
            {
                collection.PutPayloadIndex(new PayloadFieldIndex(stored.Field, stored.Type, stored.State, stored.JobId, stored.CreatedAt), fill: true);
            }
        }
    }

    Task<StoreResult<IReadOnlyList<PayloadIndexInfo>>> IEmbeddingService.ListPayloadIndexesAsync(string collection, CancellationToken cancellationToken) =>
        Task.FromResult(ListPayloadIndexes(collection));

    Task<StoreResult<PayloadIndexInfo>> IEmbeddingService.GetPayloadIndexAsync(string collection, string field, CancellationToken cancellationToken) =>
        Task.FromResult(GetPayloadIndex(collection, field));

    private static StoreError PayloadIndexNotFound(string collection, string? field) =>
        new(StoreErrorCode.PayloadIndexNotFound, $"Collection '{collection}' has no payload index on '{field}'.");

    // The field rules are the filter's key rules (a dotted key with no empty segment), plus a length bound.
    private static StoreError? ValidateField(string? field)
    {
        if (string.IsNullOrEmpty(field))
        {
            return Invalid("field must be a non-empty payload field name.");
        }

        if (field.Length > MaxPayloadIndexFieldLength)
        {
            return Invalid($"field may be at most {MaxPayloadIndexFieldLength} characters; it was {field.Length}.");
        }

        return Array.Exists(field.Split('.'), p => p.Length == 0)
            ? Invalid($"field '{field}' has an empty segment; nested fields are written a.b.")
            : null;
    }
}
