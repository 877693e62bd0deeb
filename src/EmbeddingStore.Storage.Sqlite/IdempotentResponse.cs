// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Storage.Sqlite;

/// <summary>The stored answer to a write sent with an idempotency key.</summary>
/// <param name="Fingerprint">SHA-256 of the request (method, path, body), so a reused key with another request is detected.</param>
/// <param name="Status">The HTTP status that was returned.</param>
/// <param name="ContentType">The response's content type.</param>
/// <param name="Body">The response body.</param>
public sealed record IdempotentResponse(byte[] Fingerprint, int Status, string? ContentType, byte[] Body);
