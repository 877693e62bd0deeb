// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Client;

/// <summary>How <see cref="EmbeddingStoreClient.BulkUpsertAsync"/> splits and sends items.</summary>
public sealed class BulkUpsertOptions
{
    /// <summary>The largest batch the server accepts by default (<c>Limits:MaxBatchItems</c>).</summary>
    public const int ServerBatchLimit = 1000;

    /// <summary>
    /// Items per batch (default 500, 1 to <see cref="ServerBatchLimit"/>). Half the server limit keeps a batch of 1,536-d
    /// vectors near 6 MB of JSON, well under the request size limit, while still amortising the commit.
    /// </summary>
    public int BatchSize { get; set; } = 500;

    /// <summary>
    /// Batches in flight at once (default 1, at most 16). The server has one writer, so more than 2–4 rarely helps; the
    /// gain is overlapping JSON encoding and the network with the commit.
    /// </summary>
    public int MaxParallelism { get; set; } = 1;

    /// <summary>
    /// When set, batch <c>i</c> is sent with the idempotency key <c>{prefix}-{i}</c>, which makes it retryable on
    /// transient failures. Use a prefix unique to this import (a job id), never a constant.
    /// </summary>
    public string? IdempotencyKeyPrefix { get; set; }

    internal void Validate()
    {
        if (BatchSize is < 1 or > ServerBatchLimit)
        {
            throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, $"BulkUpsertOptions.BatchSize must be 1 to {ServerBatchLimit}.");
        }

        if (MaxParallelism is < 1 or > 16)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxParallelism), MaxParallelism, "BulkUpsertOptions.MaxParallelism must be 1 to 16.");
        }

        if (IdempotencyKeyPrefix is { Length: 0 or > 200 })
        {
            throw new ArgumentException("BulkUpsertOptions.IdempotencyKeyPrefix must be 1 to 200 characters when set.", nameof(IdempotencyKeyPrefix));
        }
    }
}
