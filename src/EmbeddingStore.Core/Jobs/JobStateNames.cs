// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Core.Jobs;

/// <summary>The stable wire and storage names of job states, so scripts can rely on them whatever the enum becomes.</summary>
public static class JobStateNames
{
    /// <summary>The stable name of a state.</summary>
    public static string ToWireName(JobState state) => state switch
    {
        JobState.Queued => "queued",
        JobState.Running => "running",
        JobState.Paused => "paused",
        JobState.Completed => "completed",
        JobState.Failed => "failed",
        JobState.Cancelled => "cancelled",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "Unknown job state."),
    };

    /// <summary>Parses a stable name; false for anything else.</summary>
    public static bool TryParse(string? name, out JobState state)
    {
        foreach (JobState candidate in Enum.GetValues<JobState>())
        {
            if (string.Equals(ToWireName(candidate), name, StringComparison.Ordinal))
            {
                state = candidate;
                return true;
            }
        }

        state = default;
        return false;
    }

    /// <summary>Whether a job in this state will never run again.</summary>
    public static bool IsFinal(JobState state) => state is JobState.Completed or JobState.Failed or JobState.Cancelled;
}
