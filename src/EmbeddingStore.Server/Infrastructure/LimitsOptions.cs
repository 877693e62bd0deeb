// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.ComponentModel.DataAnnotations;
using EmbeddingStore.Core.Collections;

namespace EmbeddingStore.Server.Infrastructure;

/// <summary>Request limits (<c>Limits:*</c>). Each is answered with a problem+json error when exceeded.</summary>
public sealed class LimitsOptions
{
    public const string SectionName = "Limits";

    [Range(1, 100_000)]
    public int MaxBatchItems { get; set; } = 1_000;

    [Range(1, 100_000)]
    public int MaxK { get; set; } = 1_000;

    [Range(1, 4_096)]
    public int MaxIdLength { get; set; } = 256;

    [Range(1, 65_536)]
    public int MaxDimension { get; set; } = 16_384;

    [Range(2, 16 * 1024 * 1024)]
    public int MaxPayloadBytes { get; set; } = 64 * 1024;

    [Range(1, 100_000)]
    public int MaxScrollLimit { get; set; } = 1_000;

    /// <summary>Largest request body; 1,000 items of 1,536 floats written as JSON text need about 20 MB.</summary>
    [Range(1_024, 1L << 31)]
    public long MaxRequestBodyBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Queries in one batch search; the batch holds the collection's read lock while it runs.</summary>
    [Range(1, 100_000)]
    public int MaxBatchQueries { get; set; } = 1_000;

    /// <summary>
    /// Conditions in one payload filter. Every condition is checked against every candidate, so without a bound one read-scope
    /// search with a million conditions costs seconds and hundreds of megabytes.
    /// </summary>
    [Range(1, 100_000)]
    public int MaxFilterConditions { get; set; } = 256;

    /// <summary>
    /// JSON nesting inside a filter, the filter object itself being level 1 (<c>filter</c> → <c>must</c> → condition → a
    /// scalar <c>match</c> is 4). Leaves room for nested clauses while refusing deep structures before they are walked.
    /// </summary>
    [Range(4, 64)]
    public int MaxFilterDepth { get; set; } = 8;

    /// <summary>Threads one search may use on a large segment; 1 turns parallel scans off.</summary>
    [Range(1, 256)]
    public int SearchParallelism { get; set; } = Math.Clamp(Environment.ProcessorCount, 1, 8);

    /// <summary>Vector bytes below which a scan stays on the request's thread.</summary>
    [Range(0, long.MaxValue)]
    public long ParallelScanMinBytes { get; set; } = 4L * 1024 * 1024;

    public EngineLimits ToEngineLimits() => new()
    {
        MaxBatchItems = MaxBatchItems,
        MaxK = MaxK,
        MaxIdLength = MaxIdLength,
        MaxDimension = MaxDimension,
        MaxPayloadBytes = MaxPayloadBytes,
        MaxScrollLimit = MaxScrollLimit,
        MaxBatchQueries = MaxBatchQueries,
        SearchParallelism = SearchParallelism,
        ParallelScanMinBytes = ParallelScanMinBytes,
    };
}
