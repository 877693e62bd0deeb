// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Core.Collections;

/// <summary>
/// Bounds on what one request may ask of the engine. They exist so one client cannot exhaust memory or hold the
/// single writer for long; defaults suit a single machine and are all configurable.
/// </summary>
public sealed record EngineLimits
{
    /// <summary>Items per upsert batch; a batch is one transaction, so this bounds how long the writer is held.</summary>
    public int MaxBatchItems { get; init; } = 1_000;

    /// <summary>The largest <c>k</c> a search may ask for; top-k selection is O(n log k) with k slots allocated per search.</summary>
    public int MaxK { get; init; } = 1_000;

    /// <summary>Item id length in UTF-16 code units; ids are primary keys in memory and on disk.</summary>
    public int MaxIdLength { get; init; } = 256;

    /// <summary>Vector dimension a model version may declare; OpenAI's largest models use 3,072, so 16,384 leaves room.</summary>
    public int MaxDimension { get; init; } = 16_384;

    /// <summary>UTF-8 size of one item's JSON payload.</summary>
    public int MaxPayloadBytes { get; init; } = 64 * 1024;

    /// <summary>Items returned by one scroll page.</summary>
    public int MaxScrollLimit { get; init; } = 1_000;

    /// <summary>Ids in one delete request.</summary>
    public int MaxDeleteIds { get; init; } = 10_000;
}
