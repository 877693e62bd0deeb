// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Client.Tests.TestSupport;
using EmbeddingStore.Contracts;

namespace EmbeddingStore.Client.Tests;

public sealed class BulkUpsertTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<EmbeddingStoreClient> CreateCollectionAsync(string name)
    {
        EmbeddingStoreClient client = server.CreateClient();
        await client.RegisterModelVersionAsync("bulk", "v1", new ModelVersionRequest { Dimension = 8, Metric = "cosine" }, Ct);
        await client.PutCollectionAsync(name, new CollectionRequest { ServingVersion = "bulk@v1" }, Ct);
        return client;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task BulkUpsert_ManyItems_SplitsIntoBatchesAndReportsEach(int parallelism)
    {
        using EmbeddingStoreClient client = await CreateCollectionAsync($"bulk-{parallelism}");
        var progress = new CollectingProgress<BulkUpsertProgress>();

        long written = await client.BulkUpsertAsync(
            $"bulk-{parallelism}", TestData.Items(1234, "bulk@v1", 8, seed: 1), new BulkUpsertOptions { BatchSize = 100, MaxParallelism = parallelism }, progress, Ct);

        Assert.Equal(1234, written);
        Assert.Equal(1234, (await client.GetCollectionAsync($"bulk-{parallelism}", Ct)).ItemCount);
        Assert.Equal(13, progress.Reports.Count);
        Assert.Equal(Enumerable.Range(0, 13), progress.Reports.Select(r => r.Batch.Index).Order());
        Assert.Equal(1234, progress.Reports.Max(r => r.ItemsAcknowledged));
        BulkUpsertBatch last = progress.Reports.Single(r => r.Batch.Index == 12).Batch;
        Assert.Equal(new BulkUpsertBatch(12, 1200, 34, "001200", "001233"), last);
    }

    [Fact]
    public async Task BulkUpsert_BadItemInSixthBatch_StopsAndNamesAcknowledgedBatches()
    {
        using EmbeddingStoreClient client = await CreateCollectionAsync("bulk-fail");
        List<ItemRequest> items = TestData.Items(1000, "bulk@v1", 8, seed: 2);
        items[537] = items[537] with { Vectors = new() { ["bulk@v1"] = new float[3] } };

        BulkUpsertException ex = await Assert.ThrowsAsync<BulkUpsertException>(
            () => client.BulkUpsertAsync("bulk-fail", items, new BulkUpsertOptions { BatchSize = 100 }, cancellationToken: Ct));

        Assert.Equal(new BulkUpsertBatch(5, 500, 100, "000500", "000599"), ex.FailedBatch);
        Assert.Equal(Enumerable.Range(0, 5), ex.AcknowledgedBatches.Select(b => b.Index));
        Assert.Equal(500, ex.AcknowledgedItemCount);
        Assert.IsType<EmbeddingStoreValidationException>(ex.InnerException);
        Assert.Contains("batch 5", ex.Message, StringComparison.Ordinal);
        Assert.Equal(500, (await client.GetCollectionAsync("bulk-fail", Ct)).ItemCount);
    }

    [Fact]
    public async Task BulkUpsert_BadOptions_ThrowBeforeSending()
    {
        using EmbeddingStoreClient client = server.CreateClient();
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => client.BulkUpsertAsync("x", [], new BulkUpsertOptions { BatchSize = 1001 }, cancellationToken: Ct));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => client.BulkUpsertAsync("x", [], new BulkUpsertOptions { MaxParallelism = 0 }, cancellationToken: Ct));
        Assert.Equal(0, await client.BulkUpsertAsync("x", [], cancellationToken: Ct));
    }
}
