// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Core.Persistence;

/// <summary>
/// Where the answers to writes sent with an idempotency key are kept, so a retried write is answered instead of applied
/// again. The claim itself is committed with the write (see <see cref="IdempotencyClaim"/>); this store reads claims and
/// records answers.
/// </summary>
public interface IIdempotencyStore
{
    /// <summary>
    /// The claim or answer recorded for <paramref name="key"/> since <paramref name="since"/>, or null. A claim without an
    /// answer has <see cref="IdempotentResponse.Status"/> 0.
    /// </summary>
    IdempotentResponse? Find(string key, DateTimeOffset since);

    /// <summary>Records the answer for a key (replacing its claim), and forgets entries older than <paramref name="expiresBefore"/>.</summary>
    Task SaveAnswerAsync(string key, IdempotentResponse response, DateTimeOffset now, DateTimeOffset expiresBefore, CancellationToken cancellationToken);
}
