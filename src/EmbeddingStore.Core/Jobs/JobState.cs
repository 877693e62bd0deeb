// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Core.Jobs;

/// <summary>Where a job is in its life; the wire names are in <see cref="JobStateNames"/>.</summary>
public enum JobState
{
    /// <summary>Accepted and waiting for the runner.</summary>
    Queued,

    /// <summary>The runner is working through it chunk by chunk; after a restart it resumes from its stored cursor.</summary>
    Running,

    /// <summary>Stopped between chunks on request; resuming continues from the stored cursor.</summary>
    Paused,

    /// <summary>Finished; what it committed stays.</summary>
    Completed,

    /// <summary>Stopped by an error, named in the job; what earlier chunks committed stays.</summary>
    Failed,

    /// <summary>Stopped on request between chunks; what earlier chunks committed stays.</summary>
    Cancelled,
}
