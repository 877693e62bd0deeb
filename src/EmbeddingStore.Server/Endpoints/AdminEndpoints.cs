// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Diagnostics;
using EmbeddingStore.Contracts;
using EmbeddingStore.Core;
using EmbeddingStore.Core.Collections;
using EmbeddingStore.Server.Infrastructure;
using EmbeddingStore.Server.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace EmbeddingStore.Server.Endpoints;

internal static class AdminEndpoints
{
    public static IEndpointRouteBuilder MapAdminEndpoints(this IEndpointRouteBuilder app)
    {
        RouteGroupBuilder group = app.MapGroup("/v1/admin").WithTags("Admin").RequireAuthorization(Scopes.Admin);
        group.MapPost("/backup", BackupAsync).WithName(nameof(BackupAsync))
            .WithSummary("Online backup into the configured backup directory: a consistent copy while writes go on; never overwrites")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        group.MapGet("/verify", VerifyAsync).WithName(nameof(VerifyAsync))
            .WithSummary("Integrity check, and per collection the stored items and vectors per version against memory, and lineage")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        return app;
    }

    public static async Task<Results<Ok<BackupResponse>, ProblemHttpResult>> BackupAsync(
        BackupRequest request, IEmbeddingService service, IOptions<BackupOptions> options, CancellationToken cancellationToken)
    {
        if (!TryResolve(options.Value.Directory, request.Path, out string? destination, out StoreError? refusal))
        {
            return ProblemMapping.ToProblem(refusal!);
        }

        long started = Stopwatch.GetTimestamp();
        StoreResult<long> result = await service.BackupAsync(destination!, cancellationToken);
        return result.IsSuccess
            ? TypedResults.Ok(new BackupResponse(request.Path, result.Value, Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 3)))
            : ProblemMapping.ToProblem(result.Error);
    }

    public static async Task<Results<Ok<VerifyResponse>, ProblemHttpResult>> VerifyAsync(IEmbeddingService service, CancellationToken cancellationToken)
    {
        StoreResult<VerifyReport> result = await service.VerifyAsync(cancellationToken);
        if (!result.IsSuccess)
        {
            return ProblemMapping.ToProblem(result.Error);
        }

        VerifyReport report = result.Value!;
        return TypedResults.Ok(new VerifyResponse(
            report.IsOk,
            report.IntegrityCheck,
            report.SchemaVersion,
            [.. report.Collections.Select(c => new CollectionVerifyResponse(
                c.Collection, c.StoredItems, c.MemoryItems, c.StoredVectors, c.MemoryVectors, c.DerivedVectors, c.DerivedWithoutLink))],
            report.Problems));
    }

    // The request names a file inside the backup directory; anything that would leave it (absolute paths, '..') is refused.
    private static bool TryResolve(string? directory, string? relative, out string? destination, out StoreError? refusal)
    {
        destination = null;
        refusal = null;
        if (string.IsNullOrWhiteSpace(directory))
        {
            refusal = new StoreError(StoreErrorCode.InvalidArgument, "Backups are disabled: set Backup:Directory (Backup__Directory) to the directory they may be written to.");
            return false;
        }

        if (string.IsNullOrWhiteSpace(relative) || Path.IsPathRooted(relative) || relative.Contains('\0', StringComparison.Ordinal))
        {
            refusal = new StoreError(StoreErrorCode.InvalidArgument, "path must be a file name (or relative path) inside the backup directory.");
            return false;
        }

        string root = Path.GetFullPath(directory);
        string full = Path.GetFullPath(Path.Combine(root, relative));
        if (!full.StartsWith(root.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            refusal = new StoreError(StoreErrorCode.InvalidArgument, $"path '{relative}' leaves the backup directory; name a file inside it.");
            return false;
        }

        if (File.Exists(full))
        {
            refusal = new StoreError(StoreErrorCode.InvalidArgument, $"The backup '{relative}' exists; a backup never overwrites a file. Choose a new name.");
            return false;
        }

        destination = full;
        return true;
    }
}
