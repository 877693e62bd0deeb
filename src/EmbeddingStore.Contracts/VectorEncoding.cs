// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Contracts;

/// <summary>
/// How a vector is written in JSON. Every request accepts both forms wherever a vector goes; responses use
/// <see cref="Array"/> unless the request asks for <see cref="Base64"/> with the <c>vectorEncoding</c> query parameter.
/// </summary>
public enum VectorEncoding
{
    /// <summary>A JSON array of numbers: readable, but each float costs up to 15 characters and a decimal parse.</summary>
    Array,

    /// <summary>
    /// Standard base64 (RFC 4648 §4, padded) of the little-endian IEEE-754 float32 values: 5.3 characters per float, copied
    /// bit for bit (no decimal rounding), and exactly what OpenAI's embeddings API returns for <c>encoding_format: "base64"</c>.
    /// </summary>
    Base64,
}
