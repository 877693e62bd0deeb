// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.ComponentModel.DataAnnotations;

namespace EmbeddingStore.Server.Infrastructure;

/// <summary>
/// How much of the machine background jobs (derive, transform migrations) may take (<c>Jobs:*</c>): a chunk is one
/// transaction holding its collection's writer gate, and the pause after it leaves room for user traffic.
/// </summary>
public sealed class JobsOptions
{
    public const string SectionName = "Jobs";

    /// <summary>Vectors written per chunk; smaller chunks hold the collection's writer gate for less time.</summary>
    [Range(1, 100_000)]
    public int ChunkSize { get; set; } = 1_000;

    /// <summary>Milliseconds the runner waits after each chunk (0: only yield), bounding a job's rate to chunk size / pause.</summary>
    [Range(0, 600_000)]
    public int PauseBetweenChunksMs { get; set; }
}
