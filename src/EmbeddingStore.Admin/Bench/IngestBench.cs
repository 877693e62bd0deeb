// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using EmbeddingStore.Client;
using EmbeddingStore.Contracts;

namespace EmbeddingStore.Admin.Bench;

// `esadmin bench --mode ingest --server URL`: the same items upserted three ways into three fresh collections, timed from
// the first request to the last acknowledgement: JSON-array batches, base64 batches, and one streamed NDJSON request
// committed in chunks of the same size. Items are built before the clock starts; client serialisation is in the figures,
// as it is for any client. The vectors are --base (an .fvecs file, e.g. the one docs/bench/sqlite_ingest_baseline.py
// writes, so the plain-SQLite baseline takes the same bytes) or seeded Gaussian vectors.
internal static class IngestBench
{
    private const string Model = "ingest";
    private const string Version = "ingest@v1";

    public static async Task<string> RunAsync(BenchOptions options, HttpClient http, CancellationToken cancellationToken)
    {
        (float[][] vectors, int dimension) = Vectors(options);
        List<ItemRequest> items = [.. vectors.Select((v, i) => new ItemRequest
        {
            Id = i.ToString("D7", CultureInfo.InvariantCulture),
            Payload = JsonDocument.Parse(string.Create(CultureInfo.InvariantCulture, $$"""{"n": {{i}}, "tag": "t{{i % 10}}"}""")).RootElement.Clone(),
            Vectors = new() { [Version] = v },
        })];

        using var arrays = new EmbeddingStoreClient(http, VectorEncoding.Array);
        using var base64 = new EmbeddingStoreClient(http, VectorEncoding.Base64);
        await arrays.RegisterModelVersionAsync(Model, "v1", new ModelVersionRequest { Dimension = dimension, Metric = "cosine" }, cancellationToken);

        var lines = new List<string>
        {
            string.Create(CultureInfo.InvariantCulture, $"ingest: {items.Count:N0} items x {dimension} dimensions (cosine, small payloads), batches of {options.UploadBatch:N0}, server {http.BaseAddress}"),
        };
        var results = new List<(string Name, double Seconds)>();
        foreach ((string name, Func<string, Task> load) in new (string, Func<string, Task>)[]
        {
            ("json-arrays", c => UpsertBatchesAsync(arrays, c, items, options.UploadBatch, cancellationToken)),
            ("base64", c => UpsertBatchesAsync(base64, c, items, options.UploadBatch, cancellationToken)),
            ("ndjson-bulk", c => base64.StreamUpsertAsync(c, Async(items), options.UploadBatch, cancellationToken)),
        })
        {
            string collection = options.Collection + "-" + name;
            await ResetAsync(arrays, collection, cancellationToken);
            long started = Stopwatch.GetTimestamp();
            await load(collection);
            double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            long stored = (await arrays.GetCollectionAsync(collection, cancellationToken)).ItemCount;
            if (stored != items.Count)
            {
                throw new BenchInputException($"collection '{collection}' holds {stored} items after the {name} load of {items.Count}");
            }

            results.Add((name, seconds));
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"  {name,-12} {items.Count / seconds,10:N0} items/s  ({seconds:0.00} s)"));
        }

        return options.Json
            ? JsonSerializer.Serialize(results.ToDictionary(r => r.Name, r => Math.Round(items.Count / r.Seconds, 1)))
            : string.Join(Environment.NewLine, lines);
    }

    private static (float[][] Vectors, int Dimension) Vectors(BenchOptions options)
    {
        if (!string.IsNullOrEmpty(options.BasePath))
        {
            VecsMatrix<float> file = VecsFile.ReadFvecs(options.BasePath);
            int count = Math.Min(file.Count, options.IngestCount);
            return ([.. Enumerable.Range(0, count).Select(i => file.Row(i).ToArray())], file.Dimension);
        }

        // Seeded Gaussian components (Box-Muller), the same every run.
        var random = new Random(options.Seed);
        var vectors = new float[options.IngestCount][];
        for (int i = 0; i < vectors.Length; i++)
        {
            var v = new float[options.Dimension];
            for (int j = 0; j < v.Length; j++)
            {
                v[j] = (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
            }

            vectors[i] = v;
        }

        return (vectors, options.Dimension);
    }

    private static async Task ResetAsync(EmbeddingStoreClient client, string collection, CancellationToken cancellationToken)
    {
        try
        {
            await client.DeleteCollectionAsync(collection, cancellationToken);
        }
        catch (EmbeddingStoreNotFoundException)
        {
            // Fresh already.
        }

        await client.PutCollectionAsync(collection, new CollectionRequest { ServingVersion = Version }, cancellationToken);
    }

    private static async Task UpsertBatchesAsync(
        EmbeddingStoreClient client, string collection, List<ItemRequest> items, int batch, CancellationToken cancellationToken)
    {
        for (int first = 0; first < items.Count; first += batch)
        {
            await client.UpsertItemsAsync(collection, new UpsertItemsRequest { Items = items.GetRange(first, Math.Min(batch, items.Count - first)) }, cancellationToken);
        }
    }

    private static async IAsyncEnumerable<ItemRequest> Async(List<ItemRequest> items)
    {
        foreach (ItemRequest item in items)
        {
            yield return item;
        }

        await Task.CompletedTask;
    }
}
