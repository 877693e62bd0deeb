// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Contracts;
using EmbeddingStore.Core.Indexes;
using EmbeddingStore.Core.Vectors;

namespace EmbeddingStore.Admin.Bench;

// What `esadmin bench` measures: the engine in-process, or a running server over HTTP. Ids are the base file's row
// numbers, as ground-truth files name them.
internal interface IBenchTarget : IDisposable
{
    // What the figures include, printed with them.
    string Description { get; }

    // Fills the collection; `settings` are its index build settings (null: the server's defaults).
    Task LoadAsync(VecsMatrix<float> vectors, DistanceMetric metric, IndexSettingsBody? settings, CancellationToken cancellationToken);

    // The bytes the collection's indexes of `index` hold, from collection info (0 for kinds that hold nothing).
    Task<long> IndexMemoryBytesAsync(IndexKind index, CancellationToken cancellationToken);

    Task<int[]> SearchAsync(float[] query, int k, IndexKind index, BenchKnobs knobs, CancellationToken cancellationToken);

    // Returns once every index of `index` serves: a server builds graphs in a background job (searches scan exactly
    // meanwhile), so the build time is the first search plus this wait; in-process builds are inline and it returns at once.
    Task WaitForIndexAsync(IndexKind index, CancellationToken cancellationToken);

    Task<IReadOnlyList<int[]>> SearchBatchAsync(IReadOnlyList<float[]> queries, int k, IndexKind index, BenchKnobs knobs, CancellationToken cancellationToken);

    // The plans the searches since the last call reported (each with its count), then forgets them.
    IReadOnlyDictionary<string, int> TakePlans();
}

// The per-query knobs a run sends: int8's oversampling, a graph's ef (null: the engine's default).
internal readonly record struct BenchKnobs(int? Oversampling, int? Ef, bool? Quantized = null)
{
    public static BenchKnobs None => default;
}
