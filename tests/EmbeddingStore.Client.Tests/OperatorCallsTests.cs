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
