// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Globalization;
using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Jobs;
using EmbeddingStore.Core.Migrations;
using EmbeddingStore.Core.Tests.TestSupport;
using EmbeddingStore.Core.Vectors;
using EmbeddingStore.Core.Versioning;

namespace EmbeddingStore.Core.Tests.Jobs;

public sealed class MigrationTests
{
    private const int Items = 2_500;
    private const int Dimension = 8;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Transform_RestartMidJob_ResumesCompletesCutsOverAndRollsBack()
    {
        var repository = new InMemoryRepository();
        string migrationId;
        string linkId;
        using (EmbeddingEngine engine = await CreateAsync(repository))
        {
            linkId = (await engine.DeclareIdentityLinkAsync("text@v1", "text@v2", Ct)).Value!.Value.Id;
            MigrationInfo created = (await engine.CreateMigrationAsync("docs", new MigrationRequest("text@v2", "transform"), Ct)).Value!;
            migrationId = created.Record.Id;
            Assert.Equal(MigrationState.Running, created.State);
            Assert.Equal(linkId, created.Record.LinkId);
            Assert.Equal(Items, created.Total);

            // One chunk, then the process "dies".
            Assert.True(await engine.Jobs.RunOneChunkAsync(Ct));
            MigrationInfo partway = engine.GetMigration("docs", migrationId).Value!;
            Assert.Equal(MigrationState.Running, partway.State);
            Assert.Equal(1_000, partway.Done);
            Assert.Equal(1_000, partway.DerivedTarget);
        }

        using (EmbeddingEngine restarted = new(repository))
        {
            await restarted.LoadAsync(Ct);
            MigrationInfo loaded = restarted.GetMigration("docs", migrationId).Value!;
            Assert.Equal(MigrationState.Running, loaded.State);
            Assert.Equal(1_000, loaded.Done);

            // Cut-over waits for completion.
            Assert.Equal(StoreErrorCode.MigrationStateConflict, (await restarted.CutOverMigrationAsync("docs", migrationId, Ct)).Error!.Code);

            await restarted.Jobs.RunUntilIdleAsync(Ct);
            MigrationInfo completed = restarted.GetMigration("docs", migrationId).Value!;
            Assert.Equal(MigrationState.Completed, completed.State);
            Assert.Equal(Items, completed.DerivedTarget);
            Assert.Equal(0, completed.NativeTarget);
            Assert.Equal(Items, restarted.GetCollection("docs").Value!.VectorCounts["text@v1"]);

            MigrationInfo cut = (await restarted.CutOverMigrationAsync("docs", migrationId, Ct)).Value!;
            Assert.Equal(MigrationState.CutOver, cut.State);
            Assert.Equal("text@v2", restarted.GetCollection("docs").Value!.ServingVersion);
        }

        // The cut-over was committed with the collection's serving version: a second restart still serves v2, and a
        // plain query (no version) is a v2 query answered natively by the derived vectors.
        using (EmbeddingEngine again = new(repository))
        {
            await again.LoadAsync(Ct);
            Assert.Equal("text@v2", again.GetCollection("docs").Value!.ServingVersion);
            float[] probe = again.GetItem("docs", Id(42), withVectors: true).Value!.Vectors!["text@v2"];
            SearchResult hits = (await again.SearchAsync("docs", new SearchQuery(probe, null, 1, Bridging: BridgingMode.None), Ct)).Value!;
            Assert.Equal(Id(42), hits.Hits[0].Id);
            Assert.Equal("text@v2", hits.Hits[0].Version);

            MigrationInfo rolledBack = (await again.RollbackMigrationAsync("docs", migrationId, Ct)).Value!;
            Assert.Equal(MigrationState.RolledBack, rolledBack.State);
            Assert.Equal("text@v1", again.GetCollection("docs").Value!.ServingVersion);
            Assert.Equal(Items, again.GetCollection("docs").Value!.VectorCounts["text@v1"]);
            Assert.Equal(Items, again.GetCollection("docs").Value!.VectorCounts["text@v2"]);

            // A rolled-back migration may be cut over again; a rollback of a rolled-back one changes nothing.
            Assert.Equal(MigrationState.RolledBack, (await again.RollbackMigrationAsync("docs", migrationId, Ct)).Value!.State);
            Assert.Equal(MigrationState.CutOver, (await again.CutOverMigrationAsync("docs", migrationId, Ct)).Value!.State);
        }
    }

    [Fact]
    public async Task PurgeMigration_AfterCutOver_DeletesOldVectorsOfConvertedItemsOnlyAndIsFinal()
    {
        var repository = new InMemoryRepository();
        string id;
        using (EmbeddingEngine engine = await CreateAsync(repository))
        {
            await engine.DeclareIdentityLinkAsync("text@v1", "text@v2", Ct);
            id = (await engine.CreateMigrationAsync("docs", new MigrationRequest("text@v2", "reembed", RefitEveryPercent: 0), Ct)).Value!.Record.Id;
            PendingPage page = engine.GetPendingItems("docs", id, null, 600).Value!;
            var random = new Random(3);
            await engine.AddMigrationVectorsAsync("docs", id, [.. page.Items.Take(600).Select(i => (i.Id, TestData.RandomVector(random, Dimension)))], Ct);
            Assert.Equal(StoreErrorCode.MigrationStateConflict, (await engine.PurgeMigrationAsync("docs", id, Ct)).Error!.Code);
            await engine.CutOverMigrationAsync("docs", id, Ct);

            MigrationInfo purged = (await engine.PurgeMigrationAsync("docs", id, Ct)).Value!;

            Assert.Equal(MigrationState.Purged, purged.State);
            CollectionInfo info = engine.GetCollection("docs").Value!;
            Assert.Equal((long)Items, info.ItemCount);
            Assert.Equal(Items - 600, info.VectorCounts["text@v1"]);
            Assert.Equal(600, info.VectorCounts["text@v2"]);
            Assert.Null(engine.GetItem("docs", page.Items[0].Id, withVectors: true).Value!.Vectors!.GetValueOrDefault("text@v1"));
            Assert.Equal(StoreErrorCode.MigrationStateConflict, (await engine.RollbackMigrationAsync("docs", id, Ct)).Error!.Code);
            Assert.Equal(MigrationState.Purged, (await engine.PurgeMigrationAsync("docs", id, Ct)).Value!.State);
        }

        using EmbeddingEngine restarted = new(repository);
        await restarted.LoadAsync(Ct);
        Assert.Equal(MigrationState.Purged, restarted.GetMigration("docs", id).Value!.State);
        Assert.Equal(Items - 600, restarted.GetCollection("docs").Value!.VectorCounts["text@v1"]);
        Assert.Equal("text@v2", restarted.GetCollection("docs").Value!.ServingVersion);
    }

    [Fact]
    public async Task RollbackMigration_AfterALaterMigrationCutOver_IsRefusedAndServingStays()
    {
        using EmbeddingEngine engine = await CreateAsync(new InMemoryRepository());
        Assert.True((await engine.RegisterModelVersionAsync("text", "v3", Dimension, DistanceMetric.CosineSimilarity, false, Ct)).IsSuccess);
        await engine.DeclareIdentityLinkAsync("text@v1", "text@v2", Ct);
        await engine.DeclareIdentityLinkAsync("text@v2", "text@v3", Ct);
        string first = (await engine.CreateMigrationAsync("docs", new MigrationRequest("text@v2", "bridge"), Ct)).Value!.Record.Id;
        await engine.CutOverMigrationAsync("docs", first, Ct);
        string second = (await engine.CreateMigrationAsync("docs", new MigrationRequest("text@v3", "bridge"), Ct)).Value!.Record.Id;
        await engine.CutOverMigrationAsync("docs", second, Ct);

        StoreError refused = (await engine.RollbackMigrationAsync("docs", first, Ct)).Error!;

        Assert.Equal(StoreErrorCode.MigrationStateConflict, refused.Code);
        Assert.Contains("serves text@v3 now", refused.Message, StringComparison.Ordinal);
        Assert.Equal("text@v3", engine.GetCollection("docs").Value!.ServingVersion);
        Assert.Equal(MigrationState.RolledBack, (await engine.RollbackMigrationAsync("docs", second, Ct)).Value!.State);
        Assert.Equal("text@v2", engine.GetCollection("docs").Value!.ServingVersion);
    }

    [Fact]
    public async Task CreateMigration_SecondWhileActive_IsRefusedUntilTheFirstIsCancelled()
    {
        using EmbeddingEngine engine = await CreateAsync(new InMemoryRepository());
        await engine.DeclareIdentityLinkAsync("text@v1", "text@v2", Ct);
        MigrationInfo first = (await engine.CreateMigrationAsync("docs", new MigrationRequest("text@v2", "transform", Start: false), Ct)).Value!;
        Assert.Equal(MigrationState.Planned, first.State);
        Assert.Null(first.Record.JobId);

        StoreError refused = (await engine.CreateMigrationAsync("docs", new MigrationRequest("text@v2", "bridge"), Ct)).Error!;
        Assert.Equal(StoreErrorCode.MigrationConflict, refused.Code);
        Assert.Contains(first.Record.Id, refused.Message, StringComparison.Ordinal);

        Assert.Equal(MigrationState.Cancelled, (await engine.CancelMigrationAsync("docs", first.Record.Id, Ct)).Value!.State);
        Assert.Empty(engine.Jobs.List());
        MigrationInfo second = (await engine.CreateMigrationAsync("docs", new MigrationRequest("text@v2", "bridge"), Ct)).Value!;
        Assert.Equal(MigrationState.Completed, second.State);
        Assert.Equal(2, engine.ListMigrations("docs").Value!.Count);
    }

    [Theory]
    [InlineData("text@v1", "transform", null, StoreErrorCode.InvalidArgument)]
    [InlineData("text@v9", "transform", null, StoreErrorCode.ModelVersionNotFound)]
    [InlineData("text@v2", "teleport", null, StoreErrorCode.InvalidArgument)]
    [InlineData("text@v2", "transform", null, StoreErrorCode.InvalidArgument)]
    [InlineData("text@v2", "bridge", "link-missing", StoreErrorCode.LinkNotFound)]
    public async Task CreateMigration_BadRequest_IsRefusedAndNothingIsStored(string to, string strategy, string? link, StoreErrorCode expected)
    {
        var repository = new InMemoryRepository();
        using EmbeddingEngine engine = await CreateAsync(repository);
        int writes = repository.Writes;

        StoreResult<MigrationInfo> result = await engine.CreateMigrationAsync("docs", new MigrationRequest(to, strategy, link), Ct);

        Assert.Equal(expected, result.Error!.Code);
        Assert.Equal(writes, repository.Writes);
        Assert.Empty(engine.ListMigrations("docs").Value!);
        Assert.Equal(StoreErrorCode.CollectionNotFound, (await engine.CreateMigrationAsync("nope", new MigrationRequest("text@v2", "reembed"), Ct)).Error!.Code);
    }

    [Fact]
    public async Task CreateMigration_LinkBetweenOtherVersions_NamesTheMapItNeeds()
    {
        using EmbeddingEngine engine = await CreateAsync(new InMemoryRepository());
        Assert.True((await engine.RegisterModelVersionAsync("text", "v3", Dimension, DistanceMetric.CosineSimilarity, false, Ct)).IsSuccess);
        string unrelated = (await engine.DeclareIdentityLinkAsync("text@v1", "text@v3", Ct)).Value!.Value.Id;

        StoreError refused = (await engine.CreateMigrationAsync("docs", new MigrationRequest("text@v2", "transform", unrelated), Ct)).Error!;

        Assert.Equal(StoreErrorCode.InvalidArgument, refused.Code);
        Assert.Contains("needs a map from text@v1 to text@v2", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reembed_PendingUploadsAndGates_TrackNativeVectorsAndKeepOldOnes()
    {
        using EmbeddingEngine engine = await CreateAsync(new InMemoryRepository());
        MigrationInfo created = (await engine.CreateMigrationAsync(
            "docs", new MigrationRequest("text@v2", "reembed", Gates: new MigrationGates(MinNativeFraction: 0.5), Order: "random", Seed: 3, RefitEveryPercent: 0), Ct)).Value!;
        string id = created.Record.Id;
        Assert.Null(created.Record.LinkId);
        Assert.Equal(MigrationState.Running, created.State);
        Assert.Equal((0L, (long)Items), (created.Done, created.Total));

        // Pages are disjoint and cover every pending item once, in the migration's (seeded) order.
        var seen = new List<string>();
        string? cursor = null;
        do
        {
            PendingPage page = engine.GetPendingItems("docs", id, cursor, 1_000).Value!;
            Assert.Equal(Items, page.Remaining);
            seen.AddRange(page.Items.Select(i => i.Id));
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        Assert.Equal(Items, seen.Count);
        Assert.Equal(Items, seen.Distinct().Count());
        Assert.NotEqual(seen.Order(StringComparer.Ordinal), seen);

        // Upload the first 1,000: they stop being pending, and their old vectors stay.
        var random = new Random(5);
        for (int first = 0; first < 1_000; first += 500)
        {
            var batch = seen.Skip(first).Take(500).Select(i => (i, TestData.RandomVector(random, Dimension))).ToList();
            Assert.Equal(500, (await engine.AddMigrationVectorsAsync("docs", id, batch, Ct)).Value);
        }

        MigrationInfo partway = engine.GetMigration("docs", id).Value!;
        Assert.Equal(1_000, partway.NativeTarget);
        Assert.Equal(0.4, partway.NativeFraction, 6);
        Assert.Equal(Items, engine.GetCollection("docs").Value!.VectorCounts["text@v1"]);
        PendingPage next = engine.GetPendingItems("docs", id, null, 10).Value!;
        Assert.Equal(Items - 1_000, next.Remaining);
        Assert.Equal(seen.Skip(1_000).Take(10), next.Items.Select(i => i.Id));

        StoreError gate = (await engine.CutOverMigrationAsync("docs", id, Ct)).Error!;
        Assert.Equal(StoreErrorCode.MigrationGateFailed, gate.Code);
        Assert.Contains("1000 of 2500", gate.Message, StringComparison.Ordinal);

        // Past the gate (but with no link, the rest of the collection is not reachable from v2 queries: the coverage
        // check of every search still says so).
        var more = seen.Skip(1_000).Take(300).Select(i => (i, TestData.RandomVector(random, Dimension))).ToList();
        await engine.AddMigrationVectorsAsync("docs", id, more[..150], Ct);
        await engine.AddMigrationVectorsAsync("docs", id, more[150..], Ct);
        MigrationInfo cut = (await engine.CutOverMigrationAsync("docs", id, Ct)).Value!;
        Assert.Equal(MigrationState.CutOver, cut.State);
        Assert.Equal(1_300, cut.NativeTarget);
        StoreError partial = (await engine.SearchAsync("docs", new SearchQuery(TestData.RandomVector(random, Dimension), null, 5), Ct)).Error!;
        Assert.Equal(StoreErrorCode.IncompatibleVersions, partial.Code);
    }

    [Fact]
    public async Task AddMigrationVectors_BadBatch_StoresNothing()
    {
        var repository = new InMemoryRepository();
        using EmbeddingEngine engine = await CreateAsync(repository);
        string id = (await engine.CreateMigrationAsync("docs", new MigrationRequest("text@v2", "reembed"), Ct)).Value!.Record.Id;
        int writes = repository.Writes;
        float[] good = TestData.RandomVector(new Random(1), Dimension);

        Assert.Equal(StoreErrorCode.ItemNotFound, (await engine.AddMigrationVectorsAsync("docs", id, [(Id(1), good), ("ghost", good)], Ct)).Error!.Code);
        Assert.Equal(StoreErrorCode.DuplicateId, (await engine.AddMigrationVectorsAsync("docs", id, [(Id(1), good), (Id(1), good)], Ct)).Error!.Code);
        Assert.Equal(StoreErrorCode.DimensionMismatch, (await engine.AddMigrationVectorsAsync("docs", id, [(Id(1), good), (Id(2), [1f, 2f])], Ct)).Error!.Code);
        Assert.Equal(StoreErrorCode.InvalidVector, (await engine.AddMigrationVectorsAsync("docs", id, [(Id(1), [.. good[..7], float.NaN])], Ct)).Error!.Code);
        Assert.Equal(StoreErrorCode.LimitExceeded, (await engine.AddMigrationVectorsAsync("docs", id, [], Ct)).Error!.Code);
        Assert.Equal(StoreErrorCode.MigrationNotFound, (await engine.AddMigrationVectorsAsync("docs", "mig-missing", [(Id(1), good)], Ct)).Error!.Code);

        Assert.Equal(writes, repository.Writes);
        Assert.Equal(0, engine.GetMigration("docs", id).Value!.NativeTarget);
    }

    [Fact]
    public async Task AddMigrationVectors_OverDerived_ReplacesLineageWithNative()
    {
        using EmbeddingEngine engine = await CreateAsync(new InMemoryRepository());
        string link = (await engine.DeclareIdentityLinkAsync("text@v1", "text@v2", Ct)).Value!.Value.Id;
        string transform = (await engine.CreateMigrationAsync("docs", new MigrationRequest("text@v2", "transform"), Ct)).Value!.Record.Id;
        await engine.Jobs.RunUntilIdleAsync(Ct);
        await engine.CancelMigrationAsync("docs", transform, Ct);
        Assert.Equal(StoreErrorCode.MigrationStateConflict, (await engine.CutOverMigrationAsync("docs", transform, Ct)).Error!.Code);

        string reembed = (await engine.CreateMigrationAsync("docs", new MigrationRequest("text@v2", "reembed", link), Ct)).Value!.Record.Id;
        Assert.Equal(Items, engine.GetMigration("docs", reembed).Value!.DerivedTarget);
        Assert.Equal("derived:" + link, engine.GetItem("docs", Id(7), withVectors: true).Value!.Lineage!["text@v2"]);

        float[] native = TestData.RandomVector(new Random(9), Dimension);
        await engine.AddMigrationVectorsAsync("docs", reembed, [(Id(7), native)], Ct);

        ItemView item = engine.GetItem("docs", Id(7), withVectors: true).Value!;
        Assert.Equal("native", item.Lineage!["text@v2"]);
        Assert.Equal(1f, VectorMath.Norm(item.Vectors!["text@v2"]), 5);
        MigrationInfo info = engine.GetMigration("docs", reembed).Value!;
        Assert.Equal((1L, (long)Items - 1), (info.NativeTarget, info.DerivedTarget));
    }

    [Fact]
    public async Task PauseMigration_Transform_HoldsTheJobUntilResumed()
    {
        using EmbeddingEngine engine = await CreateAsync(new InMemoryRepository());
        await engine.DeclareIdentityLinkAsync("text@v1", "text@v2", Ct);
        string id = (await engine.CreateMigrationAsync("docs", new MigrationRequest("text@v2", "transform"), Ct)).Value!.Record.Id;
        Assert.True(await engine.Jobs.RunOneChunkAsync(Ct));

        MigrationInfo paused = (await engine.PauseMigrationAsync("docs", id, Ct)).Value!;
        Assert.Equal(MigrationState.Paused, paused.State);
        Assert.Equal(JobState.Paused, paused.JobState);
        Assert.False(await engine.Jobs.RunOneChunkAsync(Ct));
        Assert.Equal(1_000, engine.GetMigration("docs", id).Value!.Done);

        Assert.Equal(MigrationState.Running, (await engine.ResumeMigrationAsync("docs", id, Ct)).Value!.State);
        await engine.Jobs.RunUntilIdleAsync(Ct);
        Assert.Equal(MigrationState.Completed, engine.GetMigration("docs", id).Value!.State);
        Assert.Equal(StoreErrorCode.MigrationStateConflict, (await engine.PauseMigrationAsync("docs", id, Ct)).Error!.Code);
        Assert.Equal(StoreErrorCode.MigrationStateConflict, (await engine.RollbackMigrationAsync("docs", id, Ct)).Error!.Code);
    }

    [Fact]
    public async Task CutOverMigration_LinkBelowRecallGate_IsRefusedWithTheMeasuredFigure()
    {
        using EmbeddingEngine engine = await CreateAsync(new InMemoryRepository());
        string link = await FitLinkAsync(engine, "text@v2", "text@v1", 400, "ridge");
        double recall = engine.GetLink(link).Value!.Quality!.RecallAt10;
        Assert.True(recall < 1);
        string id = (await engine.CreateMigrationAsync(
            "docs", new MigrationRequest("text@v2", "bridge", Gates: new MigrationGates(MinRecallAt10: Math.Min(1, recall + 0.01))), Ct)).Value!.Record.Id;

        StoreError refused = (await engine.CutOverMigrationAsync("docs", id, Ct)).Error!;

        Assert.Equal(StoreErrorCode.MigrationGateFailed, refused.Code);
        Assert.Contains(recall.ToString("0.####", CultureInfo.InvariantCulture), refused.Message, StringComparison.Ordinal);
        Assert.Equal("text@v1", engine.GetCollection("docs").Value!.ServingVersion);
    }

    [Fact]
    public async Task RefitMigrationLink_AfterUploads_FitsOnNativePairsOnlyAndRecordsHistory()
    {
        using EmbeddingEngine engine = await CreateAsync(new InMemoryRepository());
        string identity = (await engine.DeclareIdentityLinkAsync("text@v1", "text@v2", Ct)).Value!.Value.Id;
        string transform = (await engine.CreateMigrationAsync("docs", new MigrationRequest("text@v2", "transform"), Ct)).Value!.Record.Id;
        await engine.Jobs.RunUntilIdleAsync(Ct);
        await engine.CancelMigrationAsync("docs", transform, Ct);
        string id = (await engine.CreateMigrationAsync("docs", new MigrationRequest("text@v2", "reembed", identity, RefitEveryPercent: 0), Ct)).Value!.Record.Id;
        var random = new Random(11);
        PendingPage page = engine.GetPendingItems("docs", id, null, 300).Value!;
        await engine.AddMigrationVectorsAsync("docs", id, [.. page.Items.Select(i => (i.Id, TestData.RandomVector(random, Dimension)))], Ct);

        MigrationInfo refitted = (await engine.RefitMigrationLinkAsync("docs", id, "ridge", Ct)).Value!;

        // 300 native pairs, not the 2,500 that hold a v2 vector: derived vectors are never training pairs.
        Assert.Equal(2, refitted.Record.History.Count);
        Assert.Equal(identity, refitted.Record.History[0].LinkId);
        Assert.NotEqual(identity, refitted.Record.LinkId);
        Assert.Equal(300, refitted.Record.History[1].Pairs);
        Assert.Equal(300, engine.GetLink(refitted.Record.LinkId!).Value!.Fit!.Pairs);
        Assert.Equal(0.12, refitted.Record.History[1].NativeFraction, 6);
    }

    [Fact]
    public async Task AddMigrationVectors_CrossingARefitStep_RefitsTheLinkOnNativePairs()
    {
        var repository = new InMemoryRepository();
        using EmbeddingEngine engine = await CreateAsync(repository);
        string id = (await engine.CreateMigrationAsync("docs", new MigrationRequest("text@v2", "reembed", Order: "id", RefitEveryPercent: 10), Ct)).Value!.Record.Id;
        var random = new Random(13);
        async Task UploadAsync(int count)
        {
            PendingPage page = engine.GetPendingItems("docs", id, null, count).Value!;
            Assert.Equal(count, (await engine.AddMigrationVectorsAsync("docs", id, [.. page.Items.Select(i => (i.Id, TestData.RandomVector(random, Dimension)))], Ct)).Value);
        }

        await UploadAsync(200);
        Assert.Empty(engine.GetMigration("docs", id).Value!.Record.History);

        // 300 of 2,500 (12 %) crosses the 10 % step: a scaled Procrustes link v1 -> v2 (its inverse serves the v2 queries)
        // fitted on the 300 native pairs is adopted.
        await UploadAsync(100);
        MigrationRecord refitted = engine.GetMigration("docs", id).Value!.Record;
        LinkQualityPoint point = Assert.Single(refitted.History);
        Assert.Equal(refitted.LinkId, point.LinkId);
        Assert.Equal(300, point.Pairs);
        Assert.Equal(0.12, point.NativeFraction, 6);
        HarmonicLink adopted = engine.GetLink(point.LinkId).Value!;
        Assert.Equal(("text@v1", "text@v2", BridgeKind.ScaledProcrustes), (adopted.From.ToString(), adopted.To.ToString(), adopted.Kind));
        Assert.NotNull(adopted.Reverse);

        // 16 % stays within the step; 20 % crosses the next one. The history survives a restart.
        await UploadAsync(100);
        Assert.Single(engine.GetMigration("docs", id).Value!.Record.History);
        await UploadAsync(100);
        Assert.Equal([300, 500], engine.GetMigration("docs", id).Value!.Record.History.Select(h => h.Pairs ?? 0));

        using EmbeddingEngine restarted = new(repository);
        await restarted.LoadAsync(Ct);
        Assert.Equal([300, 500], restarted.GetMigration("docs", id).Value!.Record.History.Select(h => h.Pairs ?? 0));
        Assert.Equal(10, restarted.GetMigration("docs", id).Value!.Record.RefitEveryPercent);
    }

    [Fact]
    public async Task GetPendingItems_NotReembedOrPaused_IsAStateConflict()
    {
        using EmbeddingEngine engine = await CreateAsync(new InMemoryRepository());
        string id = (await engine.CreateMigrationAsync("docs", new MigrationRequest("text@v2", "reembed"), Ct)).Value!.Record.Id;
        await engine.PauseMigrationAsync("docs", id, Ct);

        Assert.Equal(StoreErrorCode.MigrationStateConflict, engine.GetPendingItems("docs", id, null, 10).Error!.Code);
        Assert.Equal(StoreErrorCode.InvalidArgument, engine.GetPendingItems("docs", id, null, 0).Error!.Code);
        await engine.ResumeMigrationAsync("docs", id, Ct);
        Assert.Equal(StoreErrorCode.InvalidArgument, engine.GetPendingItems("docs", id, "x", 10).Error!.Code);
        Assert.Equal(10, engine.GetPendingItems("docs", id, null, 10).Value!.Items.Count);
    }

    [Fact]
    public async Task DeleteCollection_WithMigrations_ForgetsThem()
    {
        var repository = new InMemoryRepository();
        using (EmbeddingEngine engine = await CreateAsync(repository))
        {
            string id = (await engine.CreateMigrationAsync("docs", new MigrationRequest("text@v2", "reembed"), Ct)).Value!.Record.Id;
            Assert.True((await engine.DeleteCollectionAsync("docs", Ct)).IsSuccess);
            await engine.PutCollectionAsync("docs", "text@v1", Ct);
            Assert.Equal(StoreErrorCode.MigrationNotFound, engine.GetMigration("docs", id).Error!.Code);
            Assert.Empty(engine.ListMigrations("docs").Value!);
        }

        using EmbeddingEngine restarted = new(repository);
        await restarted.LoadAsync(Ct);
        Assert.Empty(restarted.ListMigrations("docs").Value!);
    }

    private static async Task<string> FitLinkAsync(EmbeddingEngine engine, string from, string to, int pairs, string kind)
    {
        var random = new Random(23);
        var a = new List<float[]>();
        var b = new List<float[]>();
        for (int i = 0; i < pairs; i++)
        {
            float[] x = TestData.RandomVector(random, Dimension);
            float[] y = [.. x.Select((v, j) => v + (0.3f * (float)random.NextDouble()) + (j % 2 == 0 ? 0.1f : -0.1f))];
            a.Add(x);
            b.Add(y);
        }

        StoreResult<Outcome<Core.Versioning.HarmonicLink>> fitted = await engine.FitLinkAsync(new LinkFitRequest(from, to, kind, FromVectors: a, ToVectors: b), Ct);
        Assert.True(fitted.IsSuccess, fitted.Error?.Message);
        return fitted.Value!.Value.Id;
    }

    private static async Task<EmbeddingEngine> CreateAsync(InMemoryRepository repository)
    {
        EmbeddingEngine engine = await EngineFactory.CreateWithCollectionAsync("text@v1", Dimension, DistanceMetric.CosineSimilarity, repository: repository, cancellationToken: Ct);
        Assert.True((await engine.RegisterModelVersionAsync("text", "v2", Dimension, DistanceMetric.CosineSimilarity, false, Ct)).IsSuccess);
        var random = new Random(17);
        for (int first = 0; first < Items; first += 1_000)
        {
            int n = Math.Min(1_000, Items - first);
            Assert.True((await engine.UpsertItemsAsync("docs", [.. Enumerable.Range(first, n).Select(i => EngineFactory.Item(Id(i), "text@v1", TestData.RandomVector(random, Dimension)))], Ct)).IsSuccess);
        }

        return engine;
    }

    private static string Id(int i) => "i" + i.ToString("D5", CultureInfo.InvariantCulture);
}
