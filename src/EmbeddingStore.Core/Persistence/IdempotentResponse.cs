// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Core.Persistence;

/// <summary>The stored answer to a write sent with an idempotency key; <see cref="Status"/> 0 marks a claim whose write committed but whose answer was never recorded (a crash between the two).</summary>
/// <param name="Fingerprint">SHA-256 of the request (method, path, body), so a reused key with another request is detected.</param>
/// <param name="Status">The HTTP status that was returned.</param>
/// <param name="ContentType">The response's content type.</param>
/// <param name="Body">The response body.</param>
public sealed record IdempotentResponse(byte[] Fingerprint, int Status, string? ContentType, byte[] Body);
