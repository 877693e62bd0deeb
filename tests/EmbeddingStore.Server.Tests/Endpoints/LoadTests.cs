// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using EmbeddingStore.Server.Tests.TestSupport;
using EmbeddingStore.Tests.Shared;

namespace EmbeddingStore.Server.Tests.Endpoints;

// A bounded load on 127.0.0.1: several clients mix searches and batch upserts against a real server process for a fixed
// time. The pass condition is correctness under load (zero errors, memory bounded), not speed; latency percentiles and
// the peak working set are reported (EMBEDDINGSTORE_LOAD_SECONDS=N for a longer run).
public sealed class LoadTests : IDisposable
{
    private const int Dimension = 64;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "es-load-tests", Guid.NewGuid().ToString("N"));

    public LoadTests() => Directory.CreateDirectory(_directory);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task MixedSearchAndUpsertLoad_ZeroErrorsAndBoundedMemory()
    {
        double seconds = double.TryParse(Environment.GetEnvironmentVariable("EMBEDDINGSTORE_LOAD_SECONDS"), CultureInfo.InvariantCulture, out double s) ? s : 4;
        using ServerProcess server = await ServerProcess.StartAsync(Path.Combine(_directory, "load.db"), Ct);
        using HttpClient setup = server.CreateClient();
        await Api.PutAsync(setup, "/v1/models/load/versions/v1", $$"""{"dimension": {{Dimension}}, "metric": "cosine"}""", Ct);
        await Api.PutAsync(setup, "/v1/collections/load", """{"servingVersion": "load@v1"}""", Ct);
        for (int b = 0; b < 10; b++)
        {
            Assert.Equal(HttpStatusCode.OK, (await Api.PostAsync(setup, "/v1/collections/load/items", Batch(new Random(b), "seed" + b, 500), Ct)).Status);
        }

        var searchMs = new List<double>();
        var upsertMs = new List<double>();
        var errors = new List<string>();
        var deadline = Stopwatch.StartNew();
        Task[] clients = [.. Enumerable.Range(0, 6).Select(c => Task.Run(
            async () =>
            {
                var random = new Random(100 + c);
                using HttpClient http = server.CreateClient();
                for (int n = 0; deadline.Elapsed.TotalSeconds < seconds; n++)
                {
                    bool upsert = random.Next(5) == 0;
                    string path = upsert ? "/v1/collections/load/items" : "/v1/collections/load/search";
                    string body = upsert
                        ? Batch(random, $"c{c}n{n}", 50)
                        : $"{{\"vector\": {Vector(random)}, \"k\": 10, \"withPayload\": true}}";
                    long started = Stopwatch.GetTimestamp();
                    using var content = new StringContent(body, Encoding.UTF8, "application/json");
                    using HttpResponseMessage response = await http.PostAsync(new Uri(path, UriKind.Relative), content, Ct);
                    double ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    lock (errors)
                    {
                        (upsert ? upsertMs : searchMs).Add(ms);
                        if (!response.IsSuccessStatusCode)
                        {
                            errors.Add($"{path}: {(int)response.StatusCode}");
                        }
                    }
                }
            },
            Ct))];
        await Task.WhenAll(clients);

        long? peak = server.PeakWorkingSet();
        string report = string.Create(
            CultureInfo.InvariantCulture,
            $"{seconds:F0} s, 6 clients: {searchMs.Count} searches p50 {Percentile(searchMs, 50):F2} ms p99 {Percentile(searchMs, 99):F2} ms; "
            + $"{upsertMs.Count} upserts of 50 p50 {Percentile(upsertMs, 50):F2} ms p99 {Percentile(upsertMs, 99):F2} ms; peak working set {(peak ?? 0) / (1024.0 * 1024):F0} MiB");
        TestContext.Current.TestOutputHelper?.WriteLine(report);

        Assert.Empty(errors);
        Assert.True(searchMs.Count > 0 && upsertMs.Count > 0, report);

        // Bounded: the data is ~10 MB of vectors; a leak per request would show as hundreds of MB over thousands of requests.
        Assert.True(peak is null || peak < 1024L * 1024 * 1024, report);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }

    private static string Batch(Random random, string prefix, int count)
    {
        var builder = new StringBuilder("{\"items\": [");
        for (int i = 0; i < count; i++)
        {
            builder.Append(CultureInfo.InvariantCulture, $"{(i == 0 ? string.Empty : ",")}{{\"id\": \"{prefix}-{random.Next(100_000)}-{i}\", \"payload\": {{\"i\": {i}}}, \"vectors\": {{\"load@v1\": {Vector(random)}}}}}");
        }

        return builder.Append("]}").ToString();
    }

    private static string Vector(Random random) =>
        "[" + string.Join(",", Enumerable.Range(0, Dimension).Select(_ => (random.NextDouble() - 0.5).ToString("F4", CultureInfo.InvariantCulture))) + "]";

    private static double Percentile(List<double> values, double p)
    {
        if (values.Count == 0)
        {
            return 0;
        }

        var sorted = values.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Count) - 1, 0, sorted.Count - 1)];
    }
}
