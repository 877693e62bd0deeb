// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;

namespace EmbeddingStore.Contracts;

/// <summary>
/// Every operation of the REST API, one row each: the single answer to "which requests are writes" for the server's
/// endpoints and idempotency middleware and for the client's retry policy (instead of path suffixes in two projects).
/// A new route is one row here plus its handler; a server test fails when a mapped endpoint has no row or its method or
/// route differ.
/// </summary>
/// <remarks>
/// The names are the endpoint names (<c>.WithName()</c>) and therefore the OpenAPI <c>operationId</c>s, which the
/// OpenAPI snapshot freezes; some carry the <c>Async</c> suffix of the handler they were named after, and keep it,
/// because renaming an <c>operationId</c> breaks generated clients. Look a row up by name with <see cref="TryGet"/>
/// (for example from an endpoint's <c>EndpointNameMetadata</c>).
/// </remarks>
public static class ApiOperations
{
    /// <summary><c>GET /health</c>: readiness and load state (kept for scripts written before the split below).</summary>
    public static readonly ApiOperation GetHealth = new("GetHealth", "GET", "/health", ApiOperationKind.Read);

    /// <summary><c>GET /health/live</c>: the process answers (for a container's liveness probe).</summary>
    public static readonly ApiOperation GetLiveness = new("GetLiveness", "GET", "/health/live", ApiOperationKind.Read);

    /// <summary><c>GET /health/ready</c>: loaded and not shutting down (for a load balancer's readiness probe).</summary>
    public static readonly ApiOperation GetReadiness = new("GetReadiness", "GET", "/health/ready", ApiOperationKind.Read);

    /// <summary><c>PUT /v1/models/{model}/versions/{version}</c>: register a model version (identical repeats are harmless).</summary>
    public static readonly ApiOperation RegisterModelVersion = new(
        "RegisterModelVersionAsync", "PUT", "/v1/models/{model}/versions/{version}", ApiOperationKind.IdempotentWrite);

    /// <summary><c>GET /v1/models/versions</c>: list model versions.</summary>
    public static readonly ApiOperation ListModelVersions = new("ListModelVersions", "GET", "/v1/models/versions", ApiOperationKind.Read);

    /// <summary><c>GET /v1/models/{model}/versions/{version}</c>: one model version.</summary>
    public static readonly ApiOperation GetModelVersion = new("GetModelVersion", "GET", "/v1/models/{model}/versions/{version}", ApiOperationKind.Read);

    /// <summary><c>PUT /v1/collections/{name}</c>: create a collection or change its serving version.</summary>
    public static readonly ApiOperation PutCollection = new("PutCollectionAsync", "PUT", "/v1/collections/{name}", ApiOperationKind.IdempotentWrite);

    /// <summary><c>GET /v1/collections</c>: list collections.</summary>
    public static readonly ApiOperation ListCollections = new("ListCollections", "GET", "/v1/collections", ApiOperationKind.Read);

    /// <summary><c>GET /v1/collections/{name}</c>: one collection with its counts.</summary>
    public static readonly ApiOperation GetCollection = new("GetCollection", "GET", "/v1/collections/{name}", ApiOperationKind.Read);

    /// <summary><c>DELETE /v1/collections/{name}</c>: delete a collection.</summary>
    public static readonly ApiOperation DeleteCollection = new("DeleteCollectionAsync", "DELETE", "/v1/collections/{name}", ApiOperationKind.IdempotentWrite);

    /// <summary><c>POST /v1/collections/{name}/items</c>: atomic batch upsert; a blind repeat could overwrite a newer write.</summary>
    public static readonly ApiOperation UpsertItems = new("UpsertItemsAsync", "POST", "/v1/collections/{name}/items", ApiOperationKind.Write);

    /// <summary>
    /// <c>POST /v1/collections/{name}/items/bulk</c>: streamed NDJSON upsert committed in atomic chunks; a blind repeat could
    /// overwrite newer writes, and it takes no idempotency key (the body is never buffered), so it is never retried.
    /// </summary>
    public static readonly ApiOperation BulkUpsertItems = new("BulkUpsertItemsAsync", "POST", "/v1/collections/{name}/items/bulk", ApiOperationKind.Write);

    /// <summary><c>POST /v1/collections/{name}/items/delete</c>: delete items by id or by filter; a blind repeat could delete a re-created item.</summary>
    public static readonly ApiOperation DeleteItems = new("DeleteItemsAsync", "POST", "/v1/collections/{name}/items/delete", ApiOperationKind.Write);

    /// <summary><c>POST /v1/collections/{name}/items/count</c>: count items (a POST only to carry a filter).</summary>
    public static readonly ApiOperation CountItems = new("CountItems", "POST", "/v1/collections/{name}/items/count", ApiOperationKind.Read);

    /// <summary><c>GET /v1/collections/{name}/items</c>: scroll items in id order.</summary>
    public static readonly ApiOperation ScrollItems = new("ScrollItems", "GET", "/v1/collections/{name}/items", ApiOperationKind.Read);

    /// <summary><c>POST /v1/collections/{name}/items/scroll</c>: scroll items in id order, optionally filtered (a POST only to carry the filter).</summary>
    public static readonly ApiOperation ScrollItemsFiltered = new("ScrollItemsFiltered", "POST", "/v1/collections/{name}/items/scroll", ApiOperationKind.Read);

    /// <summary><c>GET /v1/collections/{name}/items/{id}</c>: one item.</summary>
    public static readonly ApiOperation GetItem = new("GetItem", "GET", "/v1/collections/{name}/items/{id}", ApiOperationKind.Read);

    /// <summary><c>POST /v1/collections/{name}/search</c>: search (a POST only to carry the query vector).</summary>
    public static readonly ApiOperation Search = new("Search", "POST", "/v1/collections/{name}/search", ApiOperationKind.Read);

    /// <summary><c>POST /v1/collections/{name}/search/batch</c>: many searches in one request.</summary>
    public static readonly ApiOperation SearchBatch = new("SearchBatch", "POST", "/v1/collections/{name}/search/batch", ApiOperationKind.Read);

    /// <summary><c>POST /v1/collections/{name}/search/hybrid</c>: a vector search and a BM25 keyword search fused by reciprocal rank.</summary>
    public static readonly ApiOperation SearchHybrid = new("SearchHybrid", "POST", "/v1/collections/{name}/search/hybrid", ApiOperationKind.Read);

    /// <summary><c>POST /v1/links</c>: declare or fit a link; a blind repeat creates a second link.</summary>
    public static readonly ApiOperation CreateLink = new("CreateLinkAsync", "POST", "/v1/links", ApiOperationKind.Write);

    /// <summary><c>GET /v1/links</c>: list links.</summary>
    public static readonly ApiOperation ListLinks = new("ListLinks", "GET", "/v1/links", ApiOperationKind.Read);

    /// <summary><c>GET /v1/links/{id}</c>: one link with its quality report.</summary>
    public static readonly ApiOperation GetLink = new("GetLink", "GET", "/v1/links/{id}", ApiOperationKind.Read);

    /// <summary><c>POST /v1/links/{id}/derive</c>: start a derive job (202 with the job); a blind repeat starts a second job.</summary>
    public static readonly ApiOperation DeriveVectors = new("DeriveVectorsAsync", "POST", "/v1/links/{id}/derive", ApiOperationKind.Write);

    /// <summary><c>DELETE /v1/links/{id}</c>: delete a link.</summary>
    public static readonly ApiOperation DeleteLink = new("DeleteLinkAsync", "DELETE", "/v1/links/{id}", ApiOperationKind.IdempotentWrite);

    /// <summary><c>GET /v1/jobs</c>: list background jobs.</summary>
    public static readonly ApiOperation ListJobs = new("ListJobs", "GET", "/v1/jobs", ApiOperationKind.Read);

    /// <summary><c>GET /v1/jobs/{id}</c>: one job with its state and progress.</summary>
    public static readonly ApiOperation GetJob = new("GetJob", "GET", "/v1/jobs/{id}", ApiOperationKind.Read);

    /// <summary><c>POST /v1/jobs/{id}/cancel</c>: cancel a job; cancelled is final, so a repeat cannot undo anything newer.</summary>
    public static readonly ApiOperation CancelJob = new("CancelJobAsync", "POST", "/v1/jobs/{id}/cancel", ApiOperationKind.IdempotentWrite);

    /// <summary><c>POST /v1/jobs/{id}/pause</c>: pause a job; a blind repeat could undo a resume sent in between.</summary>
    public static readonly ApiOperation PauseJob = new("PauseJobAsync", "POST", "/v1/jobs/{id}/pause", ApiOperationKind.Write);

    /// <summary><c>POST /v1/jobs/{id}/resume</c>: resume a paused job; a blind repeat could undo a pause sent in between.</summary>
    public static readonly ApiOperation ResumeJob = new("ResumeJobAsync", "POST", "/v1/jobs/{id}/resume", ApiOperationKind.Write);

    /// <summary><c>PUT /v1/aliases/{alias}</c>: create an alias or switch it atomically to another collection.</summary>
    public static readonly ApiOperation PutAlias = new("PutAliasAsync", "PUT", "/v1/aliases/{alias}", ApiOperationKind.IdempotentWrite);

    /// <summary><c>GET /v1/aliases</c>: list aliases.</summary>
    public static readonly ApiOperation ListAliases = new("ListAliases", "GET", "/v1/aliases", ApiOperationKind.Read);

    /// <summary><c>GET /v1/aliases/{alias}</c>: one alias and the collection it names.</summary>
    public static readonly ApiOperation GetAlias = new("GetAlias", "GET", "/v1/aliases/{alias}", ApiOperationKind.Read);

    /// <summary><c>DELETE /v1/aliases/{alias}</c>: delete an alias (the collection stays).</summary>
    public static readonly ApiOperation DeleteAlias = new("DeleteAliasAsync", "DELETE", "/v1/aliases/{alias}", ApiOperationKind.IdempotentWrite);

    /// <summary><c>POST /v1/collections/{name}/migrations</c>: create (and start) a migration; a blind repeat is refused while the first is active.</summary>
    public static readonly ApiOperation CreateMigration = new("CreateMigrationAsync", "POST", "/v1/collections/{name}/migrations", ApiOperationKind.Write);

    /// <summary><c>GET /v1/collections/{name}/migrations</c>: a collection's migrations.</summary>
    public static readonly ApiOperation ListMigrations = new("ListMigrations", "GET", "/v1/collections/{name}/migrations", ApiOperationKind.Read);

    /// <summary><c>GET /v1/collections/{name}/migrations/{id}</c>: one migration with its progress.</summary>
    public static readonly ApiOperation GetMigration = new("GetMigration", "GET", "/v1/collections/{name}/migrations/{id}", ApiOperationKind.Read);

    /// <summary><c>POST .../migrations/{id}/start</c>: start a planned migration; a repeat is refused (it is no longer planned).</summary>
    public static readonly ApiOperation StartMigration = new("StartMigrationAsync", "POST", "/v1/collections/{name}/migrations/{id}/start", ApiOperationKind.Write);

    /// <summary><c>POST .../migrations/{id}/pause</c>: pause; a blind repeat could undo a resume sent in between.</summary>
    public static readonly ApiOperation PauseMigration = new("PauseMigrationAsync", "POST", "/v1/collections/{name}/migrations/{id}/pause", ApiOperationKind.Write);

    /// <summary><c>POST .../migrations/{id}/resume</c>: resume; a blind repeat could undo a pause sent in between.</summary>
    public static readonly ApiOperation ResumeMigration = new("ResumeMigrationAsync", "POST", "/v1/collections/{name}/migrations/{id}/resume", ApiOperationKind.Write);

    /// <summary><c>POST .../migrations/{id}/cancel</c>: cancel; cancelled is final, so a repeat changes nothing.</summary>
    public static readonly ApiOperation CancelMigration = new("CancelMigrationAsync", "POST", "/v1/collections/{name}/migrations/{id}/cancel", ApiOperationKind.IdempotentWrite);

    /// <summary><c>POST .../migrations/{id}/cutover</c>: switch the serving version; a blind repeat could undo a rollback sent in between.</summary>
    public static readonly ApiOperation CutOverMigration = new("CutOverMigrationAsync", "POST", "/v1/collections/{name}/migrations/{id}/cutover", ApiOperationKind.Write);

    /// <summary><c>POST .../migrations/{id}/rollback</c>: switch back; a blind repeat could undo a cut-over sent in between.</summary>
    public static readonly ApiOperation RollbackMigration = new("RollbackMigrationAsync", "POST", "/v1/collections/{name}/migrations/{id}/rollback", ApiOperationKind.Write);

    /// <summary><c>POST .../migrations/{id}/purge</c>: delete the old vectors after a cut-over; purged is final, so a repeat changes nothing.</summary>
    public static readonly ApiOperation PurgeMigration = new("PurgeMigrationAsync", "POST", "/v1/collections/{name}/migrations/{id}/purge", ApiOperationKind.IdempotentWrite);

    /// <summary><c>GET .../migrations/{id}/pending</c>: the next items a re-embedding waits for.</summary>
    public static readonly ApiOperation GetPendingItems = new("GetPendingItems", "GET", "/v1/collections/{name}/migrations/{id}/pending", ApiOperationKind.Read);

    /// <summary><c>POST .../migrations/{id}/vectors</c>: upload re-embedded vectors; a blind repeat could overwrite newer vectors, as an upsert could.</summary>
    public static readonly ApiOperation AddMigrationVectors = new("AddMigrationVectorsAsync", "POST", "/v1/collections/{name}/migrations/{id}/vectors", ApiOperationKind.Write);

    /// <summary><c>POST .../migrations/{id}/refit</c>: refit the link on the pairs re-embedded so far; a repeat fits another link.</summary>
    public static readonly ApiOperation RefitMigration = new("RefitMigrationAsync", "POST", "/v1/collections/{name}/migrations/{id}/refit", ApiOperationKind.Write);

    /// <summary><c>POST /v1/admin/backup</c>: online backup into the backup directory; a repeat is refused (the file exists).</summary>
    public static readonly ApiOperation Backup = new("BackupAsync", "POST", "/v1/admin/backup", ApiOperationKind.Write);

    /// <summary><c>GET /v1/admin/verify</c>: integrity check and stored counts against memory.</summary>
    public static readonly ApiOperation Verify = new("VerifyAsync", "GET", "/v1/admin/verify", ApiOperationKind.Read);

    /// <summary><c>PUT /v1/collections/{name}/indexes/{field}</c>: declare (or replace) a payload index, built by a job.</summary>
    public static readonly ApiOperation PutPayloadIndex = new("PutPayloadIndexAsync", "PUT", "/v1/collections/{name}/indexes/{field}", ApiOperationKind.IdempotentWrite);

    /// <summary><c>GET /v1/collections/{name}/indexes</c>: list a collection's payload indexes.</summary>
    public static readonly ApiOperation ListPayloadIndexes = new("ListPayloadIndexes", "GET", "/v1/collections/{name}/indexes", ApiOperationKind.Read);

    /// <summary><c>GET /v1/collections/{name}/indexes/{field}</c>: one payload index with its build state.</summary>
    public static readonly ApiOperation GetPayloadIndex = new("GetPayloadIndex", "GET", "/v1/collections/{name}/indexes/{field}", ApiOperationKind.Read);

    /// <summary><c>DELETE /v1/collections/{name}/indexes/{field}</c>: delete a payload index (answers stay the same).</summary>
    public static readonly ApiOperation DeletePayloadIndex = new("DeletePayloadIndexAsync", "DELETE", "/v1/collections/{name}/indexes/{field}", ApiOperationKind.IdempotentWrite);

    /// <summary>Every operation, in the order of the API reference.</summary>
    public static IReadOnlyList<ApiOperation> All { get; } =
    [
        GetHealth, GetLiveness, GetReadiness,
        RegisterModelVersion, ListModelVersions, GetModelVersion,
        PutCollection, ListCollections, GetCollection, DeleteCollection,
        PutAlias, ListAliases, GetAlias, DeleteAlias,
        PutPayloadIndex, ListPayloadIndexes, GetPayloadIndex, DeletePayloadIndex,
        UpsertItems, BulkUpsertItems, DeleteItems, CountItems, ScrollItems, ScrollItemsFiltered, GetItem,
        Search, SearchBatch, SearchHybrid,
        CreateLink, ListLinks, GetLink, DeriveVectors, DeleteLink,
        ListJobs, GetJob, CancelJob, PauseJob, ResumeJob,
        CreateMigration, ListMigrations, GetMigration, StartMigration, PauseMigration, ResumeMigration, CancelMigration, CutOverMigration,
        RollbackMigration, PurgeMigration, GetPendingItems, AddMigrationVectors, RefitMigration,
        Backup, Verify,
    ];

    // After All: static initialisers run in text order.
    private static readonly FrozenDictionary<string, ApiOperation> s_byName = All.ToFrozenDictionary(o => o.Name, StringComparer.Ordinal);

    /// <summary>Finds an operation by its endpoint name (case-sensitive, as endpoint names are).</summary>
    /// <param name="name">The name, e.g. <c>UpsertItemsAsync</c>.</param>
    /// <param name="operation">The row, when found.</param>
    /// <returns>Whether the name is an operation of the API.</returns>
    public static bool TryGet(string name, [NotNullWhen(true)] out ApiOperation? operation)
    {
        ArgumentNullException.ThrowIfNull(name);
        return s_byName.TryGetValue(name, out operation);
    }
}
