// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Versioning;

namespace EmbeddingStore.Core.Persistence;

/// <summary>A collection's durable settings.</summary>
/// <param name="Name">The collection's name.</param>
/// <param name="ServingVersion">The version plain queries use; null while the collection only holds items waiting to be embedded.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="DefaultIndex">What searches that name no index use: a per-collection opt-in to int8 scans.</param>
/// <param name="IndexSettings">The build settings of the collection's indexes (graph degree, efConstruction, build threads, kept pruned connections); null is every default.</param>
public sealed record CollectionRecord(
    string Name, ModelVersionId? ServingVersion, DateTimeOffset CreatedAt, Indexes.IndexKind DefaultIndex, Indexes.IndexSettings? IndexSettings = null);
