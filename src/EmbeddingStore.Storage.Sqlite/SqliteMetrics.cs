// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace EmbeddingStore.Storage.Sqlite;

/// <summary>
/// The storage layer's instruments, on the BCL's <see cref="Meter"/> so this project needs no telemetry package: the
/// server subscribes to <see cref="MeterName"/> and exports what is recorded here.
/// </summary>
public static class SqliteMetrics
{
    /// <summary>The meter's name, for <c>AddMeter</c>.</summary>
    public const string MeterName = "EmbeddingStore.Storage.Sqlite";

    private static readonly Meter s_meter = new(MeterName);

    // A write is acknowledged only after its commit returns, and with synchronous=FULL the commit is where the fsync
    // happens, so this is the part of a write's latency that the disk decides.
    private static readonly Histogram<double> s_commitDuration = s_meter.CreateHistogram<double>(
        "embeddingstore.sqlite.commit.duration", unit: "s", description: "Time to commit one SQLite write transaction (including its fsync).",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] });

    internal static void RecordCommit(long startedTimestamp) =>
        s_commitDuration.Record(Stopwatch.GetElapsedTime(startedTimestamp).TotalSeconds);
}
