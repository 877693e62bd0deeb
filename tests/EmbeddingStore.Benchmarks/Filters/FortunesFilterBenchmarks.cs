// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Globalization;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using EmbeddingStore.Benchmarks.Indexes;
using EmbeddingStore.Contracts;
using EmbeddingStore.Core;
using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Filters;
using EmbeddingStore.Core.Vectors;

namespace EmbeddingStore.Benchmarks.Filters;

// Issue 11's pgvector comparison, on our side: the shared fortunes MiniLM corpus (10,000 × 384) with a `cat` field that
// selects exactly 10 % or 1 % of the items (a seeded shuffle), the 500 shared queries, exact filtered top-10 (recall 1.0
// by construction: the same scan that is the truth), one thread, with and without a keyword index on `cat`. One
// operation is one query, so q/s = 1 / Mean. pgvector 0.8.6's best plan there: 975 q/s (10 %), 1,141-1,179 q/s (1 %).
// The corpus is read from EMBEDDINGSTORE_FORTUNES, else ../shared/data/fortunes above the repository.
[MemoryDiagnoser]
public class FortunesFilterBenchmarks
{
    private const int Queries = 500;
    private EmbeddingEngine _engine = null!;
    private float[][] _queries = [];
    private PayloadFilter _filter = null!;

    [Params("10%", "1%")]
    public string Selectivity { get; set; } = "10%";

    [Params(false, true)]
    public bool Indexed { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        string directory = Environment.GetEnvironmentVariable("EMBEDDINGSTORE_FORTUNES") ?? FindFortunes();
        VecsMatrix<float> corpus = VecsFile.ReadFvecs(Path.Combine(directory, "corpus.minilm.fvecs"));
        VecsMatrix<float> queries = VecsFile.ReadFvecs(Path.Combine(directory, "queries.minilm.fvecs"));
        int count = corpus.Count;
        int dimension = corpus.Dimension;
        _queries = [.. Enumerable.Range(0, Math.Min(Queries, queries.Count)).Select(q => queries.Row(q).ToArray())];

        // Exactly count/10 items are "ten", count/100 of them also "one" (a seeded shuffle, so neither is a row range).
        int[] order = [.. Enumerable.Range(0, count)];
        new Random(11).Shuffle(order);
        var cats = new string[count];
        for (int rank = 0; rank < count; rank++)
        {
            cats[order[rank]] = rank < count / 100 ? "one" : rank < count / 10 ? "ten" : "other" + (rank % 9).ToString(CultureInfo.InvariantCulture);
        }

        _engine = new EmbeddingEngine(new SearchBenchmarks.NullRepository(), new EngineLimits { MaxBatchItems = 10_000, SearchParallelism = 1 });
        _engine.LoadAsync(CancellationToken.None).GetAwaiter().GetResult();
        _engine.RegisterModelVersionAsync("minilm", "v1", dimension, DistanceMetric.CosineSimilarity, true, CancellationToken.None).GetAwaiter().GetResult();
        _engine.PutCollectionAsync("fortunes", "minilm@v1", CancellationToken.None).GetAwaiter().GetResult();
        var batch = new List<ItemUpsert>(count);
        for (int i = 0; i < count; i++)
        {
            JsonElement payload = JsonDocument.Parse($$"""{"cat":"{{cats[i]}}","id":{{i}}}""").RootElement.Clone();
            batch.Add(new ItemUpsert(i.ToString(CultureInfo.InvariantCulture), payload, new Dictionary<string, float[]> { ["minilm@v1"] = corpus.Row(i).ToArray() }));
        }

        _engine.UpsertItemsAsync("fortunes", batch, CancellationToken.None).GetAwaiter().GetResult();
        if (Indexed)
        {
            _engine.PutPayloadIndexAsync("fortunes", "cat", "keyword", CancellationToken.None).GetAwaiter().GetResult();
            _engine.Jobs.RunUntilIdleAsync(CancellationToken.None).GetAwaiter().GetResult();
        }

        // 10 %: every "ten" and "one" item; 1 %: the "one" items.
        JsonElement one = JsonDocument.Parse("\"one\"").RootElement.Clone();
        JsonElement ten = JsonDocument.Parse("\"ten\"").RootElement.Clone();
        _filter = Selectivity == "1%"
            ? new PayloadFilter([FilterCondition.Equal("cat", one)])
            : new PayloadFilter([new FilterCondition { Key = "cat", Any = [one, ten] }]);
        _filter.Validate();
    }

    [GlobalCleanup]
    public void Cleanup() => _engine.Dispose();

    [Benchmark(OperationsPerInvoke = Queries)]
    public int FilteredTop10()
    {
        int hits = 0;
        foreach (float[] query in _queries)
        {
            hits += _engine.SearchAsync("fortunes", new SearchQuery(query, null, 10, _filter, WithPayload: false), CancellationToken.None)
                .GetAwaiter().GetResult().Value!.Hits.Count;
        }

        return hits;
    }

    private static string FindFortunes()
    {
        for (DirectoryInfo? at = new(AppContext.BaseDirectory); at is not null; at = at.Parent)
        {
            string candidate = Path.Combine(at.FullName, "..", "shared", "data", "fortunes");
            if (File.Exists(Path.Combine(candidate, "corpus.minilm.fvecs")))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("The fortunes corpus was not found; set EMBEDDINGSTORE_FORTUNES to its directory.");
    }
}
