// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Globalization;
using BenchmarkDotNet.Attributes;
using EmbeddingStore.Core;
using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Indexes;
using EmbeddingStore.Core.Jobs;
using EmbeddingStore.Core.Persistence;
using EmbeddingStore.Core.Vectors;
using EmbeddingStore.Core.Versioning;
using TopKCollector = EmbeddingStore.Core.Search.TopK<EmbeddingStore.Core.Collections.ItemEntry, EmbeddingStore.Core.Search.ByItemId>;

namespace EmbeddingStore.Benchmarks.Indexes;

// Top-k selection and whole searches. The memory diagnoser shows what one search allocates: a fixed amount per query
// (the collector, the hits), nothing per candidate, so Allocated stays flat as the collection grows.
[MemoryDiagnoser]
public class SearchBenchmarks
{
    private const int Candidates = 100_000;
    private float[] _scores = [];
    private ItemEntry[] _items = [];
    private EmbeddingEngine _engine = null!;
    private float[] _query = [];

    [Params(128, 384, 768, 1536, 383)]
    public int Dimension { get; set; }

    [Params(10, 100)]
    public int K { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(7);
        _scores = [.. Enumerable.Range(0, Candidates).Select(_ => (float)random.NextDouble())];
        _items = [.. Enumerable.Range(0, Candidates).Select(i => new ItemEntry(i.ToString(CultureInfo.InvariantCulture), null))];
        _query = [.. Enumerable.Range(0, Dimension).Select(_ => (float)((random.NextDouble() * 2) - 1))];

        // 20,000 rows: a scan of 10 to 120 MB per search depending on the dimension.
        _engine = new EmbeddingEngine(new NullRepository(), new EngineLimits { MaxBatchItems = 20_000, SearchParallelism = 1 });
        _engine.LoadAsync(CancellationToken.None).GetAwaiter().GetResult();
        _engine.RegisterModelVersionAsync("b", "v1", Dimension, DistanceMetric.DotProduct, false, CancellationToken.None).GetAwaiter().GetResult();
        _engine.PutCollectionAsync("c", "b@v1", CancellationToken.None).GetAwaiter().GetResult();
        var items = Enumerable.Range(0, 20_000).Select(i => new ItemUpsert(
            i.ToString(CultureInfo.InvariantCulture), null,
            new Dictionary<string, float[]> { ["b@v1"] = [.. Enumerable.Range(0, Dimension).Select(_ => (float)((random.NextDouble() * 2) - 1))] })).ToList();
        _engine.UpsertItemsAsync("c", items, CancellationToken.None).GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup() => _engine.Dispose();

    [Benchmark(OperationsPerInvoke = Candidates)]
    public int TopKOffer()
    {
        var top = new TopKCollector(K);
        float threshold = top.Threshold;
        for (int i = 0; i < _scores.Length; i++)
        {
            if (_scores[i] >= threshold)
            {
                top.Offer(_scores[i], _items[i]);
                threshold = top.Threshold;
            }
        }

        return top.Count;
    }

    [Benchmark]
    public int ExactSearch() => _engine.SearchAsync("c", new SearchQuery(_query, null, K, WithPayload: false), CancellationToken.None).GetAwaiter().GetResult().Value!.Hits.Count;

    [Benchmark]
    public int Int8Search() => _engine.SearchAsync("c", new SearchQuery(_query, null, K, WithPayload: false, Index: IndexKind.Int8), CancellationToken.None).GetAwaiter().GetResult().Value!.Hits.Count;

    internal sealed class NullRepository : IEmbeddingRepository
    {
        public IAsyncEnumerable<ModelVersion> ReadModelVersionsAsync(CancellationToken cancellationToken) => AsyncEnumerable.Empty<ModelVersion>();

        public IAsyncEnumerable<CollectionRecord> ReadCollectionsAsync(CancellationToken cancellationToken) => AsyncEnumerable.Empty<CollectionRecord>();

        public IAsyncEnumerable<StoredItem> ReadItemsAsync(string collection, CancellationToken cancellationToken) => AsyncEnumerable.Empty<StoredItem>();

        public Task SaveModelVersionAsync(ModelVersion version, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task SaveCollectionAsync(CollectionRecord collection, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task DeleteCollectionAsync(string collection, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task UpsertItemsAsync(string collection, IReadOnlyList<StoredItem> items, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task DeleteItemsAsync(string collection, IReadOnlyList<string> ids, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task AddVectorsAsync(
            string collection, IReadOnlyList<(string ItemId, StoredVector Vector)> vectors, JobRecord? progress, CancellationToken cancellationToken) => Task.CompletedTask;

        public IAsyncEnumerable<StoredLink> ReadLinksAsync(CancellationToken cancellationToken) => AsyncEnumerable.Empty<StoredLink>();

        public Task SaveLinkAsync(StoredLink link, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task DeleteLinkAsync(string id, CancellationToken cancellationToken) => Task.CompletedTask;

        public IAsyncEnumerable<JobRecord> ReadJobsAsync(CancellationToken cancellationToken) => AsyncEnumerable.Empty<JobRecord>();

        public Task SaveJobAsync(JobRecord job, CancellationToken cancellationToken) => Task.CompletedTask;

        public IAsyncEnumerable<Core.Migrations.MigrationRecord> ReadMigrationsAsync(CancellationToken cancellationToken) =>
            AsyncEnumerable.Empty<Core.Migrations.MigrationRecord>();

        public Task SaveMigrationAsync(Core.Migrations.MigrationRecord migration, CollectionRecord? serving, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task DeleteVectorsAsync(
            string collection, ModelVersionId version, IReadOnlyList<string> itemIds, Core.Migrations.MigrationRecord migration, CancellationToken cancellationToken) =>
            Task.CompletedTask;

        public IAsyncEnumerable<CollectionAlias> ReadAliasesAsync(CancellationToken cancellationToken) => AsyncEnumerable.Empty<CollectionAlias>();

        public Task SaveAliasAsync(CollectionAlias alias, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task DeleteAliasAsync(string alias, CancellationToken cancellationToken) => Task.CompletedTask;

        public IAsyncEnumerable<StoredPayloadIndex> ReadPayloadIndexesAsync(CancellationToken cancellationToken) => AsyncEnumerable.Empty<StoredPayloadIndex>();

        public Task SavePayloadIndexAsync(StoredPayloadIndex index, JobRecord? job, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task DeletePayloadIndexAsync(string collection, string field, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
