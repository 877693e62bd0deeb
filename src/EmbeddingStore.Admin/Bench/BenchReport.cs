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

    public bool WarmupSteady { get; init; }

    public double Recall { get; init; }

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
        text.AppendLine(c, $"  warm-up       {WarmupSeconds:F1} s, {WarmupRounds} rounds, {(WarmupSteady ? "steady" : "NOT steady (--warmup-max reached)")}");
        text.AppendLine(c, $"  recall@{Options.K,-6} {Recall:F4}");
        text.AppendLine(c, $"  QPS           {QueriesPerSecond:F1}");
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
            json.WriteBoolean("warmupSteady", WarmupSteady);
            json.WriteNumber("recall", Math.Round(Recall, 5));
            json.WriteNumber("qps", Math.Round(QueriesPerSecond, 2));
            json.WriteNumber("p50Ms", Math.Round(P50Ms, 4));
            json.WriteNumber("p99Ms", Math.Round(P99Ms, 4));
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
