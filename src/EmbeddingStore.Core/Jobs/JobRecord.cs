// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Core.Jobs;

/// <summary>
/// A durable background job: what it does, where it is, and what it has done so far. Stored in the repository with
/// every chunk it commits (in the same transaction as the chunk's data), so after a crash or restart the runner resumes
/// from <see cref="Cursor"/> instead of starting over, and nothing is done twice.
/// </summary>
/// <param name="Id">The job's id (<c>job-…</c>).</param>
/// <param name="Kind">What the job does (<see cref="JobKinds"/>), which names its handler.</param>
/// <param name="Collection">The collection it works on, if any.</param>
/// <param name="State">Where it is in its life.</param>
/// <param name="Parameters">The kind's parameters as JSON text, fixed when the job is created.</param>
/// <param name="Cursor">Where the last committed chunk stopped (for chunked walks, the last item id); null before the first.</param>
/// <param name="Done">Units of work done (items walked, for a derive job).</param>
/// <param name="Total">Units of work known so far; may grow while the job runs (a collection that grows meanwhile).</param>
/// <param name="CreatedAt">When it was accepted.</param>
/// <param name="UpdatedAt">When its state or progress last changed.</param>
/// <param name="Error">Why it failed, when it did.</param>
/// <param name="Counters">Kind-specific results so far (for a derive job, <c>derived</c>).</param>
public sealed record JobRecord(
    string Id,
    string Kind,
    string? Collection,
    JobState State,
    string Parameters,
    string? Cursor,
    long Done,
    long Total,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string? Error = null,
    IReadOnlyDictionary<string, long>? Counters = null);
