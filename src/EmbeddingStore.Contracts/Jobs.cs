// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Contracts;

/// <summary>
/// A background job as the API shows it. Long work (deriving vectors for a whole collection, later migrations and index
/// builds) runs as a job so a request never holds a connection for minutes, and so the work survives restarts: poll
/// <c>GET /v1/jobs/{id}</c> until <see cref="State"/> is final.
/// </summary>
/// <param name="Id">The job's id.</param>
/// <param name="Kind">What it does (<c>derive</c>, or <c>index-build</c>: one segment's graph built in the background, progress in rows).</param>
/// <param name="Collection">The collection it works on.</param>
/// <param name="State"><c>queued</c>, <c>running</c>, <c>paused</c>, <c>completed</c>, <c>failed</c> or <c>cancelled</c>.</param>
/// <param name="Progress">Units done out of those known (items walked, for derive).</param>
/// <param name="CreatedAt">When it was accepted.</param>
/// <param name="UpdatedAt">When its state or progress last changed.</param>
/// <param name="Error">Why it failed; null otherwise.</param>
/// <param name="Counters">Kind-specific results so far (derive: <c>derived</c>, the vectors stored).</param>
public sealed record JobResponse(
    string Id,
    string Kind,
    string? Collection,
    string State,
    JobProgressResponse Progress,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string? Error,
    IReadOnlyDictionary<string, long>? Counters);

/// <summary>How far a job has come. <see cref="Total"/> may grow while a job runs (a collection that grows meanwhile).</summary>
/// <param name="Done">Units done.</param>
/// <param name="Total">Units known so far.</param>
public sealed record JobProgressResponse(long Done, long Total);

/// <summary>All jobs.</summary>
/// <param name="Jobs">Newest first.</param>
public sealed record JobListResponse(IReadOnlyList<JobResponse> Jobs);
