// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Globalization;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using EmbeddingStore.Core;
using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Filters;
using EmbeddingStore.Core.Vectors;
using EmbeddingStore.Benchmarks.Indexes;

namespace EmbeddingStore.Benchmarks.Filters;

// Filtered exact search with and without a payload index. Without one the filter runs on each candidate's payload JSON
// that could enter the top-k; with a keyword index on `cat` (Indexed) the planner turns the condition into the matching
// rows and the scan scores only those. 100,000 items of 384 floats (MiniLM's shape); a `cat` field selects 10 % or 1 %
// of them. The ratio to the unfiltered search is the cost of evaluating the filter during the scan; Indexed false ÷ true
// at one selectivity is the index's speed-up (issue 11 asks for at least 10x at 1 %). Matches gives the per-payload cost
// alone and shows that evaluating allocates nothing.
[MemoryDiagnoser]
public class FilterBenchmarks
{
    private const int Items = 100_000;
    private const int Dimension = 384;
    private EmbeddingEngine _engine = null!;
    private float[] _query = [];
    private JsonElement?[] _payloads = [];
    private PayloadFilter? _filter;

    [Params("none", "10%", "1%")]
    public string Selectivity { get; set; } = "none";

    [Params(false, true)]
    public bool Indexed { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(11);
        _query = [.. Enumerable.Range(0, Dimension).Select(_ => (float)((random.NextDouble() * 2) - 1))];
        _engine = new EmbeddingEngine(new SearchBenchmarks.NullRepository(), new EngineLimits { MaxBatchItems = 10_000, SearchParallelism = 1 });
        _engine.LoadAsync(CancellationToken.None).GetAwaiter().GetResult();
        _engine.RegisterModelVersionAsync("b", "v1", Dimension, DistanceMetric.CosineSimilarity, false, CancellationToken.None).GetAwaiter().GetResult();
        _engine.PutCollectionAsync("c", "b@v1", CancellationToken.None).GetAwaiter().GetResult();
        _payloads = new JsonElement?[Items];
        for (int start = 0; start < Items; start += 10_000)
        {
            var batch = new List<ItemUpsert>(10_000);
            for (int i = start; i < start + 10_000; i++)
            {
                // cat: 1 % of items are "c1", a further 9 % "c10"; the rest spread over other values.
                string cat = i % 100 == 0 ? "c1" : i % 10 == 0 ? "c10" : "other" + (i % 7).ToString(CultureInfo.InvariantCulture);
                string json = $$"""{"cat":"{{cat}}","n":{{i % 1000}},"lang":"{{(i % 3 == 0 ? "de" : "en")}}","tags":["a","b{{i % 5}}"]}""";
                _payloads[i] = JsonDocument.Parse(json).RootElement.Clone();
                batch.Add(new ItemUpsert(
                    i.ToString(CultureInfo.InvariantCulture), _payloads[i],
                    new Dictionary<string, float[]> { ["b@v1"] = [.. Enumerable.Range(0, Dimension).Select(_ => (float)((random.NextDouble() * 2) - 1))] }));
            }

            _engine.UpsertItemsAsync("c", batch, CancellationToken.None).GetAwaiter().GetResult();
        }

        if (Indexed)
        {
            _engine.PutPayloadIndexAsync("c", "cat", "keyword", CancellationToken.None).GetAwaiter().GetResult();
            _engine.Jobs.RunUntilIdleAsync(CancellationToken.None).GetAwaiter().GetResult();
        }

        _filter = Selectivity switch
        {
            "10%" => new PayloadFilter([new FilterCondition { Key = "cat", Any = [Json("\"c1\""), Json("\"c10\"")] }]),
            "1%" => new PayloadFilter([FilterCondition.Equal("cat", Json("\"c1\""))]),
            _ => null,
        };
        _filter?.Validate();
    }

    [GlobalCleanup]
    public void Cleanup() => _engine.Dispose();

    [Benchmark]
    public int ExactSearch() =>
        _engine.SearchAsync("c", new SearchQuery(_query, null, 10, _filter, WithPayload: false), CancellationToken.None).GetAwaiter().GetResult().Value!.Hits.Count;

    [Benchmark(OperationsPerInvoke = Items)]
    public int Matches()
    {
        PayloadFilter filter = _filter ?? new PayloadFilter();
        int matched = 0;
        foreach (JsonElement? payload in _payloads)
        {
            matched += filter.Matches(payload) ? 1 : 0;
        }

        return matched;
    }

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();
}
