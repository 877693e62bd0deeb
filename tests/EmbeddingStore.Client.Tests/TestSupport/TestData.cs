// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Globalization;
using System.Text.Json;
using EmbeddingStore.Contracts;

namespace EmbeddingStore.Client.Tests.TestSupport;

internal static class TestData
{
    public static float[] Vector(Random random, int dimension)
    {
        var v = new float[dimension];
        for (int i = 0; i < v.Length; i++)
        {
            v[i] = (float)((random.NextDouble() * 2) - 1);
        }

        return v;
    }

    public static List<ItemRequest> Items(int count, string version, int dimension, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(i => new ItemRequest
        {
            Id = i.ToString("D6", CultureInfo.InvariantCulture),
            Payload = JsonSerializer.SerializeToElement(new { n = i }),
            Vectors = new() { [version] = Vector(random, dimension) },
        })];
    }

    public static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement.Clone();
}
