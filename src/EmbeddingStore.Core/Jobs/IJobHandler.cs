// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Collections;

namespace EmbeddingStore.Core.Jobs;

/// <summary>
/// Runs one kind of job, one bounded chunk per call. A chunk commits its data and the job's new cursor and counters in
/// one transaction, so the job's stored state always says exactly what is done.
/// </summary>
public interface IJobHandler
{
    /// <summary>The kind this handler runs (<see cref="JobKinds"/>).</summary>
    string Kind { get; }

    /// <summary>
    /// Does one chunk of <paramref name="job"/> and returns the job as committed (state <see cref="JobState.Completed"/>
    /// when nothing is left), or a refusal that fails the job. Must be short (a thousand items or so), so pause, cancel
    /// and shutdown are honoured promptly and writers of the same collection wait little.
    /// </summary>
    Task<StoreResult<JobRecord>> RunChunkAsync(JobRecord job, CancellationToken cancellationToken);
}
