// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Globalization;
using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Indexes;
using EmbeddingStore.Core.Jobs;
using EmbeddingStore.Core.Tests.TestSupport;
using EmbeddingStore.Core.Vectors;

namespace EmbeddingStore.Core.Tests.Jobs;

// With background builds (as the server runs), a graph is built by an index-build job a chunk at a time: the collection
// says building, searches answer from the exact scan meanwhile (so they equal exact answers), writes made during the
// build are in the published graph, deleted items are never returned, and the job's progress is rows done of rows held.
// The runner is driven by hand (RunOneChunkAsync), so every state between chunks is observed deterministically.
public sealed class IndexBuildJobTests
{
    private const int Dimension = 16;
    private const int Items = 2_000;
    private static readonly IndexKind Hnsw = new("hnsw");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Search_BeforeAndDuringABackgroundBuild_AnswersExactlyWhileTheJobBuildsThenTheGraphServes()
    {
        using EmbeddingEngine engine = await CreateAsync();
        var random = new Random(41);
        await UpsertAsync(engine, Enumerable.Range(0, Items).Select(i => (Id(i), Vector(random))).ToList());

        // The first hnsw search starts the build and is answered at once, by the exact scan.
        float[][] queries = [.. Enumerable.Range(0, 20).Select(_ => Vector(random))];
        foreach (float[] query in queries)
        {
            Assert.Equal(await IdsAsync(engine, query, "exact"), await IdsAsync(engine, query, "hnsw"));
        }

        await engine.BuildRequestsSettled();
        JobRecord job = Assert.Single(engine.Jobs.List(), j => j.Kind == JobKinds.IndexBuild);
        Assert.Equal(JobState.Queued, job.State);
        Assert.Equal(Items, job.Total);
        Assert.Equal((IndexState.Building, 0L), HnswState(engine));

        // One chunk: progress visible, still building, searches still exact.
        Assert.True(await engine.Jobs.RunOneChunkAsync(Ct));
        job = engine.Jobs.Get(job.Id).Value!;
        Assert.Equal((JobState.Running, IndexBuildJobHandler.ChunkRows, (long)Items), (job.State, job.Done, job.Total));
        Assert.Equal(IndexState.Building, HnswState(engine).State);
        Assert.Equal(await IdsAsync(engine, queries[0], "exact"), await IdsAsync(engine, queries[0], "hnsw"));

        // Writes during the build: new items (ahead of the cursor), an overwrite behind it, deletes on both sides.
        var added = Enumerable.Range(0, 50).Select(i => ($"new-{i:D2}", Vector(random))).ToList();
        await UpsertAsync(engine, added);
        float[] moved = Vector(random);
        await UpsertAsync(engine, [(Id(3), moved)]);
        string[] deleted = [.. Enumerable.Range(0, 40).Select(i => Id(i * 47 + 1))];
        Assert.True((await engine.DeleteItemsAsync("docs", deleted, Ct)).IsSuccess);

        await engine.Jobs.RunUntilIdleAsync(Ct);
        job = engine.Jobs.Get(job.Id).Value!;
        Assert.Equal(JobState.Completed, job.State);
        Assert.Equal(job.Total, job.Done);
        Assert.Equal((IndexState.Ready, (long)(Items + 50 - 40)), HnswState(engine));

        foreach ((string id, float[] vector) in added)
        {
            Assert.Equal(id, (await IdsAsync(engine, vector, "hnsw", k: 1))[0]);
        }

        Assert.Equal(Id(3), (await IdsAsync(engine, moved, "hnsw", k: 1))[0]);
        double recall = 0;
        foreach (float[] query in queries)
        {
            List<string> graph = await IdsAsync(engine, query, "hnsw");
            Assert.DoesNotContain(graph, deleted.Contains);
            recall += graph.Intersect(await IdsAsync(engine, query, "exact")).Count() / 10.0;
        }

        Assert.True(recall / queries.Length >= 0.9, $"recall@10 {recall / queries.Length:F3} after the background build is below 0.9");

        // Built and ready: another search requests nothing more.
        await IdsAsync(engine, queries[0], "hnsw");
        await engine.BuildRequestsSettled();
        Assert.Single(engine.Jobs.List(), j => j.Kind == JobKinds.IndexBuild);
    }

    [Fact]
    public async Task Search_ManyWhileAJobIsQueued_OneJobPerSegment()
    {
        using EmbeddingEngine engine = await CreateAsync();
        var random = new Random(42);
        await UpsertAsync(engine, Enumerable.Range(0, 600).Select(i => (Id(i), Vector(random))).ToList());
        await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => IdsAsync(engine, Vector(random), "hnsw")));
        await engine.BuildRequestsSettled();
        Assert.Single(engine.Jobs.List(), j => j.Kind == JobKinds.IndexBuild);
    }

    [Fact]
    public async Task Compact_DuringABackgroundBuild_CursorFollowsTheRowsAndNothingIsLost()
    {
        using EmbeddingEngine engine = await CreateAsync();
        var random = new Random(43);
        var items = Enumerable.Range(0, Items).Select(i => (Id(i), Vector(random))).ToList();
        await UpsertAsync(engine, items);
        await IdsAsync(engine, items[0].Item2, "hnsw");
        await engine.BuildRequestsSettled();
        Assert.True(await engine.Jobs.RunOneChunkAsync(Ct));

        // A third deleted (from both sides of the cursor), then the rows compacted while the build is half-way.
        string[] deleted = [.. items.Where((_, i) => i % 3 == 0).Select(i => i.Item1)];
        Assert.True((await engine.DeleteItemsAsync("docs", deleted, Ct)).IsSuccess);
        Assert.True((await engine.CompactAsync("docs", Ct)).IsSuccess);
        await engine.Jobs.RunUntilIdleAsync(Ct);

        Assert.Equal((IndexState.Ready, (long)(Items - deleted.Length)), HnswState(engine));
        int found = 0;
        foreach ((string id, float[] vector) in items.Where((_, i) => i % 3 != 0).Take(200))
        {
            List<string> answer = await IdsAsync(engine, vector, "hnsw", k: 1);
            found += answer[0] == id ? 1 : 0;
            Assert.DoesNotContain(answer, deleted.Contains);
        }

        Assert.True(found >= 198, $"only {found} of 200 surviving items were found by their own vectors");
    }

    [Fact]
    public async Task Compact_JobAfterDeletingAThird_GraphRepairedNotRebuiltAndDeletedNeverReturned()
    {
        using EmbeddingEngine engine = await CreateAsync();
        var random = new Random(44);
        var items = Enumerable.Range(0, 3_000).Select(i => (Id(i), Vector(random))).ToList();
        await UpsertAsync(engine, items);
        await IdsAsync(engine, items[0].Item2, "hnsw");
        await engine.BuildRequestsSettled();
        await engine.Jobs.RunUntilIdleAsync(Ct);
        Assert.Equal(IndexState.Ready, HnswState(engine).State);

        // 1,100 deleted: past the threshold (1,024 tombstones and a quarter of the rows), so a compact job is queued, and
        // until it runs the graph still serves, walking the tombstones without returning them.
        string[] deleted = [.. items.Where((_, i) => i % 3 != 0).Take(1_100).Select(i => i.Item1)];
        Assert.True((await engine.DeleteItemsAsync("docs", deleted, Ct)).IsSuccess);
        await engine.BuildRequestsSettled();
        JobRecord job = Assert.Single(engine.Jobs.List(), j => j.Kind == JobKinds.Compact);
        Assert.Equal(JobState.Queued, job.State);
        Assert.Equal((IndexState.Ready, 3_000L - 1_100), HnswState(engine));
        foreach ((string _, float[] vector) in items.Where(i => deleted.Contains(i.Item1)).Take(50))
        {
            Assert.DoesNotContain(await IdsAsync(engine, vector, "hnsw"), deleted.Contains);
        }

        await engine.Jobs.RunUntilIdleAsync(Ct);
        job = engine.Jobs.Get(job.Id).Value!;
        Assert.Equal(JobState.Completed, job.State);
        Assert.Equal(1_100, job.Counters!["removed"]);

        // Repaired, not rebuilt: no second build job, and the graph served throughout.
        Assert.Single(engine.Jobs.List(), j => j.Kind == JobKinds.IndexBuild);
        Assert.Equal((IndexState.Ready, 3_000L - 1_100), HnswState(engine));
        int found = 0;
        var survivors = items.Where(i => !deleted.Contains(i.Item1)).ToList();
        foreach ((string id, float[] vector) in survivors.Take(300))
        {
            List<string> answer = await IdsAsync(engine, vector, "hnsw");
            found += answer[0] == id ? 1 : 0;
            Assert.DoesNotContain(answer, deleted.Contains);
        }

        Assert.True(found >= 297, $"only {found} of 300 surviving items were found by their own vectors after the repair");
        double recall = 0;
        for (int q = 0; q < 30; q++)
        {
            float[] query = Vector(random);
            recall += (await IdsAsync(engine, query, "hnsw")).Intersect(await IdsAsync(engine, query, "exact")).Count() / 10.0;
        }

        Assert.True(recall / 30 >= 0.9, $"recall@10 {recall / 30:F3} after the repair is below 0.9");
    }

    [Fact]
    public async Task ConcurrentInsertsDeletesAndSearches_WithTheRunnerGoing_NothingLostAndDeletedNeverReturned()
    {
        using EmbeddingEngine engine = await CreateAsync();
        var random = new Random(45);
        var vectors = new System.Collections.Concurrent.ConcurrentDictionary<string, float[]>(StringComparer.Ordinal);
        var seed = Enumerable.Range(0, 1_500).Select(i => (Id(i), Vector(random))).ToList();
        foreach ((string id, float[] vector) in seed)
        {
            vectors[id] = vector;
        }

        await UpsertAsync(engine, seed);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        Task runner = engine.Jobs.RunAsync(stop.Token);

        // Deletes acknowledged so far: no search that starts after an acknowledgement may return that item.
        var acknowledgedDeletes = new System.Collections.Concurrent.ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
        var added = Enumerable.Range(0, 2_000).Select(i => ($"new-{i:D4}", Vector(random))).ToList();
        Task inserter = Task.Run(async () =>
        {
            foreach ((string Id, float[] Vector)[] chunk in added.Chunk(100))
            {
                foreach ((string id, float[] vector) in chunk)
                {
                    vectors[id] = vector;
                }

                await UpsertAsync(engine, [.. chunk]);
            }
        }, Ct);
        string[] toDelete = [.. seed.Where((_, i) => i % 5 != 0).Select(i => i.Item1)];
        Task deleter = Task.Run(async () =>
        {
            foreach (string[] chunk in toDelete.Chunk(60))
            {
                Assert.True((await engine.DeleteItemsAsync("docs", chunk, Ct)).IsSuccess);
                foreach (string id in chunk)
                {
                    acknowledgedDeletes[id] = true;
                }
            }
        }, Ct);
        var searchRandom = new Random(46);
        float[][] probes = [.. Enumerable.Range(0, 64).Select(_ => Vector(searchRandom))];
        int searches = 0;
        Task searcher = Task.Run(async () =>
        {
            while (!(inserter.IsCompleted && deleter.IsCompleted))
            {
                HashSet<string> gone = [.. acknowledgedDeletes.Keys];
                List<string> answer = await IdsAsync(engine, probes[searches++ % probes.Length], "hnsw");
                Assert.DoesNotContain(answer, gone.Contains);
            }
        }, Ct);
        await Task.WhenAll(inserter, deleter, searcher);
        await engine.BuildRequestsSettled();
        await stop.CancelAsync();
        await runner;
        await engine.Jobs.RunUntilIdleAsync(Ct);

        // Everything acknowledged is there and found by its own vector; nothing deleted is returned.
        var live = vectors.Keys.Where(id => !acknowledgedDeletes.ContainsKey(id)).OrderBy(id => id, StringComparer.Ordinal).ToList();
        Assert.Equal(live.Count, engine.GetCollection("docs").Value!.ItemCount);
        Assert.Equal((IndexState.Ready, (long)live.Count), HnswState(engine));
        int found = 0;
        foreach (string id in live)
        {
            List<string> answer = await IdsAsync(engine, vectors[id], "hnsw");
            found += answer[0] == id ? 1 : 0;
            Assert.DoesNotContain(answer, acknowledgedDeletes.ContainsKey);
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"{searches} searches during the writes; {found} of {live.Count} found by their own vectors");
        Assert.True(found >= live.Count * 0.99, $"only {found} of {live.Count} live items were found by their own vectors");
    }

    private static async Task<EmbeddingEngine> CreateAsync()
    {
        var engine = new EmbeddingEngine(new InMemoryRepository(), null) { BackgroundIndexBuilds = true };
        await engine.LoadAsync(Ct);
        Assert.True((await engine.RegisterModelVersionAsync("vec", "v1", Dimension, DistanceMetric.CosineSimilarity, false, Ct)).IsSuccess);
        Assert.True((await engine.PutCollectionAsync("docs", "vec@v1", Ct)).IsSuccess);
        return engine;
    }

    private static async Task UpsertAsync(EmbeddingEngine engine, List<(string Id, float[] Vector)> items)
    {
        foreach ((string Id, float[] Vector)[] chunk in items.Chunk(1_000))
        {
            Assert.True((await engine.UpsertItemsAsync("docs", [.. chunk.Select(i => EngineFactory.Item(i.Id, "vec@v1", i.Vector))], Ct)).IsSuccess);
        }
    }

    private static async Task<List<string>> IdsAsync(EmbeddingEngine engine, float[] query, string index, int k = 10)
    {
        StoreResult<SearchResult> result = await engine.SearchAsync("docs", new SearchQuery(query, null, k, Index: new IndexKind(index), Options: new IndexOptions(Ef: 32)), Ct);
        Assert.True(result.IsSuccess, result.Error?.Message);
        return [.. result.Value!.Hits.Select(h => h.Id)];
    }

    private static (IndexState State, long Vectors) HnswState(EmbeddingEngine engine)
    {
        SegmentIndexInfo info = engine.GetCollection("docs").Value!.Indexes!.Single(i => i.Index == Hnsw);
        return (info.State, info.VectorsIndexed);
    }

    private static string Id(int i) => "i" + i.ToString("D5", CultureInfo.InvariantCulture);

    // Twelve seeded centres with noise: the clustered data graphs are built for.
    private static float[] Vector(Random random)
    {
        var centres = new Random(7);
        int centre = random.Next(12);
        var vector = new float[Dimension];
        for (int c = 0; c <= centre; c++)
        {
            for (int j = 0; j < Dimension; j++)
            {
                vector[j] = (float)((centres.NextDouble() * 2) - 1);
            }
        }

        for (int j = 0; j < Dimension; j++)
        {
            vector[j] += (float)((random.NextDouble() - 0.5) * 0.6);
        }

        return vector;
    }
}
