// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Globalization;
using EmbeddingStore.Contracts;
using EmbeddingStore.Core;
using System.Text.Json;
using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Filters;
using EmbeddingStore.Core.Indexes;
using EmbeddingStore.Core.Vectors;

namespace EmbeddingStore.Admin.Bench;

// The engine in this process over a repository that keeps nothing: search itself, without HTTP, JSON or SQLite.
internal sealed class InProcessTarget : IBenchTarget
{
    private const string Version = "bench@v1";
    private const string Collection = "bench";
    private const int LoadBatch = 10_000;
    private readonly EmbeddingEngine _engine;
    private readonly BenchFilter? _filter;
    private readonly Dictionary<string, int> _plans = new(StringComparer.Ordinal);

    public InProcessTarget(int dimension, int k, int batchSize, int threads, BenchFilter? filter = null, int? graphCost = null)
    {
        var defaults = new EngineLimits();
        _engine = new EmbeddingEngine(new DiscardingRepository(), new EngineLimits
        {
            MaxBatchItems = LoadBatch,
            MaxK = Math.Max(k, 1_000),
            MaxDimension = Math.Max(dimension, defaults.MaxDimension),
            MaxBatchQueries = Math.Max(batchSize, 1_000),
            SearchParallelism = threads,
            FilteredGraphCostRowsPerEf = graphCost ?? defaults.FilteredGraphCostRowsPerEf,
        });
        _filter = filter;
    }

    public string Description => _filter is { } filter ? "in-process engine, " + filter.Describe : "in-process engine";

    public async Task LoadAsync(VecsMatrix<float> vectors, DistanceMetric metric, IndexSettingsBody? settings, CancellationToken cancellationToken)
    {
        await _engine.LoadAsync(cancellationToken);
        Check(await _engine.RegisterModelVersionAsync("bench", "v1", vectors.Dimension, metric, normalized: false, cancellationToken));
        IndexSettings? indexSettings = settings is null ? null : new IndexSettings(settings.M, settings.EfConstruction, settings.BuildThreads, settings.KeepPrunedConnections);
        Check(await _engine.PutCollectionAsync(Collection, Version, null, indexSettings, cancellationToken));
        bool[]? matching = _filter?.Matching(vectors.Count);
        for (int first = 0; first < vectors.Count; first += LoadBatch)
        {
            int n = Math.Min(LoadBatch, vectors.Count - first);
            var items = new List<ItemUpsert>(n);
            for (int i = first; i < first + n; i++)
            {
                JsonElement? payload = matching is null ? null : (matching[i] ? BenchFilter.InPayload : BenchFilter.OutPayload);
                items.Add(new ItemUpsert(i.ToString(CultureInfo.InvariantCulture), payload, new Dictionary<string, float[]> { [Version] = vectors.Row(i).ToArray() }));
            }

            StoreResult<int> written = await _engine.UpsertItemsAsync(Collection, items, cancellationToken);
            if (!written.IsSuccess)
            {
                throw new BenchInputException($"base vectors in rows {first}-{first + n - 1} refused: {written.Error!.Message}");
            }
        }

        if (_filter is { Indexed: true })
        {
            Check(await _engine.PutPayloadIndexAsync(Collection, BenchFilter.Field, "keyword", cancellationToken));
            await _engine.Jobs.RunUntilIdleAsync(cancellationToken);
        }
    }

    public IReadOnlyDictionary<string, int> TakePlans()
    {
        var plans = new Dictionary<string, int>(_plans, StringComparer.Ordinal);
        _plans.Clear();
        return plans;
    }

    private void Count(SearchResult result)
    {
        string plan = SearchPlanNames.ToWireName(result.Plan);
        _plans[plan] = _plans.GetValueOrDefault(plan) + 1;
    }

    // The search's filter: `cat` equals "in"; null without --selectivity.
    private PayloadFilter? Filter()
    {
        if (_filter is null)
        {
            return null;
        }

        var filter = new PayloadFilter([FilterCondition.Equal(BenchFilter.Field, BenchFilter.Value)]);
        return filter.Validate() is { } error ? throw new BenchInputException(error.Message) : filter;
    }

    public Task<long> IndexMemoryBytesAsync(IndexKind index, CancellationToken cancellationToken) =>
        Task.FromResult(Check(_engine.GetCollection(Collection)).Indexes?.Where(i => i.Index == index).Sum(i => i.MemoryBytes) ?? 0);

    // Builds are inline in-process: the first search returned with the index built.
    public Task WaitForIndexAsync(IndexKind index, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<int[]> SearchAsync(float[] query, int k, IndexKind index, BenchKnobs knobs, CancellationToken cancellationToken)
    {
        return SearchCoreAsync(query, k, index, knobs, cancellationToken);
    }

    public Task<IReadOnlyList<int[]>> SearchBatchAsync(IReadOnlyList<float[]> queries, int k, IndexKind index, BenchKnobs knobs, CancellationToken cancellationToken)
    {
        return SearchBatchCoreAsync(queries, k, index, knobs, cancellationToken);
    }

    public void Dispose() => _engine.Dispose();

    private PayloadFilter? _searchFilter;

    private static IndexOptions? Options(BenchKnobs knobs) => knobs == BenchKnobs.None ? null : new IndexOptions(knobs.Oversampling, knobs.Ef, knobs.Quantized);

    private async Task<int[]> SearchCoreAsync(float[] query, int k, IndexKind index, BenchKnobs knobs, CancellationToken cancellationToken)
    {
        var request = new SearchQuery(query, Version, k, _searchFilter ??= Filter(), WithPayload: false, Index: index, Options: Options(knobs));
        SearchResult result = Check(await _engine.SearchAsync(Collection, request, cancellationToken));
        Count(result);
        return Ids(result);
    }

    private async Task<IReadOnlyList<int[]>> SearchBatchCoreAsync(
        IReadOnlyList<float[]> queries, int k, IndexKind index, BenchKnobs knobs, CancellationToken cancellationToken)
    {
        var request = new BatchSearchQuery(queries, Version, k, _searchFilter ??= Filter(), WithPayload: false, Index: index, Options: Options(knobs));
        BatchSearchResult batch = Check(await _engine.SearchBatchAsync(Collection, request, cancellationToken));
        foreach (SearchResult result in batch.Results)
        {
            Count(result);
        }

        return [.. batch.Results.Select(Ids)];
    }

    private static int[] Ids(SearchResult result) => [.. result.Hits.Select(h => int.Parse(h.Id, CultureInfo.InvariantCulture))];

    private static T Check<T>(StoreResult<T> result) =>
        result.IsSuccess ? result.Value! : throw new BenchInputException(result.Error!.Message);
}
