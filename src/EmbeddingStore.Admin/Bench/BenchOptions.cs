// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.ComponentModel.DataAnnotations;
using EmbeddingStore.Admin.Cli;
using EmbeddingStore.Core.Indexes;
using EmbeddingStore.Core.Vectors;

namespace EmbeddingStore.Admin.Bench;

// The options of `esadmin bench`, bound from the command line by BenchCommand and checked with DataAnnotations before
// any file is read. Every message names the option, so the one line printed says what to change.
internal sealed record BenchOptions : IValidatableObject
{
    private const string RangeMessage = "{0} must be an integer from {1} to {2}";

    // Required for search modes (checked in Validate); optional for ingest.
    [Display(Name = "--base")]
    public required string BasePath { get; init; }

    [Display(Name = "--query")]
    public required string QueryPath { get; init; }

    public bool Ingest { get; init; }

    [Range(1, 10_000_000, ErrorMessage = RangeMessage)]
    [Display(Name = "--ingest-count")]
    public int IngestCount { get; init; } = 100_000;

    [Range(1, 65_536, ErrorMessage = RangeMessage)]
    [Display(Name = "--dimension")]
    public int Dimension { get; init; } = 384;

    public int Seed { get; init; } = 13;

    public string? GroundTruthPath { get; init; }

    public string? WriteGroundTruthPath { get; init; }

    [Range(1, 10_000, ErrorMessage = RangeMessage)]
    [Display(Name = "--k")]
    public int K { get; init; } = 10;

    public IndexKind Index { get; init; } = IndexKind.Exact;

    public bool Batch { get; init; }

    [Range(1, 256, ErrorMessage = RangeMessage)]
    [Display(Name = "--threads")]
    public int Threads { get; init; } = 1;

    public bool Json { get; init; }

    public DistanceMetric Metric { get; init; } = DistanceMetric.DotProduct;

    [Range(1, 64, ErrorMessage = RangeMessage)]
    [Display(Name = "--oversampling")]
    public int? Oversampling { get; init; }

    // --ef: one value, or a comma-separated sweep (every value run over the same graph).
    public IReadOnlyList<int>? Ef { get; init; }

    [Range(2, 100, ErrorMessage = RangeMessage)]
    [Display(Name = "--m")]
    public int? M { get; init; }

    [Range(2, 1_000, ErrorMessage = RangeMessage)]
    [Display(Name = "--ef-construction")]
    public int? EfConstruction { get; init; }

    [Range(1, 64, ErrorMessage = RangeMessage)]
    [Display(Name = "--build-threads")]
    public int? BuildThreads { get; init; }

    [Display(Name = "--keep-pruned-connections")]
    public bool? KeepPrunedConnections { get; init; }

    [Display(Name = "--quantized")]
    public bool? Quantized { get; init; }

    // Any graph build setting given: the bench then sends index settings and names them in its report.
    public bool HasGraphSettings => (M ?? EfConstruction ?? BuildThreads) is not null || KeepPrunedConnections is not null;

    [Range(1, 100_000, ErrorMessage = RangeMessage)]
    [Display(Name = "--batch-size")]
    public int BatchSize { get; init; } = 1_000;

    [Range(1, int.MaxValue, ErrorMessage = RangeMessage)]
    [Display(Name = "--queries")]
    public int? MaxQueries { get; init; }

    [Range(1, 65_536, ErrorMessage = RangeMessage)]
    [Display(Name = "--bandwidth-mib")]
    public int BandwidthMiB { get; init; } = 1_024;

    [Range(1, 100, ErrorMessage = RangeMessage)]
    [Display(Name = "--repeat")]
    public int Repeat { get; init; } = 1;

    [Range(1, 3_600, ErrorMessage = RangeMessage)]
    [Display(Name = "--warmup-max")]
    public int WarmupMaxSeconds { get; init; } = 30;

    [Range(0, 10_000_000, ErrorMessage = RangeMessage)]
    [Display(Name = "--warmup-requests")]
    public int WarmupRequests { get; init; }

    // --selectivity: the percentage of items a seeded `cat` payload field lets through (every search is then filtered on
    // it, the ground truth included); null runs unfiltered.
    [Range(0.001, 100.0, ErrorMessage = "{0} must be a percentage from {1} to {2}")]
    [Display(Name = "--selectivity")]
    public double? Selectivity { get; init; }

    // --payload-index: a keyword index on `cat`, so the planner counts the matching rows instead of sampling payloads.
    public bool PayloadIndex { get; init; }

    // --graph-cost: the engine's FilteredGraphCostRowsPerEf (in-process only); 0 walks the graph whenever enough rows match.
    [Range(0, 1_000_000, ErrorMessage = RangeMessage)]
    [Display(Name = "--graph-cost")]
    public int? GraphCost { get; init; }

    public string? Server { get; init; }

    [Required]
    [StringLength(256, MinimumLength = 1, ErrorMessage = "{0} must be 1 to {1} characters")]
    [Display(Name = "--collection")]
    public string Collection { get; init; } = "bench";

    [Range(1, 100_000, ErrorMessage = RangeMessage)]
    [Display(Name = "--upload-batch")]
    public int UploadBatch { get; init; } = 1_000;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Ingest && string.IsNullOrEmpty(BasePath))
        {
            yield return new ValidationResult("--base is required (except with --mode ingest)", [nameof(BasePath)]);
        }

        if (!Ingest && string.IsNullOrEmpty(QueryPath))
        {
            yield return new ValidationResult("--query is required (except with --mode ingest)", [nameof(QueryPath)]);
        }

        if (Ingest && Server is null)
        {
            yield return new ValidationResult("--mode ingest needs --server URL: it measures the server's upsert routes", [nameof(Server)]);
        }

        if (GroundTruthPath is not null && WriteGroundTruthPath is not null)
        {
            yield return new ValidationResult(
                "--gt and --write-gt exclude each other: the ground truth is either read or computed", [nameof(GroundTruthPath), nameof(WriteGroundTruthPath)]);
        }

        if (Ef is { } sweep && sweep.Where(ef => ef is < 1 or > 4_096).Select(ef => (int?)ef).FirstOrDefault() is { } bad)
        {
            yield return new ValidationResult($"--ef values must be integers from 1 to 4096, not {bad}", [nameof(Ef)]);
        }

        if (HasGraphSettings && Index != IndexKind.Hnsw)
        {
            yield return new ValidationResult(
                "--m, --ef-construction, --build-threads and --keep-pruned-connections set how an hnsw graph is built; they need --index hnsw", [nameof(M)]);
        }

        if (Quantized is not null && Index != IndexKind.Hnsw)
        {
            yield return new ValidationResult("--quantized walks an hnsw graph on int8 codes; it needs --index hnsw", [nameof(Quantized)]);
        }

        if (Selectivity is not null && GroundTruthPath is not null)
        {
            yield return new ValidationResult(
                "--gt holds unfiltered neighbours; with --selectivity the exact filtered ground truth is computed", [nameof(Selectivity), nameof(GroundTruthPath)]);
        }

        if (PayloadIndex && Selectivity is null)
        {
            yield return new ValidationResult("--payload-index indexes the field --selectivity filters on; it needs --selectivity", [nameof(PayloadIndex)]);
        }

        if (Server is not null && GraphCost is not null)
        {
            yield return new ValidationResult("--graph-cost sets the in-process engine's planner; drop --server (a server's planner is its own configuration)", [nameof(GraphCost)]);
        }

        if (Server is not null && HttpUrl.Parse(Server, out string? error) is null)
        {
            yield return new ValidationResult($"--server {error}", [nameof(Server)]);
        }
    }
}
