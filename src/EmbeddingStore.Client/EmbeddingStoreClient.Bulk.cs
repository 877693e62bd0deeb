// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Globalization;
using EmbeddingStore.Contracts;

namespace EmbeddingStore.Client;

public sealed partial class EmbeddingStoreClient
{
    /// <summary>
    /// Upserts any number of items as consecutive atomic batches, optionally several in flight, reporting each
    /// acknowledged batch. Stops sending at the first failed batch and throws <see cref="BulkUpsertException"/> naming the
    /// batches that were and were not acknowledged.
    /// </summary>
    /// <param name="collection">The collection.</param>
    /// <param name="items">Read lazily, one batch ahead of the sender, so a stream of millions needs memory for a few batches only.</param>
    /// <param name="options">Batch size, parallelism and idempotency keys; defaults to 500 per batch, one at a time.</param>
    /// <param name="progress">Told after every acknowledged batch.</param>
    /// <param name="cancellationToken">Stops sending; batches in flight are cancelled and may or may not have been committed.</param>
    /// <returns>Items acknowledged.</returns>
    /// <remarks>
    /// The same id in two batches is written twice; with parallelism the later batch need not win. Batches are not
    /// retried unless <see cref="BulkUpsertOptions.IdempotencyKeyPrefix"/> is set.
    /// </remarks>
    public async Task<long> BulkUpsertAsync(
        string collection, IEnumerable<ItemRequest> items, BulkUpsertOptions? options = null, IProgress<BulkUpsertProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(collection);
        ArgumentNullException.ThrowIfNull(items);
        options ??= new BulkUpsertOptions();
        options.Validate();

        var acknowledged = new List<BulkUpsertBatch>();
        long acknowledgedItems = 0;
        (BulkUpsertBatch Batch, Exception Error)? failure = null;
        object gate = new();
        using var slots = new SemaphoreSlim(options.MaxParallelism);
        var inFlight = new List<Task>();

        async Task SendBatchAsync(BulkUpsertBatch batch, List<ItemRequest> batchItems)
        {
            try
            {
                var request = new UpsertItemsRequest { Items = batchItems };
                _ = options.IdempotencyKeyPrefix is { } prefix
                    ? await UpsertItemsAsync(collection, request, string.Create(CultureInfo.InvariantCulture, $"{prefix}-{batch.Index}"), cancellationToken).ConfigureAwait(false)
                    : await UpsertItemsAsync(collection, request, cancellationToken).ConfigureAwait(false);
                BulkUpsertProgress report;
                lock (gate)
                {
                    acknowledged.Add(batch);
                    acknowledgedItems += batch.Count;
                    report = new BulkUpsertProgress(batch, acknowledged.Count, acknowledgedItems);
                }

                progress?.Report(report);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                lock (gate)
                {
                    // The first failure in batch order is the one reported; later ones in flight are consequences or noise.
                    if (failure is null || batch.Index < failure.Value.Batch.Index)
                    {
                        failure = (batch, ex);
                    }
                }
            }
            finally
            {
                slots.Release();
            }
        }

        int batchIndex = 0;
        long itemIndex = 0;
        var current = new List<ItemRequest>(options.BatchSize);
        try
        {
            foreach (ItemRequest item in items)
            {
                if (item is null)
                {
                    throw new ArgumentException($"Item {itemIndex} of the input is null.", nameof(items));
                }

                current.Add(item);
                itemIndex++;
                if (current.Count == options.BatchSize)
                {
                    if (!await DispatchAsync().ConfigureAwait(false))
                    {
                        break;
                    }
                }
            }

            if (current.Count > 0 && failure is null)
            {
                await DispatchAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            // Never leave a batch running unobserved, whatever stopped the loop.
            await Task.WhenAll(inFlight).ConfigureAwait(false);
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (failure is { } f)
        {
            acknowledged.Sort((a, b) => a.Index.CompareTo(b.Index));
            throw new BulkUpsertException(f.Batch, acknowledged, f.Error);
        }

        return acknowledgedItems;

        // Starts the current batch once a slot is free; false when an earlier batch has failed and sending must stop.
        async Task<bool> DispatchAsync()
        {
            await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            lock (gate)
            {
                if (failure is not null)
                {
                    slots.Release();
                    return false;
                }
            }

            var batch = new BulkUpsertBatch(batchIndex, itemIndex - current.Count, current.Count, current[0].Id, current[^1].Id);
            List<ItemRequest> batchItems = current;
            current = new List<ItemRequest>(options.BatchSize);
            batchIndex++;
            inFlight.RemoveAll(t => t.IsCompleted);
            inFlight.Add(SendBatchAsync(batch, batchItems));
            return true;
        }
    }
}
