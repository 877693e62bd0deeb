// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Net;
using EmbeddingStore.Contracts;

namespace EmbeddingStore.Client;

/// <summary>
/// A problem+json answer from the server, kept structured so callers can branch on <see cref="ProblemType"/> (stable,
/// see <see cref="ProblemTypes"/>) instead of parsing messages.
/// </summary>
/// <remarks>
/// The client throws the most specific subclass it knows: <see cref="IncompatibleVersionsException"/> for a query whose
/// model version cannot be compared with the stored vectors, <see cref="EmbeddingStoreNotFoundException"/> for a missing
/// collection, item, link or model version, <see cref="EmbeddingStoreValidationException"/> for a request the server will
/// refuse however often it is sent. Catching <see cref="EmbeddingStoreException"/> still catches them all, and problem
/// types the client does not know yet arrive as this base type with <see cref="ProblemType"/> set.
/// </remarks>
public class EmbeddingStoreException : Exception
{
    /// <summary>Creates an exception for a refused request.</summary>
    /// <param name="status">The HTTP status the server answered.</param>
    /// <param name="problemType">The problem's stable <c>type</c>, or null when the body was not problem+json.</param>
    /// <param name="title">The problem's title.</param>
    /// <param name="detail">The problem's detail, naming the values involved.</param>
    /// <param name="versions">For version problems, the model versions involved.</param>
    public EmbeddingStoreException(HttpStatusCode status, string? problemType, string? title, string? detail, IReadOnlyList<string>? versions = null)
        : base(detail ?? title ?? $"The server answered {(int)status} {status}.")
    {
        Status = status;
        ProblemType = problemType;
        Title = title;
        Detail = detail;
        Versions = versions ?? [];
    }

    /// <summary>Creates an exception with no server answer behind it.</summary>
    public EmbeddingStoreException()
        : this(HttpStatusCode.InternalServerError, null, null, null)
    {
    }

    /// <summary>Creates an exception with a message only, for failures the client detects itself.</summary>
    /// <param name="message">What went wrong.</param>
    public EmbeddingStoreException(string message)
        : base(message)
    {
        Versions = [];
    }

    /// <summary>Creates an exception wrapping another, for failures the client detects itself.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public EmbeddingStoreException(string message, Exception innerException)
        : base(message, innerException)
    {
        Versions = [];
    }

    /// <summary>The HTTP status (0 when the failure was detected by the client itself).</summary>
    public HttpStatusCode Status { get; }

    /// <summary>The problem's stable <c>type</c>, e.g. <c>/problems/dimension-mismatch</c>; compare with <see cref="ProblemTypes"/>.</summary>
    public string? ProblemType { get; }

    /// <summary>The problem's short title.</summary>
    public string? Title { get; }

    /// <summary>The server's explanation, naming the values involved.</summary>
    public string? Detail { get; }

    /// <summary>For version problems, the model versions involved (the query's first).</summary>
    public IReadOnlyList<string> Versions { get; }

    /// <summary>
    /// True when the query's model version cannot be compared with the stored vectors, so callers that hold only the base
    /// type can branch without a type test. Such exceptions are always <see cref="IncompatibleVersionsException"/>.
    /// </summary>
    public bool IsVersionMismatch => ProblemType == ProblemTypes.IncompatibleVersions;

    /// <summary>
    /// True when sending the same request again may succeed (408, 429, 502, 503, 504 or storage unavailable), so callers
    /// that add their own retry loop around a non-idempotent write can decide without a status table of their own.
    /// </summary>
    public bool IsTransient =>
        Status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests or HttpStatusCode.BadGateway
            or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout
        || ProblemType == ProblemTypes.StorageUnavailable;

    /// <summary>Creates the most specific exception for a problem answer; the one place that maps problem types to classes.</summary>
    internal static EmbeddingStoreException FromProblem(HttpStatusCode status, string? type, string? title, string? detail, IReadOnlyList<string>? versions) =>
        type switch
        {
            ProblemTypes.IncompatibleVersions => new IncompatibleVersionsException(status, type, title, detail, versions),
            ProblemTypes.CollectionNotFound or ProblemTypes.ItemNotFound or ProblemTypes.LinkNotFound or ProblemTypes.ModelVersionNotFound
                or ProblemTypes.JobNotFound or ProblemTypes.AliasNotFound or ProblemTypes.PayloadIndexNotFound
                => new EmbeddingStoreNotFoundException(status, type, title, detail, versions),
            ProblemTypes.MalformedRequest or ProblemTypes.InvalidArgument or ProblemTypes.DimensionMismatch or ProblemTypes.InvalidVector
                or ProblemTypes.DuplicateId or ProblemTypes.LimitExceeded or ProblemTypes.PayloadTooLarge or ProblemTypes.UnsupportedMediaType
                or ProblemTypes.IdempotencyKeyReused
                => new EmbeddingStoreValidationException(status, type, title, detail, versions),
            ProblemTypes.VersionConflict or ProblemTypes.JobStateConflict or ProblemTypes.NameConflict
                => new EmbeddingStoreConflictException(status, type, title, detail, versions),
            null when status == HttpStatusCode.NotFound => new EmbeddingStoreNotFoundException(status, type, title, detail, versions),
            _ => new EmbeddingStoreException(status, type, title, detail, versions),
        };
}
