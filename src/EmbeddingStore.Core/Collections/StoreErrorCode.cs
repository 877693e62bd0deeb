// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Core.Collections;

/// <summary>
/// Every way an engine operation can be refused. One closed set, so the server maps each to exactly one HTTP status
/// and problem type in a single exhaustive switch, and clients can branch on it.
/// </summary>
public enum StoreErrorCode
{
    /// <summary>The request is well-formed JSON but a value is out of its allowed range or shape.</summary>
    InvalidArgument,

    /// <summary>No collection has that name.</summary>
    CollectionNotFound,

    /// <summary>The collection holds no item with that id.</summary>
    ItemNotFound,

    /// <summary>No link has that id.</summary>
    LinkNotFound,

    /// <summary>No model version with that name is registered.</summary>
    ModelVersionNotFound,

    /// <summary>A vector's length differs from its model version's dimension.</summary>
    DimensionMismatch,

    /// <summary>A vector contains NaN or infinity, is zero under cosine, or is not unit length where the version declares it.</summary>
    InvalidVector,

    /// <summary>The same id appears twice in one batch; which one should win is ambiguous, so neither does.</summary>
    DuplicateId,

    /// <summary>A request exceeds a configured limit (batch size, k, id length, payload size, dimension).</summary>
    LimitExceeded,

    /// <summary>A model version is re-registered with different settings after vectors started using it.</summary>
    VersionConflict,

    /// <summary>
    /// A query's version cannot be compared with the vectors the collection holds: the store refuses rather than
    /// silently comparing vectors of different models, even when their dimensions match.
    /// </summary>
    IncompatibleVersions,

    /// <summary>The durable store refused the write (disk full, read-only file); nothing was applied.</summary>
    StorageUnavailable,

    /// <summary>No job has that id.</summary>
    JobNotFound,

    /// <summary>A job cannot make the asked change from the state it is in (cancelling a completed job, say).</summary>
    JobStateConflict,

    /// <summary>No alias has that name.</summary>
    AliasNotFound,

    /// <summary>
    /// The name is taken by the other kind: an alias may not shadow a collection and a collection may not shadow an
    /// alias, or a request could reach a different collection than its caller meant.
    /// </summary>
    NameConflict,

    /// <summary>No migration of that collection has that id.</summary>
    MigrationNotFound,

    /// <summary>A migration cannot make the asked change from the state it is in (cut over a cancelled one, say).</summary>
    MigrationStateConflict,

    /// <summary>The collection already has an active migration; one at a time, so two never race to switch its serving version.</summary>
    MigrationConflict,

    /// <summary>A cut-over was refused because a gate the operator set (link recall, native fraction) is not met.</summary>
    MigrationGateFailed,

    /// <summary>The collection has no payload index on that field.</summary>
    PayloadIndexNotFound,
}
