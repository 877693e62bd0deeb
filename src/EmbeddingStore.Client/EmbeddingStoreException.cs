// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Net;

namespace EmbeddingStore.Client;

/// <summary>
/// A problem+json answer from the server, kept structured so callers can branch on <see cref="ProblemType"/> (stable,
/// see <c>EmbeddingStore.Contracts.ProblemTypes</c>) instead of parsing messages.
/// </summary>
public sealed class EmbeddingStoreException : Exception
{
    /// <summary>Creates an exception for a refused request.</summary>
    public EmbeddingStoreException(HttpStatusCode status, string? problemType, string? title, string? detail, IReadOnlyList<string>? versions = null)
        : base(detail ?? title ?? $"The server answered {(int)status} {status}.")
    {
        Status = status;
        ProblemType = problemType;
        Title = title;
        Detail = detail;
        Versions = versions ?? [];
    }

    /// <summary>Creates an exception with a message only.</summary>
    public EmbeddingStoreException()
        : this(HttpStatusCode.InternalServerError, null, null, null)
    {
    }

    /// <summary>Creates an exception with a message only.</summary>
    public EmbeddingStoreException(string message)
        : base(message)
    {
        Versions = [];
    }

    /// <summary>Creates an exception wrapping another.</summary>
    public EmbeddingStoreException(string message, Exception innerException)
        : base(message, innerException)
    {
        Versions = [];
    }

    /// <summary>The HTTP status.</summary>
    public HttpStatusCode Status { get; }

    /// <summary>The problem's stable <c>type</c>, e.g. <c>/problems/dimension-mismatch</c>.</summary>
    public string? ProblemType { get; }

    /// <summary>The problem's short title.</summary>
    public string? Title { get; }

    /// <summary>The server's explanation, naming the values involved.</summary>
    public string? Detail { get; }

    /// <summary>For version problems, the model versions involved.</summary>
    public IReadOnlyList<string> Versions { get; }
}
