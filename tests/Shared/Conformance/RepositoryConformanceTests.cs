// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Filters;
using EmbeddingStore.Core.Indexes;
using EmbeddingStore.Core.Jobs;
using EmbeddingStore.Core.Persistence;
using EmbeddingStore.Core.Vectors;
using EmbeddingStore.Core.Versioning;

namespace EmbeddingStore.Tests.Shared.Conformance;

// What every IEmbeddingRepository must do, whatever holds the data: the SQLite file and the in-memory test repository
// both derive this suite and add only a fixture. "Reopen" is how each shows what survives: the SQLite fixture opens the
// file again, the in-memory one hands back the same store.
public abstract class RepositoryConformanceTests : IDisposable
{
    private static readonly ModelVersion s_v1 = new(ModelVersionId.Create("text", "v1"), 3, DistanceMetric.CosineSimilarity, false, DateTimeOffset.UnixEpoch);
    private static readonly ModelVersion s_v2 = new(ModelVersionId.Create("text", "v2"), 2, DistanceMetric.DotProduct, true, DateTimeOffset.UnixEpoch.AddDays(1));

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    // A fresh, empty repository.
    protected abstract IEmbeddingRepository Create();

    // The same store as a restarted server would see it.
    protected abstract IEmbeddingRepository Reopen(IEmbeddingRepository repository);

    public virtual void Dispose() => GC.SuppressFinalize(this);

    [Fact]
    public async Task SaveAndRead_VersionsCollectionsItems_RoundTripExactly()
    {
        IEmbeddingRepository repository = await SeedAsync(Create());
        await repository.UpsertItemsAsync("docs", [
            new StoredItem("a", """{"lang":"en"}""", [new StoredVector(s_v1.Id, [0.6f, 0.8f, 0f]), new StoredVector(s_v2.Id, [1f, 0f], VectorOrigin.Derived, "lnk-1")]),
            new StoredItem("b", null, [new StoredVector(s_v1.Id, [0f, 0f, 1f])]),
        ], Ct);

        repository = Reopen(repository);
        Assert.Equal(["text@v1", "text@v2"], (await ToListAsync(repository.ReadModelVersionsAsync(Ct))).Select(v => v.Id.ToString()).Order(StringComparer.Ordinal));
        CollectionRecord docs = Assert.Single(await ToListAsync(repository.ReadCollectionsAsync(Ct)));
        Assert.Equal(("docs", s_v1.Id, IndexKind.Int8), (docs.Name, docs.ServingVersion, docs.DefaultIndex));

        List<StoredItem> items = [.. (await ReadAllItemsAsync(repository.ReadItemsAsync("docs", Ct))).OrderBy(i => i.Id, StringComparer.Ordinal)];
        Assert.Equal(["a", "b"], items.Select(i => i.Id));
        Assert.Equal("""{"lang":"en"}""", items[0].PayloadJson);
        Assert.Null(items[1].PayloadJson);
        StoredVector derived = items[0].Vectors.Single(v => v.Version == s_v2.Id);
        Assert.Equal((VectorOrigin.Derived, "lnk-1"), (derived.Origin, derived.LinkId));
        Assert.Equal([0.6f, 0.8f, 0f], items[0].Vectors.Single(v => v.Version == s_v1.Id).Values);
    }

    [Fact]
    public async Task SaveCollection_DefaultIndexOfAnyRegisteredKind_RoundTrips()
    {
        IEmbeddingRepository repository = await SeedAsync(Create());
        await repository.SaveCollectionAsync(new CollectionRecord("graph", s_v1.Id, DateTimeOffset.UnixEpoch, IndexKind.Hnsw), Ct);
        await repository.SaveCollectionAsync(new CollectionRecord("docs", s_v1.Id, DateTimeOffset.UnixEpoch, IndexKind.Exact), Ct);

        var byName = (await ToListAsync(Reopen(repository).ReadCollectionsAsync(Ct))).ToDictionary(c => c.Name, c => c.DefaultIndex, StringComparer.Ordinal);
        Assert.Equal(IndexKind.Hnsw, byName["graph"]);
        Assert.Equal(IndexKind.Exact, byName["docs"]);
    }

    [Fact]
    public async Task SaveCollection_IndexSettings_RoundTripAndChange()
    {
        IEmbeddingRepository repository = await SeedAsync(Create());
        await repository.SaveCollectionAsync(new CollectionRecord("all", s_v1.Id, DateTimeOffset.UnixEpoch, IndexKind.Hnsw, new IndexSettings(32, 300, 2, true)), Ct);
        await repository.SaveCollectionAsync(new CollectionRecord("flag", s_v1.Id, DateTimeOffset.UnixEpoch, IndexKind.Hnsw, new IndexSettings(KeepPrunedConnections: false)), Ct);
        await repository.SaveCollectionAsync(new CollectionRecord("some", s_v1.Id, DateTimeOffset.UnixEpoch, IndexKind.Hnsw, new IndexSettings(M: 8)), Ct);
        await repository.SaveCollectionAsync(new CollectionRecord("none", s_v1.Id, DateTimeOffset.UnixEpoch, IndexKind.Exact), Ct);
        await repository.SaveCollectionAsync(new CollectionRecord("changed", s_v1.Id, DateTimeOffset.UnixEpoch, IndexKind.Hnsw, new IndexSettings(M: 8)), Ct);
        await repository.SaveCollectionAsync(new CollectionRecord("changed", s_v1.Id, DateTimeOffset.UnixEpoch, IndexKind.Hnsw, new IndexSettings(EfConstruction: 64)), Ct);

        var byName = (await ToListAsync(Reopen(repository).ReadCollectionsAsync(Ct))).ToDictionary(c => c.Name, c => c.IndexSettings ?? IndexSettings.Default, StringComparer.Ordinal);
        Assert.Equal(new IndexSettings(32, 300, 2, true), byName["all"]);
        Assert.Equal(new IndexSettings(KeepPrunedConnections: false), byName["flag"]);
        Assert.Equal(new IndexSettings(M: 8), byName["some"]);
        Assert.Equal(IndexSettings.Default, byName["none"]);
        Assert.Equal(new IndexSettings(EfConstruction: 64), byName["changed"]);
    }

    [Fact]
    public async Task UpsertItems_Again_ReplacesPayloadAndAllVectors()
    {
        IEmbeddingRepository repository = await SeedAsync(Create());
        await repository.UpsertItemsAsync("docs", [new StoredItem("a", """{"v":1}""", [new StoredVector(s_v1.Id, [1f, 0f, 0f]), new StoredVector(s_v2.Id, [0f, 1f])])], Ct);
        await repository.UpsertItemsAsync("docs", [new StoredItem("a", """{"v":2}""", [new StoredVector(s_v1.Id, [0f, 1f, 0f])])], Ct);

        StoredItem item = Assert.Single(await ReadAllItemsAsync(Reopen(repository).ReadItemsAsync("docs", Ct)));
        Assert.Equal("""{"v":2}""", item.PayloadJson);
        Assert.Equal([s_v1.Id], item.Vectors.Select(v => v.Version));
        Assert.Equal([0f, 1f, 0f], item.Vectors[0].Values);
    }

    [Fact]
    public async Task DeleteItems_MissingIdsIgnored_OthersGone()
    {
        IEmbeddingRepository repository = await SeedAsync(Create());
        await repository.UpsertItemsAsync("docs", [new StoredItem("a", null, [new StoredVector(s_v1.Id, [1f, 0f, 0f])]), new StoredItem("b", null, [new StoredVector(s_v1.Id, [0f, 1f, 0f])])], Ct);
        await repository.DeleteItemsAsync("docs", ["a", "never-there"], Ct);

        Assert.Equal(["b"], (await ReadAllItemsAsync(Reopen(repository).ReadItemsAsync("docs", Ct))).Select(i => i.Id));
    }

    [Fact]
    public async Task AddVectors_WithProgress_StoresVectorsAndJobTogetherAndSkipsMissingItems()
    {
        IEmbeddingRepository repository = await SeedAsync(Create());
        await repository.UpsertItemsAsync("docs", [new StoredItem("a", """{"k":1}""", [new StoredVector(s_v1.Id, [1f, 0f, 0f])])], Ct);
        JobRecord job = NewJob() with { State = JobState.Running, Cursor = "a", Done = 1, Counters = new Dictionary<string, long> { ["derived"] = 1 } };
        await repository.AddVectorsAsync("docs", [("a", new StoredVector(s_v2.Id, [0f, 1f], VectorOrigin.Derived, "lnk-9")), ("gone", new StoredVector(s_v2.Id, [1f, 0f], VectorOrigin.Derived, "lnk-9"))], job, Ct);

        repository = Reopen(repository);
        StoredItem item = Assert.Single(await ReadAllItemsAsync(repository.ReadItemsAsync("docs", Ct)));
        Assert.Equal("""{"k":1}""", item.PayloadJson);
        Assert.Equal(["text@v1", "text@v2"], item.Vectors.Select(v => v.Version.ToString()).Order(StringComparer.Ordinal));
        JobRecord stored = Assert.Single(await ToListAsync(repository.ReadJobsAsync(Ct)));
        Assert.Equal((JobState.Running, "a", 1L, 1L), (stored.State, stored.Cursor, stored.Done, stored.Counters!["derived"]));
    }

    [Fact]
    public async Task SaveJob_Twice_KeepsOneJobWithTheLatestState()
    {
        IEmbeddingRepository repository = Create();
        JobRecord job = NewJob();
        await repository.SaveJobAsync(job, Ct);
        await repository.SaveJobAsync(job with { State = JobState.Failed, Error = "no link", UpdatedAt = job.UpdatedAt.AddMinutes(1) }, Ct);

        JobRecord stored = Assert.Single(await ToListAsync(Reopen(repository).ReadJobsAsync(Ct)));
        Assert.Equal((job.Id, JobState.Failed, "no link", "derive", "docs"), (stored.Id, stored.State, stored.Error, stored.Kind, stored.Collection));
        Assert.Equal(job.CreatedAt, stored.CreatedAt);
        Assert.Equal(job.Parameters, stored.Parameters);
    }

    [Fact]
    public async Task Links_SaveAndDelete_RoundTrip()
    {
        IEmbeddingRepository repository = await SeedAsync(Create());
        var link = new StoredLink("lnk-1", s_v1.Id, s_v2.Id, "ridge", [1, 2, 3], null, """{"q":1}""", null, DateTimeOffset.UnixEpoch);
        await repository.SaveLinkAsync(link, Ct);
        await repository.SaveLinkAsync(link with { Id = "lnk-2" }, Ct);
        await repository.DeleteLinkAsync("lnk-1", Ct);

        StoredLink stored = Assert.Single(await ToListAsync(Reopen(repository).ReadLinksAsync(Ct)));
        Assert.Equal(("lnk-2", "ridge", """{"q":1}"""), (stored.Id, stored.Kind, stored.QualityJson));
        Assert.Equal([1, 2, 3], stored.Bridge);
    }

    [Fact]
    public async Task DeleteCollection_RemovesItsItems()
    {
        IEmbeddingRepository repository = await SeedAsync(Create());
        await repository.UpsertItemsAsync("docs", [new StoredItem("a", null, [new StoredVector(s_v1.Id, [1f, 0f, 0f])])], Ct);
        await repository.DeleteCollectionAsync("docs", Ct);

        repository = Reopen(repository);
        Assert.Empty(await ToListAsync(repository.ReadCollectionsAsync(Ct)));
        await repository.SaveCollectionAsync(new CollectionRecord("docs", s_v1.Id, DateTimeOffset.UnixEpoch, IndexKind.Exact), Ct);
        Assert.Empty(await ReadAllItemsAsync(repository.ReadItemsAsync("docs", Ct)));
    }

    private static JobRecord NewJob() => new(
        "job-1", JobKinds.Derive, "docs", JobState.Queued, """{"link":"lnk-9","reverse":false}""", null, 0, 5, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);

    [Fact]
    public async Task SaveAlias_SwitchDeleteAndCollectionDelete_RoundTrip()
    {
        IEmbeddingRepository repository = await SeedAsync(Create());
        await repository.SaveCollectionAsync(new CollectionRecord("docs-v2", s_v2.Id, DateTimeOffset.UnixEpoch, IndexKind.Exact), Ct);
        await repository.SaveAliasAsync(new CollectionAlias("live", "docs", DateTimeOffset.UnixEpoch), Ct);
        await repository.SaveAliasAsync(new CollectionAlias("old", "docs", DateTimeOffset.UnixEpoch), Ct);
        await repository.SaveAliasAsync(new CollectionAlias("live", "docs-v2", DateTimeOffset.UnixEpoch.AddHours(1)), Ct);

        repository = Reopen(repository);
        Assert.Equal(
            [new CollectionAlias("live", "docs-v2", DateTimeOffset.UnixEpoch.AddHours(1)), new CollectionAlias("old", "docs", DateTimeOffset.UnixEpoch)],
            await ToListAsync(repository.ReadAliasesAsync(Ct)));

        await repository.DeleteAliasAsync("old", Ct);
        await repository.DeleteCollectionAsync("docs-v2", Ct);
        Assert.Empty(await ToListAsync(Reopen(repository).ReadAliasesAsync(Ct)));
    }

    [Fact]
    public async Task SavePayloadIndex_WithJobReplaceDeleteAndCollectionDelete_RoundTrip()
    {
        IEmbeddingRepository repository = await SeedAsync(Create());
        await repository.SaveCollectionAsync(new CollectionRecord("docs-v2", s_v2.Id, DateTimeOffset.UnixEpoch, IndexKind.Exact), Ct);
        var job = new JobRecord(
            "job-7", JobKinds.PayloadIndex, "docs", JobState.Queued, """{"field":"meta.src"}""", null, 0, 5, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);
        var building = new StoredPayloadIndex("docs", "meta.src", PayloadIndexType.Keyword, PayloadIndexState.Building, "job-7", DateTimeOffset.UnixEpoch);
        var ready = new StoredPayloadIndex("docs", "n", PayloadIndexType.Integer, PayloadIndexState.Ready, null, DateTimeOffset.UnixEpoch);
        var other = new StoredPayloadIndex("docs-v2", "flag", PayloadIndexType.Bool, PayloadIndexState.Ready, null, DateTimeOffset.UnixEpoch);
        await repository.SavePayloadIndexAsync(building, job, Ct);
        await repository.SavePayloadIndexAsync(ready, null, Ct);
        await repository.SavePayloadIndexAsync(other, null, Ct);

        repository = Reopen(repository);
        Assert.Equal([building, ready, other], await ToListAsync(repository.ReadPayloadIndexesAsync(Ct)));
        Assert.Contains(await ToListAsync(repository.ReadJobsAsync(Ct)), j => j.Id == "job-7" && j.Kind == JobKinds.PayloadIndex);

        // Ready together with the job's completion; then a replacement of another type; then deletes.
        await repository.SavePayloadIndexAsync(building with { State = PayloadIndexState.Ready }, job with { State = JobState.Completed }, Ct);
        await repository.SavePayloadIndexAsync(building with { Type = PayloadIndexType.Float, State = PayloadIndexState.Ready }, null, Ct);
        repository = Reopen(repository);
        Assert.Equal(JobState.Completed, (await ToListAsync(repository.ReadJobsAsync(Ct))).Single(j => j.Id == "job-7").State);
        Assert.Equal(PayloadIndexType.Float, (await ToListAsync(repository.ReadPayloadIndexesAsync(Ct))).Single(i => i.Field == "meta.src").Type);

        await repository.DeletePayloadIndexAsync("docs", "n", Ct);
        await repository.DeleteCollectionAsync("docs-v2", Ct);
        Assert.Equal(["meta.src"], (await ToListAsync(Reopen(repository).ReadPayloadIndexesAsync(Ct))).Select(i => i.Field));
    }

    private static async Task<IEmbeddingRepository> SeedAsync(IEmbeddingRepository repository)
    {
        await repository.SaveModelVersionAsync(s_v1, Ct);
        await repository.SaveModelVersionAsync(s_v2, Ct);
        await repository.SaveCollectionAsync(new CollectionRecord("docs", s_v1.Id, DateTimeOffset.UnixEpoch, IndexKind.Int8), Ct);
        return repository;
    }

    // Items as the interface hands them out are valid only until the enumeration moves on (implementations may reuse
    // their vector buffers), so each is copied before the next is read.
    private static async Task<List<StoredItem>> ReadAllItemsAsync(IAsyncEnumerable<StoredItem> source)
    {
        var list = new List<StoredItem>();
        await foreach (StoredItem item in source)
        {
            list.Add(item with { Vectors = [.. item.Vectors.Select(v => v with { Values = [.. v.Values] })] });
        }

        return list;
    }

    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> source)
    {
        var list = new List<T>();
        await foreach (T item in source)
        {
            list.Add(item);
        }

        return list;
    }
}
