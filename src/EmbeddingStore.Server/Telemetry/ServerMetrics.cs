// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Diagnostics;
using System.Diagnostics.Metrics;
using EmbeddingStore.Core;
using EmbeddingStore.Core.Collections;
using EmbeddingStore.Server.Infrastructure;

namespace EmbeddingStore.Server.Telemetry;

// The server's own instruments. Request rate and latency by route and status come from ASP.NET Core's built-in
// http.server.request.duration (meter Microsoft.AspNetCore.Hosting), SQLite commit latency from the storage layer's
// meter (SqliteMetrics); what is here is what only this server knows. Engine numbers are read through the engine's
// public info methods or measured around the endpoint, so nothing inside Core knows about metrics.
internal sealed class ServerMetrics
{
    public const string MeterName = "EmbeddingStore.Server";

    private readonly Histogram<double> _searchDuration;
    private readonly Counter<long> _searchQueries;
    private readonly Counter<long> _rowsScanned;
    private readonly Counter<long> _rateLimitRejections;

    // The engine is resolved only when a gauge is read after the load: resolving it opens the database, which must
    // happen inside start-up (where a refusal is one clear line), not when /metrics is mapped.
    public ServerMetrics(IMeterFactory meterFactory, IServiceProvider services, ServerReadiness readiness, IEnumerable<IJobProgressSource> jobs)
    {
        var engine = new Lazy<EmbeddingEngine>(services.GetRequiredService<EmbeddingEngine>);
        Meter meter = meterFactory.Create(MeterName);
        _searchDuration = meter.CreateHistogram<double>(
            "embeddingstore.search.duration", unit: "s", description: "Time to answer one search request (a batch counts once), by index kind and endpoint.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1] });
        _searchQueries = meter.CreateCounter<long>(
            "embeddingstore.search.queries", unit: "{query}", description: "Query vectors searched (a batch of n counts n), by index kind.");
        _rowsScanned = meter.CreateCounter<long>(
            "embeddingstore.search.candidates_scanned", unit: "{vector}",
            description: "Stored vectors a search had to consider: the vectors the collection held when it was searched, once per query vector (an exact or int8 scan reads every row of each version it searches, so this is exact for one-version collections and an upper bound for collections holding unreachable versions).");
        _rateLimitRejections = meter.CreateCounter<long>(
            "embeddingstore.rate_limit.rejections", unit: "{request}", description: "Requests refused with 429 by the per-key (per-address) rate limit, by route.");

        // Read when scraped, from the engine's own counts; nothing before the load is done (the maps are being filled).
        meter.CreateObservableGauge(
            "embeddingstore.collection.vectors", () => VectorCounts(engine, readiness), unit: "{vector}",
            description: "Stored vectors per collection and model version.");
        meter.CreateObservableGauge(
            "embeddingstore.collection.items", () => ItemCounts(engine, readiness), unit: "{item}", description: "Items per collection.");
        meter.CreateObservableGauge(
            "embeddingstore.ready", () => readiness.IsReady ? 1 : 0, description: "1 when /health/ready answers 200, else 0.");
        meter.CreateObservableGauge(
            "embeddingstore.job.progress", () => JobProgress(jobs), unit: "1",
            description: "Fraction done (0 to 1) of each running background job, by job kind and id.");
    }

    public void RecordSearch(string index, string endpoint, double seconds, int queries, long scanned)
    {
        var tags = new TagList { { "index", index }, { "endpoint", endpoint } };
        _searchDuration.Record(seconds, tags);
        _searchQueries.Add(queries, new KeyValuePair<string, object?>("index", index));
        _rowsScanned.Add(scanned, new KeyValuePair<string, object?>("index", index));
    }

    public void RecordRateLimitRejection(string? route) =>
        _rateLimitRejections.Add(1, new KeyValuePair<string, object?>("http.route", route ?? "unmatched"));

    private static IEnumerable<Measurement<long>> VectorCounts(Lazy<EmbeddingEngine> engine, ServerReadiness readiness)
    {
        if (!readiness.IsLoaded)
        {
            yield break;
        }

        foreach (CollectionInfo collection in engine.Value.ListCollections())
        {
            foreach ((string version, long count) in collection.VectorCounts)
            {
                yield return new Measurement<long>(count, new KeyValuePair<string, object?>("collection", collection.Name), new KeyValuePair<string, object?>("version", version));
            }
        }
    }

    private static IEnumerable<Measurement<long>> ItemCounts(Lazy<EmbeddingEngine> engine, ServerReadiness readiness) =>
        readiness.IsLoaded
            ? engine.Value.ListCollections().Select(c => new Measurement<long>(c.ItemCount, new KeyValuePair<string, object?>("collection", c.Name)))
            : [];

    private static IEnumerable<Measurement<double>> JobProgress(IEnumerable<IJobProgressSource> sources) =>
        sources.SelectMany(s => s.Running()).Select(j => new Measurement<double>(
            j.Total > 0 ? Math.Clamp((double)j.Done / j.Total, 0, 1) : 0,
            new KeyValuePair<string, object?>("kind", j.Kind), new KeyValuePair<string, object?>("job", j.Id)));
}
