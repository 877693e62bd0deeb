// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Globalization;
using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Jobs;
using EmbeddingStore.Core.Tests.TestSupport;
using EmbeddingStore.Core.Vectors;

namespace EmbeddingStore.Core.Tests.Jobs;

public sealed class DeriveJobTests
{
    private const int Items = 2_500;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Derive_RestartAfterOneChunk_ResumesFromStoredCursorAndDerivesEachItemOnce()
    {
        var repository = new InMemoryRepository();
        string linkId;
        string jobId;
        using (EmbeddingEngine engine = await CreateAsync(repository))
        {
            linkId = (await engine.DeclareIdentityLinkAsync("text@v1", "text@v2", Ct)).Value!.Value.Id;
            JobRecord queued = (await engine.StartDeriveAsync(linkId, "docs", reverse: false, Ct)).Value!;
            jobId = queued.Id;
            Assert.Equal(JobState.Queued, queued.State);
            Assert.Equal(Items, queued.Total);

            // One chunk, then the process "dies": the job's stored state says exactly what was committed.
            Assert.True(await engine.Jobs.RunOneChunkAsync(Ct));
            JobRecord partway = engine.Jobs.Get(jobId).Value!;
            Assert.Equal(JobState.Running, partway.State);
            Assert.Equal(1_000, partway.Counters!["derived"]);
            Assert.Equal(1_000, engine.GetCollection("docs").Value!.VectorCounts["text@v2"]);
        }

        using (EmbeddingEngine restarted = new(repository))
        {
            await restarted.LoadAsync(Ct);
            JobRecord loaded = restarted.Jobs.Get(jobId).Value!;
            Assert.Equal(JobState.Running, loaded.State);
            Assert.Equal(1_000, loaded.Done);
            int writesBefore = repository.Writes;

            await restarted.Jobs.RunUntilIdleAsync(Ct);
            JobRecord done = restarted.Jobs.Get(jobId).Value!;
            Assert.Equal(JobState.Completed, done.State);
            Assert.Equal(Items, done.Counters!["derived"]);
            Assert.Equal(Items, done.Done);
            Assert.Equal(done.Done, done.Total);

            // Two more chunks (1,000 and 500 vectors), each one transaction with its cursor: nothing was walked twice.
            Assert.Equal(2, repository.Writes - writesBefore);
            Assert.Equal(Items, restarted.GetCollection("docs").Value!.VectorCounts["text@v2"]);
            Assert.Equal("derived:" + linkId, restarted.GetItem("docs", Id(1_999), withVectors: true).Value!.Lineage!["text@v2"]);
        }
    }

    [Fact]
    public async Task Derive_CancelledBeforeItRuns_DerivesNothingAndStaysCancelled()
    {
        using EmbeddingEngine engine = await CreateAsync(new InMemoryRepository());
        string linkId = (await engine.DeclareIdentityLinkAsync("text@v1", "text@v2", Ct)).Value!.Value.Id;
        JobRecord job = (await engine.StartDeriveAsync(linkId, "docs", reverse: false, Ct)).Value!;

        Assert.Equal(JobState.Cancelled, (await engine.Jobs.CancelAsync(job.Id, Ct)).Value!.State);
        await engine.Jobs.RunUntilIdleAsync(Ct);

        Assert.Equal(JobState.Cancelled, engine.Jobs.Get(job.Id).Value!.State);
        Assert.False(engine.GetCollection("docs").Value!.VectorCounts.ContainsKey("text@v2"));
        Assert.Equal(StoreErrorCode.JobStateConflict, (await engine.Jobs.ResumeAsync(job.Id, Ct)).Error!.Code);
    }

    [Fact]
    public async Task Derive_PausedThenResumed_ContinuesWhereItStopped()
    {
        using EmbeddingEngine engine = await CreateAsync(new InMemoryRepository());
        string linkId = (await engine.DeclareIdentityLinkAsync("text@v1", "text@v2", Ct)).Value!.Value.Id;
        JobRecord job = (await engine.StartDeriveAsync(linkId, "docs", reverse: false, Ct)).Value!;
        Assert.True(await engine.Jobs.RunOneChunkAsync(Ct));

        Assert.Equal(JobState.Paused, (await engine.Jobs.PauseAsync(job.Id, Ct)).Value!.State);
        Assert.False(await engine.Jobs.RunOneChunkAsync(Ct));
        Assert.Equal(1_000, engine.GetCollection("docs").Value!.VectorCounts["text@v2"]);

        Assert.Equal(JobState.Queued, (await engine.Jobs.ResumeAsync(job.Id, Ct)).Value!.State);
        await engine.Jobs.RunUntilIdleAsync(Ct);
        Assert.Equal(JobState.Completed, engine.Jobs.Get(job.Id).Value!.State);
        Assert.Equal(Items, engine.GetCollection("docs").Value!.VectorCounts["text@v2"]);
    }

    [Fact]
    public async Task Derive_LinkDeletedWhileQueued_FailsWithReason()
    {
        using EmbeddingEngine engine = await CreateAsync(new InMemoryRepository());
        string linkId = (await engine.DeclareIdentityLinkAsync("text@v1", "text@v2", Ct)).Value!.Value.Id;
        JobRecord job = (await engine.StartDeriveAsync(linkId, "docs", reverse: false, Ct)).Value!;
        Assert.True((await engine.DeleteLinkAsync(linkId, Ct)).IsSuccess);

        await engine.Jobs.RunUntilIdleAsync(Ct);
        JobRecord failed = engine.Jobs.Get(job.Id).Value!;
        Assert.Equal(JobState.Failed, failed.State);
        Assert.Contains(linkId, failed.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartDerive_UnknownLinkOrCollection_IsRefusedAndNoJobIsCreated()
    {
        using EmbeddingEngine engine = await CreateAsync(new InMemoryRepository());
        string linkId = (await engine.DeclareIdentityLinkAsync("text@v1", "text@v2", Ct)).Value!.Value.Id;
        Assert.Equal(StoreErrorCode.LinkNotFound, (await engine.StartDeriveAsync("lnk-missing", "docs", false, Ct)).Error!.Code);
        Assert.Equal(StoreErrorCode.CollectionNotFound, (await engine.StartDeriveAsync(linkId, "nope", false, Ct)).Error!.Code);
        Assert.Empty(engine.Jobs.List());
        Assert.Equal(StoreErrorCode.JobNotFound, engine.Jobs.Get("job-missing").Error!.Code);
    }

    private static string Id(int i) => "i" + i.ToString("D5", CultureInfo.InvariantCulture);

    private static async Task<EmbeddingEngine> CreateAsync(InMemoryRepository repository)
    {
        EmbeddingEngine engine = await EngineFactory.CreateWithCollectionAsync("text@v1", 8, DistanceMetric.CosineSimilarity, repository: repository, cancellationToken: Ct);
        Assert.True((await engine.RegisterModelVersionAsync("text", "v2", 8, DistanceMetric.CosineSimilarity, false, Ct)).IsSuccess);
        var random = new Random(17);
        for (int first = 0; first < Items; first += 1_000)
        {
            int n = Math.Min(1_000, Items - first);
            Assert.True((await engine.UpsertItemsAsync("docs", [.. Enumerable.Range(first, n).Select(i => EngineFactory.Item(Id(i), "text@v1", TestData.RandomVector(random, 8)))], Ct)).IsSuccess);
        }

        return engine;
    }
}
