// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Persistence;
using EmbeddingStore.Core.Vectors;
using EmbeddingStore.Core.Versioning;

namespace EmbeddingStore.Core;

public sealed partial class EmbeddingEngine
{
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

        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!TryGetCollection(collection, out CollectionState? state, out StoreError? error))
            {
                return error;
            }

            var seen = new HashSet<string>(StringComparer.Ordinal);
            var stored = new List<StoredItem>(items.Count);
            var payloads = new List<JsonElement?>(items.Count);
            for (int i = 0; i < items.Count; i++)
            {
                ItemUpsert item = items[i];
                if (item is null)
                {
                    return Invalid($"items[{i}] is null.");
                }

                if ((ValidateId(item.Id, $"items[{i}].id") ?? NewItemRules.CheckNewId(item.Id, $"items[{i}].id")) is { } idError)
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

                    if (NewItemRules.FindOutOfRangeNumber(payload, $"items[{i}].payload") is { } where)
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

                if (item.Vectors is null || item.Vectors.Count == 0)
                {
                    return Invalid($"items[{i}] (id '{item.Id}') has no vectors; give at least one, keyed by model@version.");
                }

                var vectors = new List<StoredVector>(item.Vectors.Count);
                foreach ((string key, float[] values) in item.Vectors)
                {
                    if (!TryPrepareVector(key, values, $"items[{i}] (id '{item.Id}')", out StoredVector? prepared, out StoreError? vectorError))
                    {
                        return vectorError!;
                    }

                    vectors.Add(prepared!);
                }

                stored.Add(new StoredItem(item.Id, payloadJson, vectors));
                payloads.Add(payloadJson is null ? null : item.Payload!.Value.Clone());
            }

            if (await TryStorageAsync(() => _repository.UpsertItemsAsync(collection, stored, cancellationToken)).ConfigureAwait(false) is { } failure)
            {
                return failure;
            }

            // Committed: from here on nothing may fail or be cancelled, or memory would lag the file.
            state.Lock.EnterWriteLock();
            try
            {
                for (int i = 0; i < stored.Count; i++)
                {
                    ApplyUpsert(state, stored[i], payloads[i]);
                }
            }
            finally
            {
                state.Lock.ExitWriteLock();
            }

            return stored.Count;
        }
        finally
        {
            _writeLock.Release();
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
            if (ValidateId(ids[i], $"ids[{i}]") is { } idError)
            {
                return idError;
            }
        }

        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!TryGetCollection(collection, out CollectionState? state, out StoreError? error))
            {
                return error;
            }

            var existing = ids.Distinct(StringComparer.Ordinal).Where(state.Items.ContainsKey).ToList();
            if (existing.Count == 0)
            {
                return 0;
            }

            if (await TryStorageAsync(() => _repository.DeleteItemsAsync(collection, existing, cancellationToken)).ConfigureAwait(false) is { } failure)
            {
                return failure;
            }

            state.Lock.EnterWriteLock();
            try
            {
                foreach (string id in existing)
                {
                    state.RemoveItem(state.Items[id]);
                }
            }
            finally
            {
                state.Lock.ExitWriteLock();
            }

            return existing.Count;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>One item, optionally with its vectors.</summary>
    public StoreResult<ItemView> GetItem(string collection, string id, bool withVectors)
    {
        if (!TryGetCollection(collection, out CollectionState? state, out StoreError? error))
        {
            return error;
        }

        state.Lock.EnterReadLock();
        try
        {
            if (state.IsDeleted)
            {
                return new StoreError(StoreErrorCode.CollectionNotFound, $"Collection '{collection}' does not exist.");
            }

            if (id is null || !state.Items.TryGetValue(id, out ItemEntry? item))
            {
                return new StoreError(StoreErrorCode.ItemNotFound, $"Collection '{collection}' has no item '{id}'.");
            }

            return ToView(item, withVectors);
        }
        finally
        {
            state.Lock.ExitReadLock();
        }
    }

    /// <summary>
    /// Reads items in ordinal id order, a page at a time. The cursor encodes the last id returned, so a scroll
    /// survives concurrent writes and server restarts.
    /// </summary>
    public StoreResult<ScrollPage> Scroll(string collection, string? cursor, int limit, bool withVectors)
    {
        if (limit < 1 || limit > Limits.MaxScrollLimit)
        {
            return Invalid($"limit must be between 1 and {Limits.MaxScrollLimit}; it was {limit}.");
        }

        string? after = null;
        // A cursor only names the id to continue after, so any well-formed one is as good as an issued one: it is checked
        // for shape (an id this store could hold), not for origin.
        if (!string.IsNullOrEmpty(cursor) && (!TryDecodeCursor(cursor, out after) || ValidateId(after, "cursor") is not null))
        {
            return Invalid("cursor is not a scroll cursor (the base64url form of an item id, as nextCursor gives it); pass nextCursor from the previous page unchanged.");
        }

        if (!TryGetCollection(collection, out CollectionState? state, out StoreError? error))
        {
            return error;
        }

        state.Lock.EnterReadLock();
        try
        {
            var page = new List<ItemView>(Math.Min(limit, state.Items.Count));
            string? last = null;
            bool more = false;
            foreach (string id in state.IdsAfter(after))
            {
                if (page.Count == limit)
                {
                    more = true;
                    break;
                }

                page.Add(ToView(state.Items[id], withVectors));
                last = id;
            }

            return new ScrollPage(page, more && last is not null ? EncodeCursor(last) : null);
        }
        finally
        {
            state.Lock.ExitReadLock();
        }
    }

    /// <summary>How many items match a filter (all items when it is null).</summary>
    public StoreResult<long> Count(string collection, PayloadFilter? filter)
    {
        if (filter?.Validate() is { } filterError)
        {
            return filterError;
        }

        if (!TryGetCollection(collection, out CollectionState? state, out StoreError? error))
        {
            return error;
        }

        state.Lock.EnterReadLock();
        try
        {
            if (filter is null || filter.Must.Count == 0)
            {
                return state.Items.Count;
            }

            long count = 0;
            foreach (ItemEntry item in state.Items.Values)
            {
                if (filter.Matches(item.Payload))
                {
                    count++;
                }
            }

            return count;
        }
        finally
        {
            state.Lock.ExitReadLock();
        }
    }

    private StoreError? ValidateId(string? id, string field)
    {
        if (string.IsNullOrEmpty(id))
        {
            return Invalid($"{field} must be a non-empty string.");
        }

        if (id.Length > Limits.MaxIdLength)
        {
            return new StoreError(StoreErrorCode.LimitExceeded, $"{field} is {id.Length} characters; the configured maximum is {Limits.MaxIdLength}.");
        }

        for (int i = 0; i < id.Length; i++)
        {
            char c = id[i];
            if (char.IsControl(c))
            {
                return Invalid($"{field} contains the control character U+{(int)c:X4} at position {i}.");
            }

            if (char.IsHighSurrogate(c) && i + 1 < id.Length && char.IsLowSurrogate(id[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return Invalid($"{field} contains an unpaired UTF-16 surrogate at position {i}; ids must be valid Unicode.");
            }
        }

        return null;
    }

    // Validates one vector against its version and returns the form that is stored (normalised for cosine).
    private bool TryPrepareVector(string key, float[]? values, string where, out StoredVector? prepared, out StoreError? error)
    {
        prepared = null;
        if (!TryResolveVersion(key, out ModelVersion version, out error))
        {
            error = error! with { Message = $"{where}: {error.Message}" };
            return false;
        }

        if (values is null)
        {
            error = Invalid($"{where}: the vector for {version.Id} is null.");
            return false;
        }

        if (!TryCheckVector(version, values, where, out error))
        {
            return false;
        }

        prepared = new StoredVector(version.Id, Prepared(version, values));
        return true;
    }

    // The checks shared by stored vectors and query vectors.
    private static bool TryCheckVector(ModelVersion version, ReadOnlySpan<float> values, string where, out StoreError? error)
    {
        if (values.Length != version.Dimension)
        {
            error = new StoreError(
                StoreErrorCode.DimensionMismatch,
                $"{where}: the vector for {version.Id} has {values.Length} dimensions; {version.Id} expects {version.Dimension}.",
                [version.Id.ToString()]);
            return false;
        }

        if (!VectorMath.AllFinite(values))
        {
            error = new StoreError(StoreErrorCode.InvalidVector, $"{where}: the vector for {version.Id} contains NaN or infinity.");
            return false;
        }

        bool cosine = version.Metric == DistanceMetric.CosineSimilarity;
        float norm = version.Normalized || cosine ? VectorMath.Norm(values) : 0f;
        if (version.Normalized)
        {
            if (!(MathF.Abs(norm - 1f) <= ModelVersion.NormTolerance))
            {
                error = new StoreError(
                    StoreErrorCode.InvalidVector,
                    $"{where}: {version.Id} is declared normalized but the vector's norm is {norm:G6}; normalise it or register the version with normalized=false.");
                return false;
            }
        }

        // The same conditions VectorMath.TryNormalize applies, so every vector that passes here can be normalised.
        if (cosine && !(norm > VectorMath.MinNormalizableNorm))
        {
            error = new StoreError(StoreErrorCode.InvalidVector, $"{where}: the vector for {version.Id} is all zeros, which has no direction under cosine.");
            return false;
        }

        if (cosine && !float.IsFinite(norm))
        {
            error = new StoreError(
                StoreErrorCode.InvalidVector, $"{where}: the vector for {version.Id} is too large to normalise (its norm overflows float32); scale it down.");
            return false;
        }

        error = null;
        return true;
    }

    // The form a checked vector is stored and scanned in: a copy, normalised for cosine so the scan is a dot product.
    // Callers run TryCheckVector first, which rejects vectors too short to normalise.
    private static float[] Prepared(ModelVersion version, ReadOnlySpan<float> values)
    {
        float[] copy = values.ToArray();
        if (version.Metric == DistanceMetric.CosineSimilarity)
        {
            VectorMath.TryNormalize(copy);
        }

        return copy;
    }

    private void ApplyUpsert(CollectionState state, StoredItem stored)
    {
        JsonElement? payload = null;
        if (stored.PayloadJson is not null)
        {
            using JsonDocument document = JsonDocument.Parse(stored.PayloadJson);
            payload = document.RootElement.Clone();
        }

        ApplyUpsert(state, stored, payload);
    }

    private void ApplyUpsert(CollectionState state, StoredItem stored, JsonElement? payload)
    {
        if (!state.Items.TryGetValue(stored.Id, out ItemEntry? item))
        {
            item = new ItemEntry(stored.Id, payload);
            state.Items.Add(stored.Id, item);
            state.OrderedIds.Add(stored.Id);
        }
        else
        {
            item.Payload = payload;

            // Replace semantics: vectors of versions the new write does not mention are dropped.
            foreach ((VectorSegment segment, _) in item.Rows.ToArray())
            {
                if (!stored.Vectors.Any(v => v.Version == segment.Version.Id))
                {
                    segment.Remove(item);
                }
            }
        }

        item.DerivedVia = null;
        foreach (StoredVector vector in stored.Vectors)
        {
            VectorSegment segment = state.GetOrAddSegment(_versions[vector.Version]);
            segment.Set(item, vector.Values);
            item.SetLineage(vector.Version, vector.Origin == VectorOrigin.Derived ? vector.LinkId ?? string.Empty : null);
        }
    }

    private static ItemView ToView(ItemEntry item, bool withVectors)
    {
        Dictionary<string, float[]>? vectors = null;
        Dictionary<string, string>? lineage = null;
        if (withVectors)
        {
            vectors = new Dictionary<string, float[]>(item.Rows.Count, StringComparer.Ordinal);
            lineage = new Dictionary<string, string>(item.Rows.Count, StringComparer.Ordinal);
            foreach ((VectorSegment segment, int row) in item.Rows)
            {
                vectors[segment.Version.Id.ToString()] = segment.Row(row).ToArray();
                lineage[segment.Version.Id.ToString()] = item.DerivedLinkFor(segment.Version.Id) is { } link ? "derived:" + link : "native";
            }
        }

        return new ItemView(item.Id, item.Payload, vectors, lineage);
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
