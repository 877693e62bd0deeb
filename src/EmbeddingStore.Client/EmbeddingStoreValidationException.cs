// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Net;

namespace EmbeddingStore.Client;

/// <summary>The server refused the request's content (malformed JSON, bad argument, dimension mismatch, invalid vector, duplicate id, a limit): sending it again cannot succeed, so it is never retried.</summary>
public sealed class EmbeddingStoreValidationException : EmbeddingStoreException
{
    /// <summary>Creates the exception from a problem answer.</summary>
    /// <param name="status">The HTTP status.</param>
    /// <param name="problemType">The problem's stable <c>type</c>.</param>
    /// <param name="title">The problem's title.</param>
    /// <param name="detail">The problem's detail.</param>
    /// <param name="versions">The model versions involved, if any.</param>
    public EmbeddingStoreValidationException(HttpStatusCode status, string? problemType, string? title, string? detail, IReadOnlyList<string>? versions = null)
        : base(status, problemType, title, detail, versions)
    {
    }

    /// <summary>Creates the exception with no server answer behind it.</summary>
    public EmbeddingStoreValidationException()
    {
    }

    /// <summary>Creates the exception with a message only.</summary>
    /// <param name="message">What went wrong.</param>
    public EmbeddingStoreValidationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception wrapping another.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public EmbeddingStoreValidationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
