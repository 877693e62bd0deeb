// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

// Loads the shared fortunes corpus (10,000 texts embedded by all-MiniLM-L6-v2, 384-d) into a running server through
// the SDK, then runs the 500 queries and reports upsert and search latency and recall@10 against the exact ground truth.
//
//   dotnet run --project samples/FortunesLoad -- [server-url] [data-folder] [batch-size]
//   defaults: http://127.0.0.1:5080  ../shared/data/fortunes  500
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using EmbeddingStore.Client;
using EmbeddingStore.Contracts;

string server = args.Length > 0 ? args[0] : "http://127.0.0.1:5080";
string data = args.Length > 1 ? args[1] : Path.Combine("..", "shared", "data", "fortunes");
int batchSize = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 500;
if (!File.Exists(Path.Combine(data, "corpus.minilm.fvecs")))
{
    Console.Error.WriteLine($"FortunesLoad: no corpus.minilm.fvecs in '{data}'; pass the data folder as the second argument.");
    return 1;
}

// VecsFile (EmbeddingStore.Contracts, which comes with the SDK) checks the files: a truncated one is refused, not half-loaded.
VecsMatrix<float> corpus = VecsFile.ReadFvecs(Path.Combine(data, "corpus.minilm.fvecs"));
VecsMatrix<float> queries = VecsFile.ReadFvecs(Path.Combine(data, "queries.minilm.fvecs"));
VecsMatrix<int> truth = VecsFile.ReadIvecs(Path.Combine(data, "gt.minilm.ivecs"));
string[] texts = [.. File.ReadLines(Path.Combine(data, "texts.jsonl")).Select(line => JsonDocument.Parse(line).RootElement.GetProperty("text").GetString()!)];

using var http = new HttpClient { BaseAddress = new Uri(server), Timeout = TimeSpan.FromMinutes(2) };
var client = new EmbeddingStoreClient(http);
await client.RegisterModelVersionAsync("text", "minilm", new ModelVersionRequest { Dimension = 384, Metric = "cosine", Normalized = true });
await client.PutCollectionAsync("fortunes", new CollectionRequest { ServingVersion = "text@minilm" });

var upsertMs = new List<double>();
var total = Stopwatch.StartNew();
for (int start = 0; start < corpus.Count; start += batchSize)
{
    var items = new List<ItemRequest>();
    for (int i = start; i < Math.Min(corpus.Count, start + batchSize); i++)
    {
        using JsonDocument payload = JsonDocument.Parse(JsonSerializer.Serialize(new Dictionary<string, string> { ["text"] = texts[i] }));
        items.Add(new ItemRequest
        {
            Id = i.ToString(CultureInfo.InvariantCulture),
            Payload = payload.RootElement.Clone(),
            Vectors = new Dictionary<string, float[]> { ["text@minilm"] = corpus.Row(i).ToArray() },
        });
    }

    long t = Stopwatch.GetTimestamp();
    await client.UpsertItemsAsync("fortunes", new UpsertItemsRequest { Items = items });
    upsertMs.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
}

double loadSeconds = total.Elapsed.TotalSeconds;
var searchMs = new List<double>();
var serverMs = new List<double>();
double recall = 0;
for (int q = 0; q < queries.Count; q++)
{
    long t = Stopwatch.GetTimestamp();
    SearchResponse response = await client.SearchAsync("fortunes", new SearchRequest { Vector = queries.Row(q).ToArray(), K = 10, WithPayload = false });
    searchMs.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
    serverMs.Add(response.TookMs);
    var expected = truth.Row(q)[..10].ToArray().Select(id => id.ToString(CultureInfo.InvariantCulture)).ToHashSet();
    recall += response.Hits.Count(h => expected.Contains(h.Id)) / 10.0;
}

Console.WriteLine($"items {corpus.Count} x {corpus.Dimension}-d, batches of {batchSize}: loaded in {loadSeconds:F2} s ({corpus.Count / loadSeconds:F0} items/s)");
Console.WriteLine($"upsert per batch (client):  p50 {Percentile(upsertMs, 50):F1} ms  p99 {Percentile(upsertMs, 99):F1} ms");
Console.WriteLine($"search k=10 (client, HTTP): p50 {Percentile(searchMs, 50):F2} ms  p99 {Percentile(searchMs, 99):F2} ms");
Console.WriteLine($"search k=10 (server tookMs): p50 {Percentile(serverMs, 50):F2} ms  p99 {Percentile(serverMs, 99):F2} ms");
Console.WriteLine($"recall@10 against the exact ground truth: {recall / queries.Count:F4}");
return 0;

static double Percentile(List<double> values, double p)
{
    var sorted = values.Order().ToList();
    int index = (int)Math.Ceiling(p / 100.0 * sorted.Count) - 1;
    return sorted[Math.Clamp(index, 0, sorted.Count - 1)];
}
