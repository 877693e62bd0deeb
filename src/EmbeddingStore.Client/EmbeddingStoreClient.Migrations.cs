// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Globalization;
using EmbeddingStore.Contracts;

namespace EmbeddingStore.Client;

// Model-upgrade migrations: plan, start, watch, switch, and the re-embedding loop. `esadmin migrate` and `esadmin reembed`
// are built on these alone.
public sealed partial class EmbeddingStoreClient
{
    /// <summary>
    /// Creates a migration of a collection to another version and starts it (or, with <c>Start = false</c>, only records
    /// the plan). Not retried: a blind repeat is refused while the first migration is active.
    /// </summary>
    /// <param name="collection">The collection (or an alias of it).</param>
    /// <param name="request">Target version, strategy, optional link, gates and pending order.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="EmbeddingStoreConflictException">The collection already has an active migration.</exception>
    public Task<MigrationResponse> CreateMigrationAsync(string collection, CreateMigrationRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(
            ApiOperations.CreateMigration, ApiOperations.CreateMigration.Path(Required(collection)), request, _json.CreateMigrationRequest, _json.MigrationResponse,
            null, cancellationToken);

    /// <summary>Lists a collection's migrations, newest first, so an operator finds the one to watch or switch.</summary>
    /// <param name="collection">The collection.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<MigrationListResponse> ListMigrationsAsync(string collection, CancellationToken cancellationToken = default) =>
        GetAsync(ApiOperations.ListMigrations, ApiOperations.ListMigrations.Path(Required(collection)), _json.MigrationListResponse, cancellationToken);

    /// <summary>Gets one migration with its progress and counts: poll it to watch a migration.</summary>
    /// <param name="collection">The collection.</param>
    /// <param name="id">The migration's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="EmbeddingStoreNotFoundException">No such migration.</exception>
    public Task<MigrationResponse> GetMigrationAsync(string collection, string id, CancellationToken cancellationToken = default) =>
        GetAsync(ApiOperations.GetMigration, ApiOperations.GetMigration.Path(Required(collection), Required(id)), _json.MigrationResponse, cancellationToken);

    /// <summary>Starts a planned migration.</summary>
    /// <param name="collection">The collection.</param>
    /// <param name="id">The migration's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="EmbeddingStoreConflictException">It is not planned.</exception>
    public Task<MigrationResponse> StartMigrationAsync(string collection, string id, CancellationToken cancellationToken = default) =>
        MigrationActionAsync(ApiOperations.StartMigration, collection, id, cancellationToken);

    /// <summary>Pauses a migration between chunks, to free resources without losing its place.</summary>
    /// <param name="collection">The collection.</param>
    /// <param name="id">The migration's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<MigrationResponse> PauseMigrationAsync(string collection, string id, CancellationToken cancellationToken = default) =>
        MigrationActionAsync(ApiOperations.PauseMigration, collection, id, cancellationToken);

    /// <summary>Resumes a paused migration from its stored cursor.</summary>
    /// <param name="collection">The collection.</param>
    /// <param name="id">The migration's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<MigrationResponse> ResumeMigrationAsync(string collection, string id, CancellationToken cancellationToken = default) =>
        MigrationActionAsync(ApiOperations.ResumeMigration, collection, id, cancellationToken);

    /// <summary>Cancels a migration that has not been cut over; what it wrote stays and the old version keeps serving.</summary>
    /// <param name="collection">The collection.</param>
    /// <param name="id">The migration's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<MigrationResponse> CancelMigrationAsync(string collection, string id, CancellationToken cancellationToken = default) =>
        MigrationActionAsync(ApiOperations.CancelMigration, collection, id, cancellationToken);

    /// <summary>
    /// Switches the collection's serving version to the migration's target in one step, if its gates pass; a refusal
    /// (<see cref="EmbeddingStoreConflictException"/>) names the gate and the measured figure.
    /// </summary>
    /// <param name="collection">The collection.</param>
    /// <param name="id">The migration's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<MigrationResponse> CutOverMigrationAsync(string collection, string id, CancellationToken cancellationToken = default) =>
        MigrationActionAsync(ApiOperations.CutOverMigration, collection, id, cancellationToken);

    /// <summary>Switches a cut-over collection back to the old version; the old vectors were kept, so its answers return at once.</summary>
    /// <param name="collection">The collection.</param>
    /// <param name="id">The migration's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<MigrationResponse> RollbackMigrationAsync(string collection, string id, CancellationToken cancellationToken = default) =>
        MigrationActionAsync(ApiOperations.RollbackMigration, collection, id, cancellationToken);

    /// <summary>
    /// The next items a re-embedding waits for, in its pending order. A view, not a lease: re-reading returns the same
    /// items until their vectors arrive, so a worker that crashes loses nothing.
    /// </summary>
    /// <param name="collection">The collection.</param>
    /// <param name="id">The migration's id.</param>
    /// <param name="limit">Items per page.</param>
    /// <param name="cursor">The previous page's <c>nextCursor</c>, to take the following batch before uploading.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<PendingItemsResponse> GetPendingItemsAsync(
        string collection, string id, int limit = 100, string? cursor = null, CancellationToken cancellationToken = default)
    {
        string path = ApiOperations.GetPendingItems.Path(Required(collection), Required(id)) + "?limit=" + limit.ToString(CultureInfo.InvariantCulture)
            + (cursor is null ? string.Empty : "&cursor=" + Uri.EscapeDataString(cursor));
        return GetAsync(ApiOperations.GetPendingItems, path, _json.PendingItemsResponse, cancellationToken);
    }

    /// <summary>
    /// Uploads re-embedded vectors of the migration's new version. Unlike an upsert, each item keeps its payload and old
    /// vectors, which a rollback needs. All stored or none.
    /// </summary>
    /// <param name="collection">The collection.</param>
    /// <param name="id">The migration's id.</param>
    /// <param name="items">Item ids with their new vectors.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<MigrationVectorsResponse> AddMigrationVectorsAsync(
        string collection, string id, IReadOnlyList<MigrationVectorItem> items, CancellationToken cancellationToken = default) =>
        SendAsync(
            ApiOperations.AddMigrationVectors, ApiOperations.AddMigrationVectors.Path(Required(collection), Required(id)),
            new MigrationVectorsRequest { Items = items ?? throw new ArgumentNullException(nameof(items)) }, _json.MigrationVectorsRequest,
            _json.MigrationVectorsResponse, null, cancellationToken);

    /// <summary>Refits the migration's link on the pairs re-embedded so far and adopts it; the history shows whether it improved.</summary>
    /// <param name="collection">The collection.</param>
    /// <param name="id">The migration's id.</param>
    /// <param name="kind">A bridge kind, or null for <c>auto</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<MigrationResponse> RefitMigrationAsync(string collection, string id, string? kind = null, CancellationToken cancellationToken = default) =>
        SendAsync(
            ApiOperations.RefitMigration, ApiOperations.RefitMigration.Path(Required(collection), Required(id)), new RefitMigrationRequest { Kind = kind },
            _json.RefitMigrationRequest, _json.MigrationResponse, null, cancellationToken);

    private Task<MigrationResponse> MigrationActionAsync(ApiOperation operation, string collection, string id, CancellationToken cancellationToken) =>
        PostAsync(operation, operation.Path(Required(collection), Required(id)), _json.MigrationResponse, cancellationToken);
}
