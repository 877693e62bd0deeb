// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Indexes;
using EmbeddingStore.Core.Vectors;

namespace EmbeddingStore.Admin.Bench;

// What `esadmin bench` measures: the engine in-process, or a running server over HTTP. Ids are the base file's row
// numbers, as ground-truth files name them.
internal interface IBenchTarget : IDisposable
{
    // What the figures include, printed with them.
    string Description { get; }

    Task LoadAsync(VecsMatrix<float> vectors, DistanceMetric metric, CancellationToken cancellationToken);

    Task<int[]> SearchAsync(float[] query, int k, IndexKind index, int? oversampling, CancellationToken cancellationToken);

    Task<IReadOnlyList<int[]>> SearchBatchAsync(IReadOnlyList<float[]> queries, int k, IndexKind index, int? oversampling, CancellationToken cancellationToken);
}
