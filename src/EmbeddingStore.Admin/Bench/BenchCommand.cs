// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.CommandLine;
using System.CommandLine.Parsing;
using System.Diagnostics;
using EmbeddingStore.Admin.Cli;
using EmbeddingStore.Client;
using EmbeddingStore.Contracts;
using EmbeddingStore.Core.Indexes;
using EmbeddingStore.Core.Vectors;

namespace EmbeddingStore.Admin.Bench;

// `esadmin bench`: search on standard .fvecs/.ivecs files, in-process or through a server, so the same files can be
// run through FAISS, hnswlib or USearch and compared as ratios on the same machine. Measures; never asserts.
internal sealed class BenchCommand : IAdminCommand
{
    // The figures it prints are described in README.md (Benchmarks) and docs/bench.
    private const string Description =
        "Benchmark search on .fvecs/.ivecs files, in-process (or --server over HTTP): recall@k, queries per second, p50/p99 latency, "
        + "peak memory, and the memory bandwidth floor of an exact scan";

    public Command Create(AdminContext context)
    {
        var basePath = new Option<string>("--base") { Description = "The base vectors (.fvecs); with --mode ingest, optional: the vectors to upsert", HelpName = "FILE.fvecs" };
        var queryPath = new Option<string>("--query") { Description = "The queries (.fvecs); not used by --mode ingest", HelpName = "FILE.fvecs" };
        var gt = new Option<string?>("--gt") { Description = "The exact neighbours of every query (.ivecs); computed exactly when omitted", HelpName = "FILE.ivecs" };
        var writeGt = new Option<string?>("--write-gt") { Description = "Compute the exact neighbours and write them to this .ivecs file", HelpName = "FILE.ivecs" };
        var k = new Option<int>("--k") { Description = "Neighbours per query", DefaultValueFactory = _ => 10 };
        var index = new Option<IndexKind>("--index")
        {
            Description = $"The index kind to search: {string.Join(", ", IndexRegistry.Default.Kinds)} (int8 re-scores the best k x oversampling exactly)",
            HelpName = string.Join('|', IndexRegistry.Default.Kinds),
            DefaultValueFactory = _ => IndexKind.Exact,
            CustomParser = result => IndexRegistry.Default.TryParse(Token(result), out IndexKind parsed)
                ? parsed
                : Refuse<IndexKind>(result, $"--index must be one of {string.Join(", ", IndexRegistry.Default.Kinds)}, not '{Token(result)}'"),
        };
        var mode = new Option<string>("--mode")
        {
            Description = "single (one query per call), batch (--batch-size queries per call) or ingest (upsert throughput with --server: JSON arrays, base64, NDJSON bulk)",
            HelpName = "single|batch|ingest",
            DefaultValueFactory = _ => "single",
        };
        mode.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string>() is not ("single" or "batch" or "ingest") and var other)
            {
                result.AddError($"--mode must be single, batch or ingest, not '{other}'");
            }
        });
        var threads = new Option<int>("--threads") { Description = "Search threads", DefaultValueFactory = _ => 1 };
        var metric = new Option<DistanceMetric>("--metric")
        {
            Description = "The metric of the vectors",
            HelpName = string.Join('|', ScoreMapping.WireNames),
            DefaultValueFactory = _ => DistanceMetric.DotProduct,
            CustomParser = result => ScoreMapping.TryParseWireName(Token(result), out DistanceMetric parsed)
                ? parsed
                : Refuse<DistanceMetric>(result, $"--metric must be one of {string.Join(", ", ScoreMapping.WireNames)}, not '{Token(result)}'"),
        };
        var oversampling = new Option<int?>("--oversampling") { Description = "int8: candidates re-scored per neighbour (default: the engine's)" };
        var ef = new Option<IReadOnlyList<int>?>("--ef")
        {
            Description = "hnsw: the search's candidate list, or a comma-separated sweep run over one graph (e.g. 16,32,64,128,256)",
            HelpName = "N[,N...]",
            CustomParser = result => ParseList(Token(result)) is { } list ? list : Refuse<IReadOnlyList<int>?>(result, $"--ef must be integers separated by commas, not '{Token(result)}'"),
        };
        var m = new Option<int?>("--m") { Description = "hnsw: links per node of the graph (the collection's index setting; default 16)" };
        var efConstruction = new Option<int?>("--ef-construction") { Description = "hnsw: candidates each insert searches (default 200)" };
        var buildThreads = new Option<int?>("--build-threads") { Description = "hnsw: threads the graph build uses (default 1: the same graph every run)" };
        var keepPruned = new Option<bool>("--keep-pruned-connections") { Description = "hnsw: fill link lists with the rows the heuristic passed over, as pgvector does" };
        var quantized = new Option<bool>("--quantized") { Description = "hnsw: walk the graph on the segment's int8 codes, re-scoring the ef found with floats" };
        var batchSize = new Option<int>("--batch-size") { Description = "Queries per batch (batch mode and ground truth)", DefaultValueFactory = _ => 1_000 };
        var queries = new Option<int?>("--queries") { Description = "Use only the first N queries", HelpName = "N" };
        var repeat = new Option<int>("--repeat") { Description = "Run every query N times; the fastest repetition is reported", HelpName = "N", DefaultValueFactory = _ => 1 };
        var warmupMax = new Option<int>("--warmup-max") { Description = "Longest warm-up before measuring, steady or not", HelpName = "SECONDS", DefaultValueFactory = _ => 30 };
        var warmupRequests = new Option<int>("--warmup-requests")
        {
            Description = "Fewest warm-up requests before the warm-up may call itself steady (a fresh server's JIT needs ~20000)",
            HelpName = "N",
            DefaultValueFactory = _ => 0,
        };
        var bandwidth = new Option<int>("--bandwidth-mib") { Description = "Buffer size of the bandwidth measurement", DefaultValueFactory = _ => 1_024 };
        var server = new Option<string?>("--server") { Description = "Run through this server over HTTP instead of in-process (registers bench@v1, fills --collection)", HelpName = "URL" };
        var collection = new Option<string>("--collection") { Description = "With --server: the collection to fill", DefaultValueFactory = _ => "bench" };
        var uploadBatch = new Option<int>("--upload-batch") { Description = "With --server: items per upsert (and per chunk of the ingest's NDJSON stream)", DefaultValueFactory = _ => 1_000 };
        var ingestCount = new Option<int>("--ingest-count") { Description = "--mode ingest: items to upsert per encoding", DefaultValueFactory = _ => 100_000 };
        var dimension = new Option<int>("--dimension") { Description = "--mode ingest without --base: dimension of the seeded vectors", DefaultValueFactory = _ => 384 };
        var seed = new Option<int>("--seed") { Description = "Seed of the vectors (--mode ingest without --base) and of the --selectivity payload", DefaultValueFactory = _ => 13 };
        var selectivity = new Option<double?>("--selectivity")
        {
            Description = "Filter every search on a seeded payload field that exactly this percentage of the items pass (e.g. 10 or 1); "
                + "recall is then against the exact filtered search, whose q/s is measured in the same run",
            HelpName = "PERCENT",
        };
        var payloadIndex = new Option<bool>("--payload-index") { Description = "With --selectivity: declare a keyword payload index on the field" };
        var graphCost = new Option<int?>("--graph-cost")
        {
            Description = "The planner's filtered graph cost in rows per unit of ef (in-process; 0 walks the graph whenever enough rows match)",
            HelpName = "ROWS",
        };

        var command = new Command("bench", Description)
        {
            basePath, queryPath, gt, writeGt, k, index, mode, threads, metric, oversampling, ef, m, efConstruction, buildThreads, keepPruned, quantized, batchSize, queries, repeat,
            warmupMax, warmupRequests, bandwidth, server, collection, uploadBatch, ingestCount, dimension, seed, selectivity, payloadIndex, graphCost,
        };
        command.Options.Add(context.Shared.Json);

        BenchOptions Bind(CommandResult result) => new()
        {
            BasePath = result.GetValue(basePath) ?? string.Empty,
            QueryPath = result.GetValue(queryPath) ?? string.Empty,
            Ingest = result.GetValue(mode) == "ingest",
            IngestCount = result.GetValue(ingestCount),
            Dimension = result.GetValue(dimension),
            Seed = result.GetValue(seed),
            GroundTruthPath = result.GetValue(gt),
            WriteGroundTruthPath = result.GetValue(writeGt),
            K = result.GetValue(k),
            Index = result.GetValue(index),
            Batch = result.GetValue(mode) == "batch",
            Threads = result.GetValue(threads),
            Json = result.GetValue(context.Shared.Json),
            Metric = result.GetValue(metric),
            Oversampling = result.GetValue(oversampling),
            Ef = result.GetValue(ef),
            M = result.GetValue(m),
            EfConstruction = result.GetValue(efConstruction),
            BuildThreads = result.GetValue(buildThreads),
            KeepPrunedConnections = result.GetValue(keepPruned) ? true : null,
            Quantized = result.GetValue(quantized) ? true : null,
            BatchSize = result.GetValue(batchSize),
            MaxQueries = result.GetValue(queries),
            Repeat = result.GetValue(repeat),
            WarmupMaxSeconds = result.GetValue(warmupMax),
            WarmupRequests = result.GetValue(warmupRequests),
            BandwidthMiB = result.GetValue(bandwidth),
            Server = result.GetValue(server),
            Collection = result.GetValue(collection)!,
            UploadBatch = result.GetValue(uploadBatch),
            Selectivity = result.GetValue(selectivity),
            PayloadIndex = result.GetValue(payloadIndex),
            GraphCost = result.GetValue(graphCost),
        };

        command.SetAction((parseResult, cancellationToken) => RunAsync(Bind(parseResult.CommandResult), context, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(BenchOptions options, AdminContext context, CancellationToken cancellationToken)
    {
        // The action runs only after a clean parse; what DataAnnotations refuse is bad input like a parse error.
        if (OptionsValidation.FirstError(options) is { } invalid)
        {
            await context.Error.WriteLineAsync($"esadmin: bench: {invalid}; see esadmin bench --help");
            return 2;
        }

        try
        {
            if (options.Ingest)
            {
                Uri address = HttpUrl.Parse(options.Server!, out string? urlError) ?? throw new BenchInputException($"--server {urlError}");
                using HttpClient http = context.HttpClientFactory?.Invoke(address) ?? new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromMinutes(30) };
                await context.Out.WriteLineAsync(await IngestBench.RunAsync(options, http, cancellationToken));
                return 0;
            }

            BenchReport report = await RunAsync(options, context.Error, context.HttpClientFactory, cancellationToken);
            await context.Out.WriteLineAsync(options.Json ? report.ToJson() : report.ToText());
            return 0;
        }
        catch (Exception ex) when (ex is BenchInputException or InvalidDataException or FileNotFoundException)
        {
            await context.Error.WriteLineAsync("esadmin: bench: " + ex.Message);
            return 2;
        }
        catch (EmbeddingStoreException ex)
        {
            await context.Error.WriteLineAsync($"esadmin: bench: the server refused: {(int)ex.Status} {ex.ProblemType}: {ex.Message}");
            return 1;
        }
        catch (HttpRequestException ex)
        {
            await context.Error.WriteLineAsync($"esadmin: bench: cannot reach the server: {ex.Message}");
            return 1;
        }
    }

    // The option's value; empty when the parser asks without one (the option then reports it as missing).
    private static string Token(ArgumentResult result) => result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;

    // "16,32,64" as numbers; null when any part is not an integer.
    private static int[]? ParseList(string text)
    {
        string[] parts = text.Split(',', StringSplitOptions.TrimEntries);
        var values = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out values[i]))
            {
                return null;
            }
        }

        return values;
    }

    private static T Refuse<T>(ArgumentResult result, string error)
    {
        result.AddError(error);
        return default!;
    }

    private static async Task<BenchReport> RunAsync(BenchOptions options, TextWriter log, Func<Uri, HttpClient>? httpClientFactory, CancellationToken cancellationToken)
    {
        VecsMatrix<float> baseVectors = VecsFile.ReadFvecs(options.BasePath);
        VecsMatrix<float> queries = VecsFile.ReadFvecs(options.QueryPath);
        if (queries.Dimension != baseVectors.Dimension)
        {
            throw new BenchInputException(
                $"{options.QueryPath} holds {queries.Dimension}-d queries but {options.BasePath} holds {baseVectors.Dimension}-d vectors");
        }

        VecsMatrix<int>? groundTruth = options.GroundTruthPath is { } gtPath ? ReadGroundTruth(gtPath, options, baseVectors.Count, queries.Count) : null;
        int queryCount = Math.Min(queries.Count, options.MaxQueries ?? int.MaxValue);

        using IBenchTarget target = CreateTarget(options, baseVectors.Dimension, httpClientFactory);
        IndexSettingsBody? settings = !options.HasGraphSettings
            ? null
            : new IndexSettingsBody { M = options.M, EfConstruction = options.EfConstruction, BuildThreads = options.BuildThreads, KeepPrunedConnections = options.KeepPrunedConnections };
        long loadStarted = Stopwatch.GetTimestamp();
        await target.LoadAsync(baseVectors, options.Metric, settings, cancellationToken);
        double loadSeconds = Stopwatch.GetElapsedTime(loadStarted).TotalSeconds;

        if (groundTruth is null)
        {
            groundTruth = await ComputeGroundTruthAsync(target, queries, queryCount, options, cancellationToken);
            if (options.WriteGroundTruthPath is { } writePath)
            {
                VecsFile.WriteIvecs(writePath, groundTruth.Data, groundTruth.Dimension);
                await log.WriteLineAsync($"esadmin: bench: wrote exact top-{options.K} ground truth for {queryCount} queries to {writePath}");
            }
        }

        // The first search of a kind builds its index (a graph, or int8 codes) on the engine's write side, or (a server's
        // graph) starts a background build job waited for here: timed alone, so the build is a figure of its own and not
        // part of any query's latency.
        IReadOnlyList<int?> sweep = options.Ef is { Count: > 0 } list ? [.. list.Select(e => (int?)e)] : [null];
        var first = new BenchKnobs(options.Oversampling, sweep[0], options.Quantized);
        long buildStarted = Stopwatch.GetTimestamp();
        await target.SearchAsync(queries.Row(0).ToArray(), options.K, options.Index, first, cancellationToken);
        await target.WaitForIndexAsync(options.Index, cancellationToken);
        double buildSeconds = Stopwatch.GetElapsedTime(buildStarted).TotalSeconds;
        long indexBytes = await target.IndexMemoryBytesAsync(options.Index, cancellationToken);
        if (options.Quantized is true)
        {
            // The walk reads the int8 codes the first search built beside the graph: their bytes are the index's too.
            indexBytes += await target.IndexMemoryBytesAsync(IndexKind.Int8, cancellationToken);
        }

        (double warmupSeconds, int warmupRounds, long warmupRequestCount, bool steady) = await WarmUpAsync(target, queries, queryCount, options, first, cancellationToken);

        // Each repetition runs every query; the fastest repetition is reported (the usual answer to a shared, noisy
        // machine: interference only ever slows a run down). Recall is the same in every repetition.
        var rows = new List<BenchSweepRow>();
        foreach (int? ef in sweep)
        {
            target.TakePlans();
            var knobs = new BenchKnobs(options.Oversampling, ef, options.Quantized);
            List<double> latencies = [];
            List<int[]> results = [];
            double seconds = double.MaxValue;
            for (int repetition = 0; repetition < options.Repeat; repetition++)
            {
                (List<double> runLatencies, List<int[]> runResults, double runSeconds) = await RunQueriesAsync(target, queries, queryCount, options, knobs, cancellationToken);
                if (runSeconds < seconds)
                {
                    (latencies, results, seconds) = (runLatencies, runResults, runSeconds);
                }
            }

            long found = 0;
            for (int q = 0; q < queryCount; q++)
            {
                var truth = new HashSet<int>(groundTruth.Row(q)[..options.K].ToArray());
                found += results[q].Count(truth.Contains);
            }

            latencies.Sort();
            rows.Add(new BenchSweepRow(
                ef, (double)found / ((long)queryCount * options.K), queryCount / seconds, Percentile(latencies, 0.50), Percentile(latencies, 0.99), Plans(target.TakePlans())));
        }

        // Under a filter, the exact filtered search is the baseline: warmed up and measured in the same run, same mode and threads.
        BenchSweepRow? baseline = null;
        if (options.Selectivity is not null && options.Index != IndexKind.Exact)
        {
            BenchOptions exact = options with { Index = IndexKind.Exact };
            await WarmUpAsync(target, queries, queryCount, exact, BenchKnobs.None, cancellationToken);
            target.TakePlans();
            List<double> latencies = [];
            double seconds = double.MaxValue;
            for (int repetition = 0; repetition < options.Repeat; repetition++)
            {
                (List<double> runLatencies, _, double runSeconds) = await RunQueriesAsync(target, queries, queryCount, exact, BenchKnobs.None, cancellationToken);
                if (runSeconds < seconds)
                {
                    (latencies, seconds) = (runLatencies, runSeconds);
                }
            }

            latencies.Sort();
            baseline = new BenchSweepRow(null, 1, queryCount / seconds, Percentile(latencies, 0.50), Percentile(latencies, 0.99), Plans(target.TakePlans()));
        }

        long peakBytes = Process.GetCurrentProcess().PeakWorkingSet64;

        // Measured last, so its buffer is not counted in the peak memory above.
        double bandwidth = MemoryBandwidth.MeasureBytesPerSecond((long)options.BandwidthMiB * 1024 * 1024, options.Threads, passes: 3 + (2 * options.Repeat));
        return new BenchReport
        {
            Options = options,
            Target = target.Description,
            BaseCount = baseVectors.Count,
            Dimension = baseVectors.Dimension,
            QueryCount = queryCount,
            LoadSeconds = loadSeconds,
            BuildSeconds = buildSeconds,
            IndexBytes = indexBytes,
            Recall = rows[0].Recall,
            WarmupSeconds = warmupSeconds,
            WarmupRounds = warmupRounds,
            WarmupRequests = warmupRequestCount,
            WarmupSteady = steady,
            QueriesPerSecond = rows[0].QueriesPerSecond,
            P50Ms = rows[0].P50Ms,
            P99Ms = rows[0].P99Ms,
            Sweep = options.Ef is { Count: > 1 } ? rows : [],
            Plans = rows[0].Plans,
            ExactBaseline = baseline,
            PeakBytes = peakBytes,
            BandwidthBytesPerSecond = bandwidth,
            ScanBytesPerQuery = (double)baseVectors.Count * baseVectors.Dimension * (options.Index == IndexKind.Int8 ? 1 : sizeof(float))
                / (options.Batch ? Math.Min(options.BatchSize, queryCount) : 1),
        };
    }

    private static IBenchTarget CreateTarget(BenchOptions options, int dimension, Func<Uri, HttpClient>? httpClientFactory)
    {
        BenchFilter? filter = options.Selectivity is { } percent ? new BenchFilter(percent, options.Seed, options.PayloadIndex) : null;
        if (options.Server is null)
        {
            return new InProcessTarget(dimension, options.K, options.BatchSize, options.Threads, filter, options.GraphCost);
        }

        Uri baseAddress = HttpUrl.Parse(options.Server, out string? error) ?? throw new BenchInputException($"--server {error}");

        HttpClient http = httpClientFactory?.Invoke(baseAddress) ?? new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(10) };
        return new HttpTarget(http, options.Collection, options.UploadBatch, filter);
    }

    private static VecsMatrix<int> ReadGroundTruth(string path, BenchOptions options, int baseCount, int queryCount)
    {
        VecsMatrix<int> groundTruth = VecsFile.ReadIvecs(path);
        if (groundTruth.Count != queryCount)
        {
            throw new BenchInputException($"{path} has {groundTruth.Count} rows but {options.QueryPath} has {queryCount} queries");
        }

        if (groundTruth.Dimension < options.K)
        {
            throw new BenchInputException($"{path} lists {groundTruth.Dimension} neighbours per query; --k {options.K} needs at least {options.K}");
        }

        foreach (int id in groundTruth.Data)
        {
            if (id < 0 || id >= baseCount)
            {
                throw new BenchInputException($"{path} names vector {id}, but {options.BasePath} has {baseCount} vectors (0-{baseCount - 1})");
            }
        }

        return groundTruth;
    }

    // Warm-up until steady state, not for a fixed time: the JIT's tiered compilation promotes the scan loops only after
    // about 30 calls and a background delay, and a fresh server also grows its thread pool and connection pool (index
    // builds are timed apart, before this). Rounds of the measured workload (the first queries, in the measured mode) run
    // until WarmupGate calls them steady; at --warmup-max seconds the measurement starts anyway and the report says it
    // was not steady.
    private static async Task<(double Seconds, int Rounds, long Requests, bool Steady)> WarmUpAsync(
        IBenchTarget target, VecsMatrix<float> queries, int queryCount, BenchOptions options, BenchKnobs knobs, CancellationToken cancellationToken)
    {
        int roundQueries = options.Batch ? Math.Min(queryCount, options.BatchSize) : Math.Min(queryCount, 100);
        int roundRequests = options.Batch ? 1 : roundQueries;
        var gate = new WarmupGate(options.WarmupRequests);
        long started = Stopwatch.GetTimestamp();
        while (true)
        {
            (_, _, double seconds) = await RunQueriesAsync(target, queries, roundQueries, options, knobs, cancellationToken);
            double elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
            if (gate.Observe(seconds, roundRequests, elapsed))
            {
                return (elapsed, gate.Rounds, gate.Requests, true);
            }

            if (elapsed >= options.WarmupMaxSeconds)
            {
                return (elapsed, gate.Rounds, gate.Requests, false);
            }
        }
    }

    private static async Task<(List<double> Latencies, List<int[]> Results, double Seconds)> RunQueriesAsync(
        IBenchTarget target, VecsMatrix<float> queries, int queryCount, BenchOptions options, BenchKnobs knobs, CancellationToken cancellationToken)
    {
        var latencies = new List<double>();
        var results = new List<int[]>(queryCount);
        long started = Stopwatch.GetTimestamp();
        if (options.Batch)
        {
            for (int first = 0; first < queryCount; first += options.BatchSize)
            {
                int n = Math.Min(options.BatchSize, queryCount - first);
                var vectors = Enumerable.Range(first, n).Select(i => queries.Row(i).ToArray()).ToList();
                long t = Stopwatch.GetTimestamp();
                IReadOnlyList<int[]> batch = await target.SearchBatchAsync(vectors, options.K, options.Index, knobs, cancellationToken);
                latencies.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
                results.AddRange(batch);
            }
        }
        else
        {
            for (int i = 0; i < queryCount; i++)
            {
                float[] query = queries.Row(i).ToArray();
                long t = Stopwatch.GetTimestamp();
                int[] ids = await target.SearchAsync(query, options.K, options.Index, knobs, cancellationToken);
                latencies.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
                results.Add(ids);
            }
        }

        return (latencies, results, Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    // The exact top-k by the target itself, in batches: ground truth costs one batched scan, not one scan per query.
    private static async Task<VecsMatrix<int>> ComputeGroundTruthAsync(
        IBenchTarget target, VecsMatrix<float> queries, int queryCount, BenchOptions options, CancellationToken cancellationToken)
    {
        int k = options.K;
        var ids = new int[queryCount * k];
        for (int first = 0; first < queryCount; first += options.BatchSize)
        {
            int n = Math.Min(options.BatchSize, queryCount - first);
            var vectors = Enumerable.Range(first, n).Select(i => queries.Row(i).ToArray()).ToList();
            IReadOnlyList<int[]> batch = await target.SearchBatchAsync(vectors, k, IndexKind.Exact, BenchKnobs.None, cancellationToken);
            for (int q = 0; q < n; q++)
            {
                for (int j = 0; j < k; j++)
                {
                    ids[((first + q) * k) + j] = j < batch[q].Length ? batch[q][j] : -1;
                }
            }
        }

        return new VecsMatrix<int>(ids, queryCount, k);
    }

    // "hnsw-filtered 500" (and more names when queries ran differently), most frequent first.
    private static string Plans(IReadOnlyDictionary<string, int> plans) =>
        string.Join(", ", plans.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value}"));

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
}
