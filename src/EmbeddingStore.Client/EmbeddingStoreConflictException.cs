// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Net;

namespace EmbeddingStore.Client;

/// <summary>
/// The request conflicts with the state it met (409), so retrying it unchanged cannot succeed: a model version
/// re-registered with settings its stored vectors contradict (make a new version), a job asked to change from a state
/// that does not allow it, or a name taken by the other kind (an alias named like a collection, or the reverse).
/// </summary>
public sealed class EmbeddingStoreConflictException : EmbeddingStoreException
{
    /// <summary>Creates the exception from a problem answer.</summary>
    /// <param name="status">The HTTP status.</param>
    /// <param name="problemType">The problem's stable <c>type</c>.</param>
    /// <param name="title">The problem's title.</param>
    /// <param name="detail">The problem's detail.</param>
    /// <param name="versions">The model versions involved, if any.</param>
    public EmbeddingStoreConflictException(HttpStatusCode status, string? problemType, string? title, string? detail, IReadOnlyList<string>? versions = null)
        : base(status, problemType, title, detail, versions)
    {
    }

    /// <summary>Creates the exception with no server answer behind it.</summary>
    public EmbeddingStoreConflictException()
    {
    }

    /// <summary>Creates the exception with a message only.</summary>
    /// <param name="message">What went wrong.</param>
    public EmbeddingStoreConflictException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception wrapping another.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public EmbeddingStoreConflictException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
