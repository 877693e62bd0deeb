// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Contracts;

/// <summary>
/// What repeating an API operation does, which decides who may repeat it: the client's retry policy retries
/// <see cref="Read"/> and <see cref="IdempotentWrite"/> freely and <see cref="Write"/> only under an
/// <c>Idempotency-Key</c>; the server's idempotency middleware records and replays the answers of every write.
/// </summary>
public enum ApiOperationKind
{
    /// <summary>Changes nothing (GETs, and the POSTs that only read: search, batch search, count); repeating it is harmless.</summary>
    Read,

    /// <summary>
    /// Changes state, and applying it twice leaves the same state as once (PUT of a model version or collection, DELETE):
    /// retried after a lost answer, the repeat is at worst a 404 for a delete the first attempt already did.
    /// </summary>
    IdempotentWrite,

    /// <summary>
    /// Changes state, and a repeat may do more than the first (a second link) or undo a newer write (an upsert over a
    /// later one): never retried without an idempotency key.
    /// </summary>
    Write,
}
