// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Globalization;
using EmbeddingStore.Core.Indexes;
using EmbeddingStore.Core.Vectors;

namespace EmbeddingStore.Admin.Bench;

// The options of `esadmin bench`, parsed and checked before any file is read.
internal sealed record BenchOptions
{
    public const string Usage =
        """
        usage: esadmin bench --base FILE.fvecs --query FILE.fvecs [--gt FILE.ivecs | --write-gt FILE.ivecs]
                             [--k 10] [--index exact|int8] [--mode single|batch] [--threads 1] [--json]
                             [--metric dot|cosine|l2] [--oversampling 4] [--batch-size 1000] [--queries N]
                             [--repeat 1] [--bandwidth-mib 1024]
                             [--server URL [--collection bench] [--upload-batch 1000]]
          Loads the base vectors into an in-process engine, runs the queries and prints recall@k against the ground
          truth (computed exactly when --gt is omitted), queries per second, p50/p99 latency, peak memory, and the
          measured memory read bandwidth with the floor it implies for one exact scan. With --repeat N every query
          runs N times and the fastest repetition is reported. With --server the same runs go through a running
          server over HTTP (it registers bench@v1 and fills the collection); the figures then include HTTP and JSON.
        """;

    public required string BasePath { get; init; }

    public required string QueryPath { get; init; }

    public string? GroundTruthPath { get; init; }

    public string? WriteGroundTruthPath { get; init; }

    public int K { get; init; } = 10;

    public IndexKind Index { get; init; } = IndexKind.Exact;

    public bool Batch { get; init; }

    public int Threads { get; init; } = 1;

    public bool Json { get; init; }

    public DistanceMetric Metric { get; init; } = DistanceMetric.DotProduct;

    public int? Oversampling { get; init; }

    public int BatchSize { get; init; } = 1_000;

    public int? MaxQueries { get; init; }

    public int BandwidthMiB { get; init; } = 1_024;

    public int Repeat { get; init; } = 1;

    public string? Server { get; init; }

    public string Collection { get; init; } = "bench";

    public int UploadBatch { get; init; } = 1_000;

    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        string? basePath = null, queryPath = null, gt = null, writeGt = null, server = null;
        string collection = "bench";
        int uploadBatch = 1_000;
        int k = 10, threads = 1, batchSize = 1_000, bandwidth = 1_024, repeat = 1;
        int? oversampling = null, maxQueries = null;
        IndexKind index = IndexKind.Exact;
        bool batch = false, json = false;
        DistanceMetric metric = DistanceMetric.DotProduct;

        for (int i = 0; i < args.Count; i++)
        {
            string name = args[i];
            switch (name)
            {
                case "--json":
                    json = true;
                    continue;
                case "--base" or "--query" or "--gt" or "--write-gt" or "--k" or "--index" or "--mode" or "--threads" or "--metric"
                    or "--oversampling" or "--batch-size" or "--queries" or "--bandwidth-mib" or "--repeat" or "--server" or "--collection"
                    or "--upload-batch":
                    break;
                default:
                    throw new BenchInputException($"unknown option '{name}'; see esadmin bench --help");
            }

            if (i + 1 >= args.Count)
            {
                throw new BenchInputException($"{name} needs a value");
            }

            string value = args[++i];
            switch (name)
            {
                case "--base": basePath = value; break;
                case "--query": queryPath = value; break;
                case "--gt": gt = value; break;
                case "--write-gt": writeGt = value; break;
                case "--k": k = Positive(name, value, 10_000); break;
                case "--threads": threads = Positive(name, value, 256); break;
                case "--oversampling": oversampling = Positive(name, value, 64); break;
                case "--batch-size": batchSize = Positive(name, value, 100_000); break;
                case "--queries": maxQueries = Positive(name, value, int.MaxValue); break;
                case "--bandwidth-mib": bandwidth = Positive(name, value, 65_536); break;
                case "--repeat": repeat = Positive(name, value, 100); break;
                case "--server": server = value; break;
                case "--collection": collection = value; break;
                case "--upload-batch": uploadBatch = Positive(name, value, 100_000); break;
                case "--index":
                    index = IndexRegistry.Default.TryParse(value, out IndexKind parsed)
                        ? parsed
                        : throw new BenchInputException($"--index must be one of {string.Join(", ", IndexRegistry.Default.Kinds)}, not '{value}'");
                    break;
                case "--mode":
                    batch = value switch
                    {
                        "single" => false,
                        "batch" => true,
                        _ => throw new BenchInputException($"--mode must be single or batch, not '{value}'"),
                    };
                    break;
                case "--metric":
                    if (!ScoreMapping.TryParseWireName(value, out metric))
                    {
                        throw new BenchInputException($"--metric must be dot, cosine or l2, not '{value}'");
                    }

                    break;
            }
        }

        if (basePath is null || queryPath is null)
        {
            throw new BenchInputException("--base and --query are required; see esadmin bench --help");
        }

        if (gt is not null && writeGt is not null)
        {
            throw new BenchInputException("--gt and --write-gt exclude each other: the ground truth is either read or computed");
        }

        return new BenchOptions
        {
            BasePath = basePath,
            QueryPath = queryPath,
            GroundTruthPath = gt,
            WriteGroundTruthPath = writeGt,
            K = k,
            Index = index,
            Batch = batch,
            Threads = threads,
            Json = json,
            Metric = metric,
            Oversampling = oversampling,
            BatchSize = batchSize,
            MaxQueries = maxQueries,
            BandwidthMiB = bandwidth,
            Repeat = repeat,
            Server = server,
            Collection = collection,
            UploadBatch = uploadBatch,
        };
    }

    private static int Positive(string name, string value, int max)
    {
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n < 1 || n > max)
        {
            throw new BenchInputException($"{name} must be an integer from 1 to {max}, not '{value}'");
        }

        return n;
    }
}
