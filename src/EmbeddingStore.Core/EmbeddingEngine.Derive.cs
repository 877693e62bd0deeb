// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Persistence;
using EmbeddingStore.Core.Versioning;

namespace EmbeddingStore.Core;

public sealed partial class EmbeddingEngine
{
    // Items mapped per transaction: bounds how long the writer is held, so searches and writes interleave with a long run.
    private const int DeriveChunk = 1_000;

    /// <summary>
    /// Forward migration by map: every item of <paramref name="collection"/> that holds a vector in the link's source
    /// version but none in its target gets one computed through the link, stored with lineage <c>derived</c> and the link's
    /// id. Runs in chunks of 1,000 items, each its own transaction, so it can be stopped and simply run again to resume;
    /// items re-embedded natively meanwhile are left alone.
    /// </summary>
    /// <param name="linkId">The link to apply.</param>
    /// <param name="collection">The collection to fill.</param>
    /// <param name="reverse">Apply the link's reverse map (target to source) instead of its forward map.</param>
    /// <param name="cancellationToken">Stops between chunks; what was committed stays.</param>
    /// <returns>How many vectors were derived.</returns>
    public async Task<StoreResult<int>> DeriveVectorsAsync(string linkId, string collection, bool reverse, CancellationToken cancellationToken)
    {
        StoreResult<HarmonicLink> found = GetLink(linkId);
        if (!found.IsSuccess)
        {
            return found.Error;
        }

        HarmonicLink link = found.Value!;
        VectorBridge? map = reverse ? link.Reverse : link.Bridge;
        if (map is null)
        {
            return Invalid($"Link {link.Id} ({BridgeKindNames.ToWireName(link.Kind)}) has no reverse map; derive forward ({link.From} to {link.To}) instead.");
        }

        ModelVersionId sourceId = reverse ? link.To : link.From;
        ModelVersionId targetId = reverse ? link.From : link.To;
        if (!TryGetCollection(collection, out CollectionState? state, out StoreError? error))
        {
            return error;
        }

        int derived = 0;

        // Where the previous chunk stopped, in id order: each chunk continues from there instead of walking again over
        // the items already handled (which would make a run quadratic in the collection's size).
        string? after = null;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (state.IsDeleted)
                {
                    return new StoreError(StoreErrorCode.CollectionNotFound, $"Collection '{collection}' does not exist.");
                }

                if (!_versions.TryGetValue(targetId, out ModelVersion? target) || !state.Segments.TryGetValue(sourceId, out VectorSegment? source))
                {
                    return derived;
                }

                state.Segments.TryGetValue(targetId, out VectorSegment? existing);
                var batch = new List<(string ItemId, StoredVector Vector)>(DeriveChunk);
                var mapped = new float[map.TargetDimension];
                foreach (string id in state.IdsAfter(after))
                {
                    after = id;
                    ItemEntry item = state.Items[id];
                    int row = item.RowIn(source);
                    if (row < 0 || (existing is not null && item.RowIn(existing) >= 0))
                    {
                        continue;
                    }

                    map.Apply(source.Row(row), mapped);
                    float[] values = Prepared(target, mapped);
                    if (!TryCheckVector(target, values, $"derived vector of item '{id}'", out StoreError? invalid))
                    {
                        return invalid!;
                    }

                    batch.Add((id, new StoredVector(targetId, values, VectorOrigin.Derived, link.Id)));
                    if (batch.Count == DeriveChunk)
                    {
                        break;
                    }
                }

                if (batch.Count == 0)
                {
                    return derived;
                }

                if (await TryStorageAsync(() => _repository.AddVectorsAsync(collection, batch, cancellationToken)).ConfigureAwait(false) is { } failure)
                {
                    return derived == 0 ? failure : failure with { Message = $"{failure.Message} {derived} vectors were derived and kept before the failure; run again to resume." };
                }

                state.Lock.EnterWriteLock();
                try
                {
                    VectorSegment segment = state.GetOrAddSegment(target);
                    foreach ((string id, StoredVector vector) in batch)
                    {
                        ItemEntry item = state.Items[id];
                        segment.Set(item, vector.Values);
                        item.SetLineage(targetId, link.Id);
                    }
                }
                finally
                {
                    state.Lock.ExitWriteLock();
                }

                derived += batch.Count;
            }
            finally
            {
                _writeLock.Release();
            }
        }
    }
}
