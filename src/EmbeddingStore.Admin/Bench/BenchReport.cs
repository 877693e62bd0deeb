// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Globalization;
using System.Text;
using System.Text.Json;

namespace EmbeddingStore.Admin.Bench;

// The figures of one bench run, as text for people or one JSON object for scripts.
internal sealed record BenchReport
{
    public required BenchOptions Options { get; init; }

    public required string Target { get; init; }

    public int BaseCount { get; init; }

    public int Dimension { get; init; }

    public int QueryCount { get; init; }

    public double LoadSeconds { get; init; }

    public double WarmupSeconds { get; init; }

    public int WarmupRounds { get; init; }

    // Requests sent during the warm-up (one per batch in batch mode): the figure --warmup-requests bounds from below.
    public long WarmupRequests { get; init; }

    public bool WarmupSteady { get; init; }

    // The first search of the kind, which builds its index (0 for exact, which has none to build).
    public double BuildSeconds { get; init; }

    // What the kind's indexes hold beyond the vectors, from collection info.
    public long IndexBytes { get; init; }

    // One row per --ef value when more than one was given (the figures above are then the first row's).
    public IReadOnlyList<BenchSweepRow> Sweep { get; init; } = [];

    public double Recall { get; init; }

    // The plans the searches reported, with counts ("hnsw-filtered 500").
    public string Plans { get; init; } = string.Empty;

    // With --selectivity and an approximate index: the exact filtered search measured in the same run.
    public BenchSweepRow? ExactBaseline { get; init; }

    public double QueriesPerSecond { get; init; }

    public double P50Ms { get; init; }

    public double P99Ms { get; init; }

    public long PeakBytes { get; init; }

    public double BandwidthBytesPerSecond { get; init; }

    // Bytes of vectors (or codes) one query must read: the whole scan, shared by the batch in batch mode.
    public double ScanBytesPerQuery { get; init; }

    // The queries per second at which the scan would be purely bandwidth-bound.
    public double FloorQueriesPerSecond => BandwidthBytesPerSecond / ScanBytesPerQuery;

    public double FractionOfFloor => QueriesPerSecond / FloorQueriesPerSecond;

    private string Index => Options.Index.ToString().ToLowerInvariant();

    private string Settings() => GraphSettings() + (Options.Quantized is true ? " (walked on int8 codes, their memory included)" : string.Empty);

    private string GraphSettings() =>
        !Options.HasGraphSettings
            ? string.Empty
            : string.Create(CultureInfo.InvariantCulture, $" (m {Options.M?.ToString(CultureInfo.InvariantCulture) ?? "default"}, efConstruction {Options.EfConstruction?.ToString(CultureInfo.InvariantCulture) ?? "default"}, build threads {Options.BuildThreads?.ToString(CultureInfo.InvariantCulture) ?? "default"}{(Options.KeepPrunedConnections is true ? ", pruned connections kept" : string.Empty)})");

    private string Mode => Options.Batch ? "batch" : "single";

    private string Metric => Core.Vectors.ScoreMapping.ToWireName(Options.Metric);

    public string ToText()
    {
        var text = new StringBuilder();
        CultureInfo c = CultureInfo.InvariantCulture;
        text.AppendLine(c, $"esadmin bench: {BaseCount} x {Dimension} base, {QueryCount} queries, k={Options.K}, index {Index}, mode {Mode}"
            + $"{(Options.Batch ? $" (batches of {Math.Min(Options.BatchSize, QueryCount)})" : string.Empty)}, threads {Options.Threads}, metric {Metric}"
            + $"{(Options.Repeat > 1 ? $", fastest of {Options.Repeat} repetitions" : string.Empty)}");
        text.AppendLine(c, $"  target        {Target}");
        text.AppendLine(c, $"  load          {LoadSeconds:F1} s");
        text.AppendLine(c, $"  warm-up       {WarmupSeconds:F1} s, {WarmupRounds} rounds, {WarmupRequests} requests, {(WarmupSteady ? "steady" : "NOT steady (--warmup-max reached)")}");
        text.AppendLine(c, $"  index build   {BuildSeconds:F2} s (the first search), index memory {IndexBytes / (1024.0 * 1024):F1} MiB{Settings()}");
        if (Sweep.Count > 0)
        {
            text.AppendLine(c, $"  {"ef",6} {"recall@" + Options.K,10} {"QPS",10} {"p50 ms",9} {"p99 ms",9}  plans");
            foreach (BenchSweepRow row in Sweep)
            {
                text.AppendLine(c, $"  {row.Ef,6} {row.Recall,10:F4} {row.QueriesPerSecond,10:F1} {row.P50Ms,9:F3} {row.P99Ms,9:F3}  {row.Plans}");
            }
        }

        text.AppendLine(c, $"  recall@{Options.K,-6} {Recall:F4}");
        text.AppendLine(c, $"  QPS           {QueriesPerSecond:F1}");
        if (Plans.Length > 0)
        {
            text.AppendLine(c, $"  plans         {Plans}");
        }

        if (ExactBaseline is { } exact)
        {
            text.AppendLine(c, $"  exact filter  {exact.QueriesPerSecond:F1} q/s, p50 {exact.P50Ms:F3} ms, p99 {exact.P99Ms:F3} ms ({exact.Plans}); "
                + $"{QueriesPerSecond / exact.QueriesPerSecond:F2}x");
        }

        text.AppendLine(c, $"  latency       p50 {P50Ms:F3} ms, p99 {P99Ms:F3} ms{(Options.Batch ? " (per batch)" : string.Empty)}");
        text.AppendLine(c, $"  peak memory   {PeakBytes / (1024.0 * 1024):F0} MiB");
        text.Append(c, $"  bandwidth     {BandwidthBytesPerSecond / 1e9:F1} GB/s read ({Options.Threads} thread{(Options.Threads == 1 ? string.Empty : "s")}); ");
        text.Append(c, $"floor {FloorQueriesPerSecond:F1} q/s at {ScanBytesPerQuery / 1e6:F2} MB scanned per query; reached {FractionOfFloor * 100:F1} %");
        return text.ToString();
    }

    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteString("target", Target);
            json.WriteNumber("base", BaseCount);
            json.WriteNumber("dimension", Dimension);
            json.WriteNumber("queries", QueryCount);
            json.WriteNumber("k", Options.K);
            json.WriteString("index", Index);
            json.WriteString("mode", Mode);
            json.WriteNumber("batchSize", Options.Batch ? Math.Min(Options.BatchSize, QueryCount) : 1);
            json.WriteNumber("threads", Options.Threads);
            json.WriteNumber("repeat", Options.Repeat);
            json.WriteString("metric", Metric);
            json.WriteNumber("loadSeconds", Math.Round(LoadSeconds, 3));
            json.WriteNumber("warmupSeconds", Math.Round(WarmupSeconds, 3));
            json.WriteNumber("warmupRounds", WarmupRounds);
            json.WriteNumber("warmupRequests", WarmupRequests);
            json.WriteBoolean("warmupSteady", WarmupSteady);
            json.WriteNumber("buildSeconds", Math.Round(BuildSeconds, 3));
            json.WriteNumber("indexMemoryBytes", IndexBytes);
            if (Options.Ef is [var ef])
            {
                json.WriteNumber("ef", ef);
            }

            if (Sweep.Count > 0)
            {
                json.WriteStartArray("sweep");
                foreach (BenchSweepRow row in Sweep)
                {
                    json.WriteStartObject();
                    json.WriteNumber("ef", row.Ef ?? 0);
                    json.WriteNumber("recall", Math.Round(row.Recall, 5));
                    json.WriteNumber("qps", Math.Round(row.QueriesPerSecond, 2));
                    json.WriteNumber("p50Ms", Math.Round(row.P50Ms, 4));
                    json.WriteNumber("p99Ms", Math.Round(row.P99Ms, 4));
                    json.WriteString("plans", row.Plans);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
            }

            json.WriteNumber("recall", Math.Round(Recall, 5));
            json.WriteNumber("qps", Math.Round(QueriesPerSecond, 2));
            json.WriteNumber("p50Ms", Math.Round(P50Ms, 4));
            json.WriteNumber("p99Ms", Math.Round(P99Ms, 4));
            json.WriteString("plans", Plans);
            if (Options.Selectivity is { } selectivity)
            {
                json.WriteNumber("selectivityPercent", selectivity);
                json.WriteBoolean("payloadIndex", Options.PayloadIndex);
            }

            if (ExactBaseline is { } exact)
            {
                json.WriteStartObject("exactFiltered");
                json.WriteNumber("qps", Math.Round(exact.QueriesPerSecond, 2));
                json.WriteNumber("p50Ms", Math.Round(exact.P50Ms, 4));
                json.WriteNumber("p99Ms", Math.Round(exact.P99Ms, 4));
                json.WriteString("plans", exact.Plans);
                json.WriteEndObject();
            }

            json.WriteNumber("peakMemoryBytes", PeakBytes);
            json.WriteNumber("bandwidthBytesPerSecond", Math.Round(BandwidthBytesPerSecond));
            json.WriteNumber("scanBytesPerQuery", Math.Round(ScanBytesPerQuery));
            json.WriteNumber("floorQps", Math.Round(FloorQueriesPerSecond, 2));
            json.WriteNumber("fractionOfFloor", Math.Round(FractionOfFloor, 4));
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }
}

// One --ef value's figures in a sweep.
internal sealed record BenchSweepRow(int? Ef, double Recall, double QueriesPerSecond, double P50Ms, double P99Ms, string Plans = "");
