// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Client;

/// <summary>
/// One batch of a bulk upsert, located in the caller's input sequence so a failed import can be resumed from the
/// first item that was not acknowledged.
/// </summary>
/// <param name="Index">The batch's number, from 0.</param>
/// <param name="FirstItemIndex">The position of its first item in the input sequence.</param>
/// <param name="Count">Items in the batch.</param>
/// <param name="FirstId">The id of its first item.</param>
/// <param name="LastId">The id of its last item.</param>
public sealed record BulkUpsertBatch(int Index, long FirstItemIndex, int Count, string FirstId, string LastId);
