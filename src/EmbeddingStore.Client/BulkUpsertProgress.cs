// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Client;

/// <summary>Reported after every acknowledged (durable) batch of a bulk upsert.</summary>
/// <param name="Batch">The batch that was just acknowledged.</param>
/// <param name="BatchesAcknowledged">Batches acknowledged so far, this one included.</param>
/// <param name="ItemsAcknowledged">Items acknowledged so far; with parallelism they need not be a prefix of the input.</param>
public sealed record BulkUpsertProgress(BulkUpsertBatch Batch, int BatchesAcknowledged, long ItemsAcknowledged);
