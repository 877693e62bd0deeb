// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Contracts;

/// <summary>
/// The stable <c>type</c> of every problem+json error the API returns (listed with meanings in schema/problems.md).
/// Clients branch on these, never on status codes or message text, so they are never renamed once released.
/// </summary>
public static class ProblemTypes
{
    /// <summary>The body is not valid JSON, has wrong types, unknown or missing fields.</summary>
    public const string MalformedRequest = "/problems/malformed-request";

    /// <summary>A value is out of range or shape (empty id, bad name, k ≤ 0, bad cursor, ...).</summary>
    public const string InvalidArgument = "/problems/invalid-argument";

    /// <summary>No such collection.</summary>
    public const string CollectionNotFound = "/problems/collection-not-found";

    /// <summary>No such item in the collection.</summary>
    public const string ItemNotFound = "/problems/item-not-found";

    /// <summary>No link has that id.</summary>
    public const string LinkNotFound = "/problems/link-not-found";

    /// <summary>No such model version is registered.</summary>
    public const string ModelVersionNotFound = "/problems/model-version-not-found";

    /// <summary>A vector's length differs from its version's dimension; the detail names both.</summary>
    public const string DimensionMismatch = "/problems/dimension-mismatch";

    /// <summary>NaN or infinity in a vector, a zero vector under cosine, or a non-unit vector for a normalised version.</summary>
    public const string InvalidVector = "/problems/invalid-vector";

    /// <summary>The same id twice in one batch.</summary>
    public const string DuplicateId = "/problems/duplicate-id";

    /// <summary>A configured limit was exceeded (batch size, k, id length, payload size, dimension).</summary>
    public const string LimitExceeded = "/problems/limit-exceeded";

    /// <summary>The request body exceeds the configured maximum size.</summary>
    public const string PayloadTooLarge = "/problems/payload-too-large";

    /// <summary>A used model version was re-registered with different settings.</summary>
    public const string VersionConflict = "/problems/version-conflict";

    /// <summary>The query's version cannot be compared with the stored vectors; the problem's <c>versions</c> names them.</summary>
    public const string IncompatibleVersions = "/problems/incompatible-versions";

    /// <summary>The database refused the write (disk full, read-only); nothing changed and reads still work.</summary>
    public const string StorageUnavailable = "/problems/storage-unavailable";

    /// <summary>No route matches the path.</summary>
    public const string RouteNotFound = "/problems/route-not-found";

    /// <summary>The route exists but not for this HTTP method.</summary>
    public const string MethodNotAllowed = "/problems/method-not-allowed";

    /// <summary>The body's content type is not application/json.</summary>
    public const string UnsupportedMediaType = "/problems/unsupported-media-type";

    /// <summary>No API key, or one the server does not know.</summary>
    public const string Unauthorized = "/problems/unauthorized";

    /// <summary>The API key lacks the scope the operation needs (read, write or admin).</summary>
    public const string Forbidden = "/problems/forbidden";

    /// <summary>Too many requests for this key (or address); wait for Retry-After seconds.</summary>
    public const string RateLimited = "/problems/rate-limited";

    /// <summary>An Idempotency-Key header was reused within 24 hours for a different request.</summary>
    public const string IdempotencyKeyReused = "/problems/idempotency-key-reused";

    /// <summary>The request body arrived too slowly (Kestrel's minimum data rate); nothing was applied, so it may be resent.</summary>
    public const string RequestTimeout = "/problems/request-timeout";

    /// <summary>
    /// A write sent with this Idempotency-Key was committed, but the server stopped before it recorded the answer; the
    /// retry was not applied again. Read the resource to see its state.
    /// </summary>
    public const string IdempotencyAnswerLost = "/problems/idempotency-answer-lost";

    /// <summary>No job has the id.</summary>
    public const string JobNotFound = "/problems/job-not-found";

    /// <summary>The job cannot make the asked change from its state (cancelling a completed job, say).</summary>
    public const string JobStateConflict = "/problems/job-state-conflict";

    /// <summary>
    /// The server is still loading its database into memory, or is shutting down; retry after <c>Retry-After</c>
    /// seconds (another instance, or this one once <c>/health/ready</c> answers 200).
    /// </summary>
    public const string NotReady = "/problems/not-ready";

    /// <summary>An unexpected server error; the body never carries exception text.</summary>
    public const string InternalError = "/problems/internal-error";

    /// <summary>No alias has that name.</summary>
    public const string AliasNotFound = "/problems/alias-not-found";

    /// <summary>The name is taken by the other kind: an alias may not shadow a collection, nor a collection an alias.</summary>
    public const string NameConflict = "/problems/name-conflict";

    /// <summary>No migration of the collection has that id.</summary>
    public const string MigrationNotFound = "/problems/migration-not-found";

    /// <summary>The migration cannot make the asked change from its state (cut over a cancelled one, pause a completed one).</summary>
    public const string MigrationStateConflict = "/problems/migration-state-conflict";

    /// <summary>The collection already has an active migration; finish (cut over) or cancel it first.</summary>
    public const string MigrationConflict = "/problems/migration-conflict";

    /// <summary>A cut-over gate is not met; the detail names the gate and the measured figure.</summary>
    public const string MigrationGateFailed = "/problems/migration-gate-failed";

    /// <summary>The collection has no payload index on the field in the path.</summary>
    public const string PayloadIndexNotFound = "/problems/payload-index-not-found";
}
