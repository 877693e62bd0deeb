// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Client.Tests.TestSupport;
using EmbeddingStore.Contracts;

namespace EmbeddingStore.Client.Tests;

// StreamUpsertAsync against the real server: an async sequence becomes one NDJSON request committed in chunks.
public sealed class StreamUpsertTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<EmbeddingStoreClient> CreateCollectionAsync(string name)
    {
        EmbeddingStoreClient client = server.CreateClient();
        await client.RegisterModelVersionAsync("stream", "v1", new ModelVersionRequest { Dimension = 8, Metric = "cosine" }, Ct);
        await client.PutCollectionAsync(name, new CollectionRequest { ServingVersion = "stream@v1" }, Ct);
        return client;
    }

    private static async IAsyncEnumerable<ItemRequest> Async(IEnumerable<ItemRequest> items)
    {
        foreach (ItemRequest item in items)
        {
            await Task.Yield();
            yield return item;
        }
    }

    [Fact]
    public async Task StreamUpsert_AsyncSequence_CommitsAllInChunks()
    {
        using EmbeddingStoreClient client = await CreateCollectionAsync("stream-ok");
        List<ItemRequest> items = TestData.Items(2_345, "stream@v1", 8, seed: 4);

        BulkUpsertItemsResponse response = await client.StreamUpsertAsync("stream-ok", Async(items), chunkSize: 500, Ct);

        Assert.Equal(new BulkUpsertItemsResponse(2_345, 5, 2_345), response);
        Assert.Equal(2_345, (await client.GetCollectionAsync("stream-ok", Ct)).ItemCount);
        ItemResponse stored = await client.GetItemAsync("stream-ok", "001234", withVectors: true, Ct);
        Assert.Equal(1234, stored.Payload!.Value.GetProperty("n").GetInt32());
    }

    [Fact]
    public async Task StreamUpsert_BadItemInThirdChunk_ThrowsWithCommittedPrefix()
    {
        using EmbeddingStoreClient client = await CreateCollectionAsync("stream-bad");
        List<ItemRequest> items = TestData.Items(1_000, "stream@v1", 8, seed: 5);
        items[456] = items[456] with { Vectors = new() { ["stream@v1"] = new float[5] } };

        StreamUpsertException ex = await Assert.ThrowsAsync<StreamUpsertException>(() => client.StreamUpsertAsync("stream-bad", Async(items), chunkSize: 200, Ct));

        Assert.Equal(400, ex.CommittedItems);
        Assert.Equal(2, ex.CommittedChunks);
        Assert.Equal(457, ex.Line);
        EmbeddingStoreValidationException inner = Assert.IsType<EmbeddingStoreValidationException>(ex.InnerException);
        Assert.Equal(ProblemTypes.DimensionMismatch, inner.ProblemType);
        Assert.Equal(400, (await client.GetCollectionAsync("stream-bad", Ct)).ItemCount);
    }

    [Fact]
    public async Task StreamUpsert_ChunkSizeZero_ThrowsBeforeSending()
    {
        using EmbeddingStoreClient client = server.CreateClient();

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => client.StreamUpsertAsync("any", Async([]), chunkSize: 0, Ct));
    }
}
