// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Vectors;

namespace EmbeddingStore.Core.Tests.TestSupport;

internal static class EngineFactory
{
    public static async Task<EmbeddingEngine> CreateAsync(
        InMemoryRepository? repository = null, EngineLimits? limits = null, CancellationToken cancellationToken = default)
    {
        var engine = new EmbeddingEngine(repository ?? new InMemoryRepository(), limits);
        await engine.LoadAsync(cancellationToken);
        return engine;
    }

    public static async Task<EmbeddingEngine> CreateWithCollectionAsync(
        string version, int dimension, DistanceMetric metric, bool normalized = false, InMemoryRepository? repository = null, CancellationToken cancellationToken = default)
    {
        EmbeddingEngine engine = await CreateAsync(repository, cancellationToken: cancellationToken);
        string[] parts = version.Split('@');
        Assert.True((await engine.RegisterModelVersionAsync(parts[0], parts[1], dimension, metric, normalized, cancellationToken)).IsSuccess);
        Assert.True((await engine.PutCollectionAsync("docs", version, cancellationToken)).IsSuccess);
        return engine;
    }

    public static ItemUpsert Item(string id, string version, float[] vector, string? payloadJson = null) =>
        new(id, payloadJson is null ? null : System.Text.Json.JsonDocument.Parse(payloadJson).RootElement.Clone(), new Dictionary<string, float[]> { [version] = vector });
}
