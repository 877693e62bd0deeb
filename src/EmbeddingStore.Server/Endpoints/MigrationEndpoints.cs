// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Contracts;
using EmbeddingStore.Core;
using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Migrations;
using EmbeddingStore.Server.Infrastructure;
using EmbeddingStore.Server.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace EmbeddingStore.Server.Endpoints;

// Model-upgrade migrations: create (plan or start), watch, change state, and the re-embedding loop (pending items out,
// native vectors in, link refits). Creating and switching are admin operations; re-embedding workers need only read
// (pending) and write (vectors).
internal static class MigrationEndpoints
{
    public static IEndpointRouteBuilder MapMigrationEndpoints(this IEndpointRouteBuilder app)
    {
        RouteGroupBuilder group = app.MapGroup("/v1/collections/{name}/migrations").WithTags("Migrations").RequireAuthorization(Scopes.Read);
        group.MapPost("/", CreateMigrationAsync).WithName(nameof(CreateMigrationAsync))
            .WithSummary("Create a migration to another version and start it (or only plan it, with start: false)")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict).RequireAuthorization(Scopes.Admin);
        group.MapGet("/", ListMigrations).WithName(nameof(ListMigrations))
            .WithSummary("List a collection's migrations, newest first").ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{id}", GetMigration).WithName(nameof(GetMigration))
            .WithSummary("Get one migration with its state and progress").ProducesProblem(StatusCodes.Status404NotFound);
        MapAction(group, MigrationAction.Start, ApiOperations.StartMigration, "Start a planned migration");
        MapAction(group, MigrationAction.Pause, ApiOperations.PauseMigration, "Pause a migration between chunks");
        MapAction(group, MigrationAction.Resume, ApiOperations.ResumeMigration, "Resume a paused migration from its stored cursor");
        MapAction(group, MigrationAction.Cancel, ApiOperations.CancelMigration, "Cancel a migration that has not been cut over; what it wrote stays");
        MapAction(group, MigrationAction.CutOver, ApiOperations.CutOverMigration, "Switch the serving version to the migration's target, if its gates pass");
        MapAction(group, MigrationAction.Rollback, ApiOperations.RollbackMigration, "Switch a cut-over collection back to the old version");
        group.MapGet("/{id}/pending", GetPendingItems).WithName(nameof(GetPendingItems))
            .WithSummary("The next items a re-embedding waits for, in the migration's pending order")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/{id}/vectors", AddMigrationVectorsAsync).WithName(nameof(AddMigrationVectorsAsync))
            .WithSummary("Store re-embedded vectors of the new version, keeping each item's payload and old vectors")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status413PayloadTooLarge).RequireAuthorization(Scopes.Write);
        group.MapPost("/{id}/refit", RefitMigrationAsync).WithName(nameof(RefitMigrationAsync))
            .WithSummary("Refit the migration's link on the pairs re-embedded so far, and adopt it")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict).RequireAuthorization(Scopes.Admin);
        return app;
    }

    public static async Task<Results<Accepted<MigrationResponse>, ProblemHttpResult>> CreateMigrationAsync(
        string name, CreateMigrationRequest request, IEmbeddingService service, CancellationToken cancellationToken)
    {
        var core = new MigrationRequest(
            request.To,
            request.Strategy,
            request.Link,
            request.Gates is null ? null : new MigrationGates(request.Gates.MinRecallAt10, request.Gates.MinNativeFraction),
            request.Start ?? true,
            request.Order,
            request.Seed ?? 1);
        StoreResult<MigrationInfo> result = await service.CreateMigrationAsync(name, core, cancellationToken);
        return result.IsSuccess
            ? TypedResults.Accepted($"/v1/collections/{name}/migrations/{result.Value!.Record.Id}", result.Value.ToResponse())
            : ProblemMapping.ToProblem(result.Error);
    }

    public static async Task<Results<Ok<MigrationListResponse>, ProblemHttpResult>> ListMigrations(
        string name, IEmbeddingService service, CancellationToken cancellationToken)
    {
        StoreResult<IReadOnlyList<MigrationInfo>> result = await service.ListMigrationsAsync(name, cancellationToken);
        return result.IsSuccess
            ? TypedResults.Ok(new MigrationListResponse([.. result.Value!.Select(m => m.ToResponse())]))
            : ProblemMapping.ToProblem(result.Error);
    }

    public static async Task<Results<Ok<MigrationResponse>, ProblemHttpResult>> GetMigration(
        string name, string id, IEmbeddingService service, CancellationToken cancellationToken) =>
        ToResult(await service.GetMigrationAsync(name, id, cancellationToken));

    public static async Task<Results<Ok<PendingItemsResponse>, ProblemHttpResult>> GetPendingItems(
        string name, string id, IEmbeddingService service, CancellationToken cancellationToken, int limit = 100, string? cursor = null)
    {
        StoreResult<PendingPage> result = await service.GetPendingItemsAsync(name, id, cursor, limit, cancellationToken);
        return result.IsSuccess
            ? TypedResults.Ok(new PendingItemsResponse([.. result.Value!.Items.Select(i => new PendingItemResponse(i.Id, i.Payload))], result.Value.NextCursor, result.Value.Remaining))
            : ProblemMapping.ToProblem(result.Error);
    }

    public static async Task<Results<Ok<MigrationVectorsResponse>, ProblemHttpResult>> AddMigrationVectorsAsync(
        string name, string id, MigrationVectorsRequest request, IEmbeddingService service, CancellationToken cancellationToken)
    {
        StoreResult<int> stored = await service.AddMigrationVectorsAsync(name, id, [.. request.Items.Select(i => (i.Id, i.Vector))], cancellationToken);
        if (!stored.IsSuccess)
        {
            return ProblemMapping.ToProblem(stored.Error);
        }

        StoreResult<MigrationInfo> migration = await service.GetMigrationAsync(name, id, cancellationToken);
        return migration.IsSuccess
            ? TypedResults.Ok(new MigrationVectorsResponse(stored.Value, migration.Value!.ToResponse()))
            : ProblemMapping.ToProblem(migration.Error);
    }

    public static async Task<Results<Ok<MigrationResponse>, ProblemHttpResult>> RefitMigrationAsync(
        string name, string id, RefitMigrationRequest request, IEmbeddingService service, CancellationToken cancellationToken) =>
        ToResult(await service.RefitMigrationLinkAsync(name, id, request.Kind, cancellationToken));

    // One route per action, all through the one state machine: the operation table names each endpoint.
    private static void MapAction(RouteGroupBuilder group, MigrationAction action, ApiOperation operation, string summary)
    {
        group.MapPost(
                $"/{{id}}/{MigrationActionNames.ToWireName(action)}",
                async Task<Results<Ok<MigrationResponse>, ProblemHttpResult>> (string name, string id, IEmbeddingService service, CancellationToken cancellationToken) =>
                    ToResult(await service.ChangeMigrationAsync(name, id, action, cancellationToken)))
            .WithName(operation.Name)
            .WithSummary(summary)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .RequireAuthorization(Scopes.Admin);
    }

    private static Results<Ok<MigrationResponse>, ProblemHttpResult> ToResult(StoreResult<MigrationInfo> result) =>
        result.IsSuccess ? TypedResults.Ok(result.Value!.ToResponse()) : ProblemMapping.ToProblem(result.Error);
}
