// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Net;

namespace EmbeddingStore.Client;

/// <summary>The query's model version cannot be compared with the vectors stored in the collection, and no harmonic link bridges them (409). Raised instead of silently comparing vectors of different embedding spaces.</summary>
public sealed class IncompatibleVersionsException : EmbeddingStoreException
{
    /// <summary>Creates the exception from a problem answer.</summary>
    /// <param name="status">The HTTP status.</param>
    /// <param name="problemType">The problem's stable <c>type</c>.</param>
    /// <param name="title">The problem's title.</param>
    /// <param name="detail">The problem's detail.</param>
    /// <param name="versions">The model versions involved, if any.</param>
    public IncompatibleVersionsException(HttpStatusCode status, string? problemType, string? title, string? detail, IReadOnlyList<string>? versions = null)
        : base(status, problemType, title, detail, versions)
    {
    }

    /// <summary>Creates the exception with no server answer behind it.</summary>
    public IncompatibleVersionsException()
    {
    }

    /// <summary>Creates the exception with a message only.</summary>
    /// <param name="message">What went wrong.</param>
    public IncompatibleVersionsException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception wrapping another.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public IncompatibleVersionsException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The query's model version (<c>model@version</c>), or null if the server did not name it.</summary>
    public string? QueryVersion => Versions.Count > 0 ? Versions[0] : null;

    /// <summary>The versions the collection holds, none of which the query version can reach.</summary>
    public IReadOnlyList<string> StoredVersions => Versions.Count > 1 ? [.. Versions.Skip(1)] : [];
}
