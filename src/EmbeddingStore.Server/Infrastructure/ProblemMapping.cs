// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Contracts;
using EmbeddingStore.Core.Collections;
using Microsoft.AspNetCore.Http.HttpResults;

namespace EmbeddingStore.Server.Infrastructure;

// The one place where engine refusals become HTTP: an exhaustive switch, so a new StoreErrorCode fails the build
// (CS8509 as an error) until it is given a status and a problem type.
internal static class ProblemMapping
{
    // CS8524 (unnamed enum values) is off so that CS8509 still reports any named code that is not mapped.
#pragma warning disable CS8524
    public static (int Status, string Type, string Title) Map(StoreErrorCode code) => code switch
    {
        StoreErrorCode.InvalidArgument => (StatusCodes.Status400BadRequest, ProblemTypes.InvalidArgument, "Invalid argument"),
        StoreErrorCode.CollectionNotFound => (StatusCodes.Status404NotFound, ProblemTypes.CollectionNotFound, "Collection not found"),
        StoreErrorCode.ItemNotFound => (StatusCodes.Status404NotFound, ProblemTypes.ItemNotFound, "Item not found"),
        StoreErrorCode.LinkNotFound => (StatusCodes.Status404NotFound, ProblemTypes.LinkNotFound, "Link not found"),
        StoreErrorCode.ModelVersionNotFound => (StatusCodes.Status404NotFound, ProblemTypes.ModelVersionNotFound, "Model version not found"),
        StoreErrorCode.DimensionMismatch => (StatusCodes.Status400BadRequest, ProblemTypes.DimensionMismatch, "Dimension mismatch"),
        StoreErrorCode.InvalidVector => (StatusCodes.Status400BadRequest, ProblemTypes.InvalidVector, "Invalid vector"),
        StoreErrorCode.DuplicateId => (StatusCodes.Status400BadRequest, ProblemTypes.DuplicateId, "Duplicate id in batch"),
        StoreErrorCode.LimitExceeded => (StatusCodes.Status400BadRequest, ProblemTypes.LimitExceeded, "Limit exceeded"),
        StoreErrorCode.VersionConflict => (StatusCodes.Status409Conflict, ProblemTypes.VersionConflict, "Model version is immutable"),
        StoreErrorCode.IncompatibleVersions => (StatusCodes.Status409Conflict, ProblemTypes.IncompatibleVersions, "Incompatible model versions"),
        StoreErrorCode.StorageUnavailable => (StatusCodes.Status503ServiceUnavailable, ProblemTypes.StorageUnavailable, "Storage unavailable"),
        StoreErrorCode.JobNotFound => (StatusCodes.Status404NotFound, ProblemTypes.JobNotFound, "Job not found"),
        StoreErrorCode.JobStateConflict => (StatusCodes.Status409Conflict, ProblemTypes.JobStateConflict, "Job state does not allow this"),
        StoreErrorCode.AliasNotFound => (StatusCodes.Status404NotFound, ProblemTypes.AliasNotFound, "Alias not found"),
        StoreErrorCode.MigrationNotFound => (StatusCodes.Status404NotFound, ProblemTypes.MigrationNotFound, "Migration not found"),
        StoreErrorCode.MigrationStateConflict => (StatusCodes.Status409Conflict, ProblemTypes.MigrationStateConflict, "Migration state does not allow this"),
        StoreErrorCode.MigrationConflict => (StatusCodes.Status409Conflict, ProblemTypes.MigrationConflict, "Collection already has an active migration"),
        StoreErrorCode.MigrationGateFailed => (StatusCodes.Status409Conflict, ProblemTypes.MigrationGateFailed, "Cut-over gate not met"),
        StoreErrorCode.NameConflict => (StatusCodes.Status409Conflict, ProblemTypes.NameConflict, "Name taken by a collection or an alias"),
        StoreErrorCode.PayloadIndexNotFound => (StatusCodes.Status404NotFound, ProblemTypes.PayloadIndexNotFound, "Payload index not found"),
    };
#pragma warning restore CS8524

    public static ProblemHttpResult ToProblem(StoreError error)
    {
        (int status, string type, string title) = Map(error.Code);
        Dictionary<string, object?>? extensions = error.Versions is { Count: > 0 } versions
            ? new Dictionary<string, object?> { ["versions"] = versions.ToArray() }
            : null;
        return TypedResults.Problem(detail: error.Message, statusCode: status, title: title, type: type, extensions: extensions);
    }

    // Problems the framework produces itself (no route, wrong method, bad media type) get our stable types too.
    public static (string Type, string Title)? ForStatus(int status) => status switch
    {
        StatusCodes.Status400BadRequest => (ProblemTypes.MalformedRequest, "Malformed request"),
        StatusCodes.Status401Unauthorized => (ProblemTypes.Unauthorized, "API key missing or not valid"),
        StatusCodes.Status403Forbidden => (ProblemTypes.Forbidden, "API key lacks the required scope"),
        StatusCodes.Status404NotFound => (ProblemTypes.RouteNotFound, "Not found"),
        StatusCodes.Status405MethodNotAllowed => (ProblemTypes.MethodNotAllowed, "Method not allowed"),
        StatusCodes.Status408RequestTimeout => (ProblemTypes.RequestTimeout, "Request body timed out"),
        StatusCodes.Status413PayloadTooLarge => (ProblemTypes.PayloadTooLarge, "Request body too large"),
        StatusCodes.Status415UnsupportedMediaType => (ProblemTypes.UnsupportedMediaType, "Unsupported media type"),
        StatusCodes.Status429TooManyRequests => (ProblemTypes.RateLimited, "Too many requests"),
        StatusCodes.Status500InternalServerError => (ProblemTypes.InternalError, "Internal server error"),
        _ => null,
    };
}
