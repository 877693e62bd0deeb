// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Net;
using EmbeddingStore.Client.Tests.TestSupport;
using EmbeddingStore.Contracts;

namespace EmbeddingStore.Client.Tests;

// The SDK's operator calls (aliases, jobs, backup, verify) against a real server process on 127.0.0.1.
public sealed class OperatorCallsTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Aliases_PutSwitchGetListDelete_RoundTrip()
    {
        using EmbeddingStoreClient client = server.CreateClient();
        await SeedAsync(client, "alias-a", "alias-b");

        AliasResponse created = await client.PutAliasAsync("alias-live", "alias-a", Ct);
        Assert.Equal("alias-a", created.Collection);
        Assert.Equal(1, (await client.CountAsync("alias-live", cancellationToken: Ct)).Count);
        AliasResponse switched = await client.PutAliasAsync("alias-live", "alias-b", Ct);
        Assert.Equal("alias-b", (await client.GetAliasAsync("alias-live", Ct)).Collection);
        Assert.Contains(switched, (await client.ListAliasesAsync(Ct)).Aliases);
        SearchResponse hits = await client.SearchAsync("alias-live", new SearchRequest { Vector = [1f, 0f], K = 5 }, Ct);
        Assert.Equal(["alias-b-item"], hits.Hits.Select(h => h.Id));

        var conflict = await Assert.ThrowsAsync<EmbeddingStoreConflictException>(() => client.PutAliasAsync("alias-a", "alias-b", Ct));
        Assert.Equal(ProblemTypes.NameConflict, conflict.ProblemType);
        await client.DeleteAliasAsync("alias-live", Ct);
        var missing = await Assert.ThrowsAsync<EmbeddingStoreNotFoundException>(() => client.GetAliasAsync("alias-live", Ct));
        Assert.Equal(ProblemTypes.AliasNotFound, missing.ProblemType);
    }

    [Fact]
    public async Task Jobs_DeriveJobListedGotAndFinalStateRefusesCancel()
    {
        using EmbeddingStoreClient client = server.CreateClient();
        await client.RegisterModelVersionAsync("jobs", "v1", new ModelVersionRequest { Dimension = 2, Metric = "cosine" }, Ct);
        await client.RegisterModelVersionAsync("jobs", "v2", new ModelVersionRequest { Dimension = 2, Metric = "cosine" }, Ct);
        await client.PutCollectionAsync("jobs-docs", new CollectionRequest { ServingVersion = "jobs@v1" }, Ct);
        await client.UpsertItemsAsync("jobs-docs", new UpsertItemsRequest { Items = [new ItemRequest { Id = "x", Vectors = new() { ["jobs@v1"] = [1f, 0f] } }] }, Ct);
        LinkResponse link = await client.CreateLinkAsync(new LinkRequest { From = "jobs@v1", To = "jobs@v2", Kind = "identity" }, Ct);
        JobResponse started = await client.DeriveVectorsAsync(link.Id, new DeriveVectorsRequest { Collection = "jobs-docs" }, Ct);

        JobResponse job = await client.GetJobAsync(started.Id, Ct);
        for (int i = 0; i < 600 && job.State is "queued" or "running"; i++)
        {
            await Task.Delay(50, Ct);
            job = await client.GetJobAsync(started.Id, Ct);
        }

        Assert.Equal("completed", job.State);
        Assert.Contains((await client.ListJobsAsync(Ct)).Jobs, j => j.Id == started.Id);
        var refused = await Assert.ThrowsAsync<EmbeddingStoreConflictException>(() => client.CancelJobAsync(started.Id, Ct));
        Assert.Equal(ProblemTypes.JobStateConflict, refused.ProblemType);
        await Assert.ThrowsAsync<EmbeddingStoreConflictException>(() => client.PauseJobAsync(started.Id, Ct));
        await Assert.ThrowsAsync<EmbeddingStoreConflictException>(() => client.ResumeJobAsync(started.Id, Ct));
        await Assert.ThrowsAsync<EmbeddingStoreNotFoundException>(() => client.GetJobAsync("job-nope", Ct));
    }

    [Fact]
    public async Task BackupAndVerify_RealServer_FileWrittenAndStoreSound()
    {
        using EmbeddingStoreClient client = server.CreateClient();
        await SeedAsync(client, "backup-docs");

        BackupResponse backup = await client.BackupAsync("client-backup.db", Ct);
        VerifyResponse verify = await client.VerifyAsync(Ct);

        Assert.True(File.Exists(Path.Combine(server.BackupDirectory, "client-backup.db")));
        Assert.Equal(new FileInfo(Path.Combine(server.BackupDirectory, "client-backup.db")).Length, backup.Bytes);
        Assert.True(verify.Ok, string.Join(" ", verify.Problems));
        Assert.Contains(verify.Collections, c => c.Collection == "backup-docs" && c.StoredItems == 1 && c.MemoryItems == 1);
        var again = await Assert.ThrowsAsync<EmbeddingStoreValidationException>(() => client.BackupAsync("client-backup.db", Ct));
        Assert.Equal(HttpStatusCode.BadRequest, again.Status);
    }

    [Fact]
    public async Task PayloadIndexes_PutWaitGetListDelete_RoundTripAndSameCount()
    {
        using EmbeddingStoreClient client = server.CreateClient();
        await client.RegisterModelVersionAsync("ops", "v1", new ModelVersionRequest { Dimension = 2, Metric = "cosine" }, Ct);
        await client.PutCollectionAsync("pindex-docs", new CollectionRequest { ServingVersion = "ops@v1" }, Ct);
        await client.UpsertItemsAsync(
            "pindex-docs",
            new UpsertItemsRequest
            {
                Items =
                [
                    new ItemRequest { Id = "a", Payload = TestData.Json("""{"lang": "en", "n": 1}"""), Vectors = new() { ["ops@v1"] = [1f, 0f] } },
                    new ItemRequest { Id = "b", Payload = TestData.Json("""{"lang": ["fr", "en"], "n": 2.5}"""), Vectors = new() { ["ops@v1"] = [0f, 1f] } },
                    new ItemRequest { Id = "c", Payload = TestData.Json("""{"lang": "de"}"""), Vectors = new() { ["ops@v1"] = [1f, 1f] } },
                ],
            },
            Ct);
        var filter = new CountRequest { Filter = PayloadFilters.Where(PayloadFilters.Match("lang", "en"), PayloadFilters.Range("n", gte: 1)) };
        Assert.Equal(2, (await client.CountAsync("pindex-docs", filter, Ct)).Count);

        PayloadIndexResponse created = await client.PutPayloadIndexAsync("pindex-docs", "lang", "keyword", Ct);
        Assert.Equal(("lang", "keyword", "building"), (created.Field, created.Type, created.State));
        await client.PutPayloadIndexAsync("pindex-docs", "n", "integer", Ct);
        PayloadIndexResponse lang = await client.GetPayloadIndexAsync("pindex-docs", "lang", Ct);
        for (int i = 0; i < 600 && (lang.State != "ready" || (await client.GetPayloadIndexAsync("pindex-docs", "n", Ct)).State != "ready"); i++)
        {
            await Task.Delay(50, Ct);
            lang = await client.GetPayloadIndexAsync("pindex-docs", "lang", Ct);
        }

        Assert.Equal(("ready", 3L, 3L), (lang.State, lang.IndexedItems, lang.DistinctValues));
        Assert.Equal(["lang", "n"], (await client.ListPayloadIndexesAsync("pindex-docs", Ct)).Indexes.Select(i => i.Field));
        Assert.Equal(2, (await client.CountAsync("pindex-docs", filter, Ct)).Count);

        var bad = await Assert.ThrowsAsync<EmbeddingStoreValidationException>(() => client.PutPayloadIndexAsync("pindex-docs", "lang", "geo", Ct));
        Assert.Equal(ProblemTypes.InvalidArgument, bad.ProblemType);
        await client.DeletePayloadIndexAsync("pindex-docs", "lang", Ct);
        var missing = await Assert.ThrowsAsync<EmbeddingStoreNotFoundException>(() => client.GetPayloadIndexAsync("pindex-docs", "lang", Ct));
        Assert.Equal(ProblemTypes.PayloadIndexNotFound, missing.ProblemType);
    }

    private static async Task SeedAsync(EmbeddingStoreClient client, params string[] collections)
    {
        await client.RegisterModelVersionAsync("ops", "v1", new ModelVersionRequest { Dimension = 2, Metric = "cosine" }, Ct);
        foreach (string collection in collections)
        {
            await client.PutCollectionAsync(collection, new CollectionRequest { ServingVersion = "ops@v1" }, Ct);
            await client.UpsertItemsAsync(
                collection, new UpsertItemsRequest { Items = [new ItemRequest { Id = collection + "-item", Vectors = new() { ["ops@v1"] = [1f, 0f] } }] }, Ct);
        }
    }
}
