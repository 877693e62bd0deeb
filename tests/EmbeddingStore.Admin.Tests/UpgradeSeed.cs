// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Text.Json;
using EmbeddingStore.Client;
using EmbeddingStore.Contracts;

namespace EmbeddingStore.Admin.Tests;

// A model upgrade to run: versions m@a and m@b (8-d cosine); "pairs" holds 200 items in both (m@b is m@a reversed plus
// seeded noise, so a fitted procrustes link is good but not perfect); `collection` holds `items` items in m@a only, each
// with payload {"kind": "doc"}. NewVectors are those items' m@b vectors, what a re-embedding would upload.
internal sealed class UpgradeSeed
{
    private UpgradeSeed(Dictionary<string, float[]> oldVectors, Dictionary<string, float[]> newVectors)
    {
        OldVectors = oldVectors;
        NewVectors = newVectors;
    }

    public IReadOnlyDictionary<string, float[]> OldVectors { get; }

    public IReadOnlyDictionary<string, float[]> NewVectors { get; }

    public static async Task<UpgradeSeed> CreateAsync(EmbeddingStoreClient client, string collection, int items, CancellationToken cancellationToken)
    {
        await client.RegisterModelVersionAsync("m", "a", new ModelVersionRequest { Dimension = 8, Metric = "cosine" }, cancellationToken);
        await client.RegisterModelVersionAsync("m", "b", new ModelVersionRequest { Dimension = 8, Metric = "cosine" }, cancellationToken);
        await client.PutCollectionAsync("pairs", new CollectionRequest { ServingVersion = "m@a" }, cancellationToken);
        await client.PutCollectionAsync(collection, new CollectionRequest { ServingVersion = "m@a" }, cancellationToken);
        var random = new Random(11);
        JsonElement payload = JsonDocument.Parse("""{"kind": "doc"}""").RootElement;
        Dictionary<string, float[]> oldVectors = new(StringComparer.Ordinal), newVectors = new(StringComparer.Ordinal);
        foreach ((string target, int count, bool both) in new[] { ("pairs", 200, true), (collection, items, false) })
        {
            var batch = new List<ItemRequest>();
            for (int i = 0; i < count; i++)
            {
                float[] a = [.. Enumerable.Range(0, 8).Select(_ => (float)((random.NextDouble() * 2) - 1))];
                float[] b = [.. a.Reverse().Select(x => x + (float)((random.NextDouble() - 0.5) * 0.2))];
                string id = $"item-{i:D4}";
                if (!both)
                {
                    oldVectors[id] = a;
                    newVectors[id] = b;
                }

                batch.Add(new ItemRequest { Id = id, Payload = payload, Vectors = both ? new() { ["m@a"] = a, ["m@b"] = b } : new() { ["m@a"] = a } });
                if (batch.Count == 50 || i == count - 1)
                {
                    await client.UpsertItemsAsync(target, new UpsertItemsRequest { Items = [.. batch] }, cancellationToken);
                    batch.Clear();
                }
            }
        }

        return new UpgradeSeed(oldVectors, newVectors);
    }
}
