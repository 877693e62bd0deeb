// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Indexes;

namespace EmbeddingStore.Core.Collections;

/// <summary>
/// A collection's settings and size. Vector counts are per version because during a model upgrade a collection holds
/// several, and how far a re-embedding has come is exactly the ratio of those counts.
/// </summary>
/// <param name="Name">The collection's name.</param>
/// <param name="ServingVersion">The version plain queries search by default, <c>model@version</c>; null when none is set yet, so plain vector searches are refused rather than guessed.</param>
/// <param name="ItemCount">Items in the collection.</param>
/// <param name="VectorCounts">Stored vectors per version, keyed <c>model@version</c>.</param>
/// <param name="CreatedAt">When the collection was created.</param>
/// <param name="DefaultIndex">What searches that name no index use.</param>
/// <param name="IndexSettings">The build settings every segment's indexes use, as the collection stores them (null members: the kind's default).</param>
/// <param name="Indexes">
/// Every index of every segment holding vectors, in version order: whether it serves or must be rebuilt, how many vectors
/// it holds, its memory and its resolved settings. Null when not read.
/// </param>
public sealed record CollectionInfo(
    string Name,
    string? ServingVersion,
    long ItemCount,
    IReadOnlyDictionary<string, long> VectorCounts,
    DateTimeOffset CreatedAt,
    IndexKind DefaultIndex,
    IndexSettings? IndexSettings = null,
    IReadOnlyList<SegmentIndexInfo>? Indexes = null);
