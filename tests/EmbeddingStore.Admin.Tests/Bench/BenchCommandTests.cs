// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

extern alias admin;

using System.Globalization;
using System.Text.Json;
using admin::EmbeddingStore.Admin;
using admin::EmbeddingStore.Admin.Cli;
using EmbeddingStore.Contracts;
using EmbeddingStore.Tests.Shared;

namespace EmbeddingStore.Admin.Tests.Bench;

// `esadmin bench` end to end on small files written by the tests. Only recall and the refusals are asserted: the bench
// measures time, the tests never do.
public sealed class BenchCommandTests : IDisposable
{
    private const int Dimension = 16;
    private readonly TempFiles _files = new();

    public BenchCommandTests()
    {
        VecsFile.WriteFvecs(_files["base.fvecs"], TempFiles.Seeded(1, 300 * Dimension), Dimension);
        VecsFile.WriteFvecs(_files["query.fvecs"], TempFiles.Seeded(2, 12 * Dimension), Dimension);
    }

    public void Dispose() => _files.Dispose();

    [Theory]
    [InlineData("exact", "single")]
    [InlineData("exact", "batch")]
    [InlineData("int8", "single")]
    [InlineData("int8", "batch")]
    public async Task Bench_WrittenGroundTruth_ReportsRecall(string index, string mode)
    {
        // First run computes the exact ground truth and writes it; the second reads it back.
        (int code, string output, string errors) = await RunAsync("--write-gt", _files["gt.ivecs"]);
        Assert.True(code == 0, errors);
        Assert.Contains("recall@10     1.0000", output, StringComparison.Ordinal);
        Assert.Equal(12, VecsFile.ReadIvecs(_files["gt.ivecs"]).Count);

        (code, output, errors) = await RunAsync("--gt", _files["gt.ivecs"], "--index", index, "--mode", mode, "--threads", "2", "--repeat", "2", "--json");

        Assert.True(code == 0, errors);
        using JsonDocument json = JsonDocument.Parse(output);
        Assert.Equal(12, json.RootElement.GetProperty("queries").GetInt32());
        Assert.Equal(index, json.RootElement.GetProperty("index").GetString());
        double recall = json.RootElement.GetProperty("recall").GetDouble();
        Assert.True(index == "exact" ? recall == 1.0 : recall >= 0.9, $"recall {recall}");
    }

    [Fact]
    public async Task Bench_HnswEfSweep_OneRowPerEfWithBuildAndMemory()
    {
        (int code, string output, string errors) = await RunAsync(
            "--index", "hnsw", "--ef", "16,64", "--m", "8", "--ef-construction", "40", "--build-threads", "2", "--json");

        Assert.True(code == 0, errors);
        using JsonDocument json = JsonDocument.Parse(output);
        JsonElement[] rows = [.. json.RootElement.GetProperty("sweep").EnumerateArray()];
        Assert.Equal([16, 64], rows.Select(r => r.GetProperty("ef").GetInt32()));
        Assert.All(rows, r => Assert.True(r.GetProperty("recall").GetDouble() >= 0.9, $"recall {r.GetProperty("recall").GetDouble()}"));
        Assert.True(json.RootElement.GetProperty("indexMemoryBytes").GetInt64() > 0);

        (code, output, errors) = await RunAsync("--index", "hnsw", "--ef", "16,32,64");
        Assert.True(code == 0, errors);
        Assert.Contains("recall@10", output, StringComparison.Ordinal);
        Assert.Equal(3, output.Split('\n').Count(line => line.TrimStart().StartsWith("16 ", StringComparison.Ordinal) || line.TrimStart().StartsWith("32 ", StringComparison.Ordinal) || line.TrimStart().StartsWith("64 ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Bench_HnswKeepPrunedConnections_ReportsThePolicyWithTheBuild()
    {
        (int code, string output, string errors) = await RunAsync("--index", "hnsw", "--ef", "16", "--keep-pruned-connections");

        Assert.True(code == 0, errors);
        Assert.Contains("pruned connections kept", output, StringComparison.Ordinal);
        Assert.Contains("recall@10", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bench_HnswQuantized_EverySearchWalksInt8Codes()
    {
        (int code, string output, string errors) = await RunAsync("--index", "hnsw", "--ef", "8,16", "--quantized", "--json");

        Assert.True(code == 0, errors);
        using JsonDocument json = JsonDocument.Parse(output);
        JsonElement[] rows = [.. json.RootElement.GetProperty("sweep").EnumerateArray()];

        // Small enough ef values that the planner walks the graph of the test's small base (it scans up to 16 rows per ef).
        Assert.All(rows, r => Assert.StartsWith("hnsw-int8 ", r.GetProperty("plans").GetString(), StringComparison.Ordinal));
        Assert.All(rows, r => Assert.True(r.GetProperty("recall").GetDouble() >= 0.9, $"recall {r.GetProperty("recall").GetDouble()}"));

        (code, output, errors) = await RunAsync("--index", "hnsw", "--ef", "8", "--quantized");
        Assert.True(code == 0, errors);
        Assert.Contains("walked on int8 codes", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--m", "16")]
    [InlineData("--keep-pruned-connections")]
    [InlineData("--quantized")]
    public async Task Bench_GraphSettingsWithoutHnsw_RefusedInOneLine(params string[] setting)
    {
        (int code, string output, string errors) = await RunAsync(["--index", "exact", .. setting]);

        Assert.Equal(2, code);
        Assert.Contains("--index hnsw", errors, StringComparison.Ordinal);
        Assert.Single(errors.Trim().Split('\n'));
        Assert.Empty(output);
    }

    [Theory]
    [InlineData("single")]
    [InlineData("batch")]
    public async Task Bench_WarmupMax_WarmsUpAtLeastOneSecondInRoundsAndReportsIt(string mode)
    {
        (int code, string output, string errors) = await RunAsync("--mode", mode, "--warmup-max", "1", "--json");

        Assert.True(code == 0, errors);
        using JsonDocument json = JsonDocument.Parse(output);
        Assert.True(json.RootElement.GetProperty("warmupSeconds").GetDouble() >= 1.0);
        Assert.True(json.RootElement.GetProperty("warmupRounds").GetInt32() >= 1);
        Assert.True(json.RootElement.GetProperty("warmupSteady").ValueKind is JsonValueKind.True or JsonValueKind.False);
    }

    [Theory]
    [InlineData("single")]
    [InlineData("batch")]
    public async Task Bench_ThroughServer_FindsTheInProcessGroundTruth(string mode)
    {
        (int code, _, string errors) = await RunAsync("--write-gt", _files["gt.ivecs"]);
        Assert.True(code == 0, errors);

        // The test server allows 50 items per upsert and 5 queries per batch.
        using var factory = new ServerFactory();
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        string[] args =
        [
            "bench", "--base", _files["base.fvecs"], "--query", _files["query.fvecs"], "--gt", _files["gt.ivecs"], "--server", "http://localhost/",
            "--upload-batch", "50", "--batch-size", "5", "--mode", mode, "--json", "--bandwidth-mib", "8",
        ];
        code = await AdminCommands.RunAsync(args, Context(stdout, stderr, factory), TestContext.Current.CancellationToken);

        Assert.True(code == 0, stderr.ToString());
        using JsonDocument json = JsonDocument.Parse(stdout.ToString());
        Assert.Equal(1.0, json.RootElement.GetProperty("recall").GetDouble());
        Assert.Contains("over HTTP", json.RootElement.GetProperty("target").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Bench_SelectivityThroughServer_ExactFilteredTruthAndTheIndexDeclared(bool indexed)
    {
        // Over HTTP the items carry the seeded payload, the index is declared and awaited, and every search sends the
        // filter: the exact search is then its own filtered truth (recall 1), and the plans say the filter was applied.
        using var factory = new ServerFactory();
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        string[] index = indexed ? ["--payload-index"] : [];
        string[] args =
        [
            "bench", "--base", _files["base.fvecs"], "--query", _files["query.fvecs"], "--server", "http://localhost/",
            "--upload-batch", "50", "--batch-size", "5", "--selectivity", "10", "--json", "--bandwidth-mib", "8", .. index,
        ];
        int code = await AdminCommands.RunAsync(args, Context(stdout, stderr, factory), TestContext.Current.CancellationToken);

        Assert.True(code == 0, stderr.ToString());
        using JsonDocument json = JsonDocument.Parse(stdout.ToString());
        Assert.Equal(1.0, json.RootElement.GetProperty("recall").GetDouble());
        Assert.Equal("exact-filtered 12", json.RootElement.GetProperty("plans").GetString());
        Assert.Contains("filter cat = \"in\" (10 % of items", json.RootElement.GetProperty("target").GetString(), StringComparison.Ordinal);
        using HttpClient client = factory.CreateClient();
        using JsonDocument indexes = JsonDocument.Parse(await client.GetStringAsync(new Uri("/v1/collections/bench/indexes", UriKind.Relative), TestContext.Current.CancellationToken));
        Assert.Equal(indexed ? 1 : 0, indexes.RootElement.GetProperty("indexes").GetArrayLength());
    }

    [Fact]
    public async Task Bench_ServerRefusesBatch_OneLineNonZeroExit()
    {
        // 12 queries in one batch exceed the test server's limit of 5: the server's refusal is reported, not a crash.
        using var factory = new ServerFactory();
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        string[] args =
        [
            "bench", "--base", _files["base.fvecs"], "--query", _files["query.fvecs"], "--server", "http://localhost/", "--upload-batch", "50", "--batch-size", "12",
        ];
        int code = await AdminCommands.RunAsync(args, Context(stdout, stderr, factory), TestContext.Current.CancellationToken);

        Assert.Equal(1, code);
        Assert.Contains("limit-exceeded", stderr.ToString(), StringComparison.Ordinal);
        Assert.Single(stderr.ToString().Trim().Split('\n'));
    }

    [Fact]
    public async Task Bench_QueryDimensionDiffers_OneLineRefusal()
    {
        VecsFile.WriteFvecs(_files["q8.fvecs"], TempFiles.Seeded(3, 4 * 8), 8);

        (int code, _, string errors) = await RunAsync("--query", _files["q8.fvecs"]);

        Assert.Equal(2, code);
        Assert.Contains("8-d queries", errors, StringComparison.Ordinal);
        Assert.Contains("16-d vectors", errors, StringComparison.Ordinal);
        Assert.Single(errors.Trim().Split('\n'));
    }

    [Fact]
    public async Task Bench_GroundTruthRowCountDiffers_Refused()
    {
        VecsFile.WriteIvecs(_files["short.ivecs"], new int[5 * 10], 10);

        (int code, _, string errors) = await RunAsync("--gt", _files["short.ivecs"]);

        Assert.Equal(2, code);
        Assert.Contains("has 5 rows", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bench_GroundTruthNamesMissingVector_Refused()
    {
        VecsFile.WriteIvecs(_files["bad.ivecs"], Enumerable.Repeat(300, 12 * 10).ToArray(), 10);

        (int code, _, string errors) = await RunAsync("--gt", _files["bad.ivecs"]);

        Assert.Equal(2, code);
        Assert.Contains("names vector 300", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bench_TruncatedBase_Refused()
    {
        byte[] bytes = File.ReadAllBytes(_files["base.fvecs"]);
        File.WriteAllBytes(_files["base.fvecs"], bytes[..^3]);

        (int code, _, string errors) = await RunAsync();

        Assert.Equal(2, code);
        Assert.StartsWith("esadmin: bench: ", errors, StringComparison.Ordinal);
        Assert.Contains("truncated", errors, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("single", 700)]
    [InlineData("batch", 3)]
    public async Task Bench_WarmupRequests_ReportsAtLeastTheFloor(string mode, int floor)
    {
        // End to end, this checks only that the option reaches the report: on these small files the one-second minimum
        // alone sends more than the floor. WarmupGateTests checks that the floor holds warm-up back.
        (int code, string output, string errors) = await RunAsync("--mode", mode, "--warmup-requests", floor.ToString(CultureInfo.InvariantCulture), "--json");

        Assert.True(code == 0, errors);
        using JsonDocument json = JsonDocument.Parse(output);
        Assert.True(json.RootElement.GetProperty("warmupRequests").GetInt64() >= floor, output);
    }

    [Theory]
    [InlineData("--k", "0")]
    [InlineData("--k", "ten")]
    [InlineData("--index", "ivf")]
    [InlineData("--mode", "fast")]
    [InlineData("--metric", "manhattan")]
    [InlineData("--repeat", "0")]
    [InlineData("--warmup-max", "0")]
    [InlineData("--warmup-requests", "-1")]
    [InlineData("--server", "ftp://example")]
    [InlineData("--colour", "red")]
    [InlineData("--threads", "257")]
    [InlineData("--oversampling", "65")]
    [InlineData("--batch-size", "0")]
    [InlineData("--upload-batch", "100001")]
    [InlineData("--collection", "")]
    [InlineData("--ef", "16,x")]
    [InlineData("--ef", "0")]
    [InlineData("--m", "1")]
    [InlineData("--ef-construction", "1001")]
    [InlineData("--build-threads", "0")]
    [InlineData("--selectivity", "0")]
    [InlineData("--selectivity", "101")]
    [InlineData("--graph-cost", "-1")]
    public async Task Bench_BadOption_RefusedInOneLineNamingIt(string option, string value)
    {
        (int code, string output, string errors) = await RunAsync(option, value);

        Assert.Equal(2, code);
        Assert.Contains(option, errors, StringComparison.Ordinal);
        Assert.Single(errors.Trim().Split('\n'));
        Assert.Empty(output);
    }

    // 300 rows, 10 %: 30 carry the field value the filter passes. Recall is against the exact filtered search, so a filtered
    // answer scored against unfiltered neighbours (about 0.1) would fail the floor.
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Bench_Selectivity_RecallAgainstExactFilteredWithPlansAndBaseline(bool indexed)
    {
        string[] index = indexed ? ["--payload-index"] : [];
        (int code, string output, string errors) = await RunAsync(
            ["--index", "hnsw", "--ef", "16", "--selectivity", "10", "--graph-cost", "0", "--json", .. index]);

        Assert.True(code == 0, errors);
        using JsonDocument walked = JsonDocument.Parse(output);
        Assert.True(walked.RootElement.GetProperty("recall").GetDouble() >= 0.9, $"recall {walked.RootElement.GetProperty("recall").GetDouble()}");
        Assert.Equal("hnsw-filtered 12", walked.RootElement.GetProperty("plans").GetString());
        Assert.Equal("exact-filtered 12", walked.RootElement.GetProperty("exactFiltered").GetProperty("plans").GetString());
        Assert.Equal(indexed, walked.RootElement.GetProperty("payloadIndex").GetBoolean());

        // The planner left to itself: 30 matching rows are fewer than a walk costs, so the scan runs and recall is 1.
        (code, output, errors) = await RunAsync(["--index", "hnsw", "--selectivity", "10", .. index]);
        Assert.True(code == 0, errors);
        Assert.Contains("recall@10     1.0000", output, StringComparison.Ordinal);
        Assert.Contains("plans         exact-filtered 12", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--payload-index indexes the field --selectivity filters on", "--payload-index")]
    [InlineData("--gt holds unfiltered neighbours", "--selectivity", "10", "--gt", "x.ivecs")]
    [InlineData("--graph-cost sets the in-process engine's planner", "--graph-cost", "0", "--server", "http://127.0.0.1:9")]
    public async Task Bench_FilterOptionsThatCannotApply_RefusedInOneLine(string message, params string[] options)
    {
        (int code, string output, string errors) = await RunAsync(options);

        Assert.Equal(2, code);
        Assert.Contains(message, errors, StringComparison.Ordinal);
        Assert.Single(errors.Trim().Split('\n'));
        Assert.Empty(output);
    }

    [Fact]
    public async Task Bench_GroundTruthReadAndWritten_Refused()
    {
        (int code, _, string errors) = await RunAsync("--gt", _files["a.ivecs"], "--write-gt", _files["b.ivecs"]);

        Assert.Equal(2, code);
        Assert.Contains("--gt and --write-gt exclude each other", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bench_IngestThroughServer_ReportsEveryEncodingAndStoresAll()
    {
        // The test server allows 50 items per upsert.
        using var factory = new ServerFactory();
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        string[] args = ["bench", "--mode", "ingest", "--server", "http://localhost/", "--upload-batch", "50", "--ingest-count", "120", "--dimension", "16", "--json"];

        int code = await AdminCommands.RunAsync(args, Context(stdout, stderr, factory), TestContext.Current.CancellationToken);

        Assert.True(code == 0, stderr.ToString());
        using JsonDocument json = JsonDocument.Parse(stdout.ToString());
        Assert.Equal(["json-arrays", "base64", "ndjson-bulk"], json.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.All(json.RootElement.EnumerateObject(), p => Assert.True(p.Value.GetDouble() > 0, p.Name));
        using HttpClient http = factory.CreateClient();
        foreach (string form in new[] { "json-arrays", "base64", "ndjson-bulk" })
        {
            using JsonDocument collection = JsonDocument.Parse(await http.GetStringAsync(new Uri("/v1/collections/bench-" + form, UriKind.Relative), TestContext.Current.CancellationToken));
            Assert.Equal(120, collection.RootElement.GetProperty("itemCount").GetInt64());
        }
    }

    [Fact]
    public async Task Bench_IngestWithoutServer_RefusedNamingTheOption()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        int code = await AdminCommands.RunAsync(["bench", "--mode", "ingest"], stdout, stderr, TestContext.Current.CancellationToken);

        Assert.Equal(2, code);
        Assert.Contains("--server", stderr.ToString(), StringComparison.Ordinal);
        Assert.Single(stderr.ToString().Trim().Split('\n'));
    }

    [Fact]
    public async Task Bench_WithoutBase_RefusedNamingTheOption()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        int code = await AdminCommands.RunAsync(["bench", "--query", _files["query.fvecs"]], stdout, stderr, TestContext.Current.CancellationToken);

        Assert.Equal(2, code);
        Assert.Contains("--base", stderr.ToString(), StringComparison.Ordinal);
        Assert.Single(stderr.ToString().Trim().Split('\n'));
    }

    [Fact]
    public async Task Bench_Help_ListsEveryOptionAndExitsZero()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        int code = await AdminCommands.RunAsync(["bench", "--help"], stdout, stderr, TestContext.Current.CancellationToken);

        Assert.Equal(0, code);
        Assert.Empty(stderr.ToString());
        foreach (string option in new[]
        {
            "--base", "--query", "--gt", "--write-gt", "--k", "--index", "--mode", "--threads", "--json", "--metric", "--oversampling", "--batch-size",
            "--queries", "--repeat", "--warmup-max", "--warmup-requests", "--bandwidth-mib", "--server", "--collection", "--upload-batch",
        })
        {
            Assert.Contains(option + " ", stdout.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Bench_MissingBaseFile_RefusedNamingIt()
    {
        (int code, _, string errors) = await RunAsync("--base", _files["nope.fvecs"]);

        Assert.Equal(2, code);
        Assert.Equal($"esadmin: bench: {_files["nope.fvecs"]}: no such file", errors.Trim());
    }

    [Fact]
    public async Task Admin_UnknownCommand_StillRefused()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        Assert.Equal(2, await AdminCommands.RunAsync(["frobnicate"], stdout, stderr, TestContext.Current.CancellationToken));
        Assert.Contains("unknown command", stderr.ToString(), StringComparison.Ordinal);
    }

    private static AdminContext Context(TextWriter stdout, TextWriter stderr, ServerFactory factory) =>
        new() { Out = stdout, Error = stderr, HttpClientFactory = _ => factory.CreateClient() };

    private async Task<(int Code, string Output, string Errors)> RunAsync(params string[] extra)
    {
        var args = new List<string> { "bench", "--base", _files["base.fvecs"], "--query", _files["query.fvecs"], "--bandwidth-mib", "8" };

        // A later --base or --query replaces the default one.
        foreach ((string option, int at) in new[] { ("--base", 2), ("--query", 4) })
        {
            int i = Array.IndexOf(extra, option);
            if (i >= 0)
            {
                args[at] = extra[i + 1];
                extra = [.. extra[..i], .. extra[(i + 2)..]];
            }
        }

        args.AddRange(extra);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int code = await AdminCommands.RunAsync([.. args], stdout, stderr, TestContext.Current.CancellationToken);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
