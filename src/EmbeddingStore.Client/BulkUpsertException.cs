// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Client;

/// <summary>
/// A bulk upsert stopped at its first failed batch. Says exactly which batches were acknowledged (durable) and which
/// failed, so the caller can resume instead of starting over; the cause is <see cref="Exception.InnerException"/>.
/// </summary>
/// <remarks>
/// Batches are atomic, so every item of an acknowledged batch is stored and no item of the failed batch is. Batches that
/// were never sent are simply absent from both lists. With <see cref="BulkUpsertOptions.MaxParallelism"/> above 1,
/// batches already in flight when one failed are awaited, so the list is exact, though not necessarily a prefix.
/// </remarks>
public sealed class BulkUpsertException : EmbeddingStoreException
{
    /// <summary>Creates the exception for a failed batch.</summary>
    /// <param name="failedBatch">The batch that failed.</param>
    /// <param name="acknowledged">The batches acknowledged before the import stopped.</param>
    /// <param name="innerException">Why the batch failed.</param>
    public BulkUpsertException(BulkUpsertBatch failedBatch, IReadOnlyList<BulkUpsertBatch> acknowledged, Exception innerException)
        : base(Describe(failedBatch, acknowledged, innerException), innerException)
    {
        ArgumentNullException.ThrowIfNull(failedBatch);
        ArgumentNullException.ThrowIfNull(acknowledged);
        FailedBatch = failedBatch;
        AcknowledgedBatches = acknowledged;
        AcknowledgedItemCount = acknowledged.Sum(b => (long)b.Count);
    }

    /// <summary>Creates an exception with a message only.</summary>
    public BulkUpsertException()
    {
        AcknowledgedBatches = [];
    }

    /// <summary>Creates an exception with a message only.</summary>
    /// <param name="message">What went wrong.</param>
    public BulkUpsertException(string message)
        : base(message)
    {
        AcknowledgedBatches = [];
    }

    /// <summary>Creates an exception wrapping another.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public BulkUpsertException(string message, Exception innerException)
        : base(message, innerException)
    {
        AcknowledgedBatches = [];
    }

    /// <summary>The batch whose upsert failed; none of its items were written.</summary>
    public BulkUpsertBatch? FailedBatch { get; }

    /// <summary>The batches that were acknowledged, in batch order; all their items are durable.</summary>
    public IReadOnlyList<BulkUpsertBatch> AcknowledgedBatches { get; }

    /// <summary>Items in <see cref="AcknowledgedBatches"/>.</summary>
    public long AcknowledgedItemCount { get; }

    private static string Describe(BulkUpsertBatch failed, IReadOnlyList<BulkUpsertBatch> acknowledged, Exception inner)
    {
        long items = acknowledged?.Sum(b => (long)b.Count) ?? 0;
        return $"Bulk upsert stopped: batch {failed?.Index} (input items {failed?.FirstItemIndex}..{failed?.FirstItemIndex + failed?.Count - 1}, " +
            $"ids '{failed?.FirstId}'..'{failed?.LastId}') failed and was not written: {inner?.Message} " +
            $"{acknowledged?.Count ?? 0} batch(es) with {items} item(s) were acknowledged before it.";
    }
}
