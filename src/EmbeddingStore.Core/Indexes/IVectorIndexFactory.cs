// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Collections;

namespace EmbeddingStore.Core.Indexes;

/// <summary>
/// Creates one kind of index for segments and checks that kind's per-query options. Registered once in an
/// <see cref="IndexRegistry"/>; that registration is all a new kind adds outside its own folder.
/// </summary>
internal interface IVectorIndexFactory
{
    /// <summary>The kind this factory makes.</summary>
    IndexKind Kind { get; }

    /// <summary>A new, unbuilt index for <paramref name="segment"/>.</summary>
    IVectorIndex Create(VectorSegment segment);

    /// <summary>A new, unbuilt index for <paramref name="segment"/> with the collection's build settings; kinds without any ignore them.</summary>
    IVectorIndex Create(VectorSegment segment, IndexSettings settings) => Create(segment);

    /// <summary>Refuses options this kind cannot honour (out of range, or meant for another kind), before any lock is taken.</summary>
    StoreError? Validate(IndexOptions options, EngineLimits limits);

    /// <summary>
    /// Refuses collection settings this kind cannot build with, before anything is stored. Every kind sees every
    /// collection's settings (a collection is searched with any kind), so a kind refuses only the members it reads.
    /// </summary>
    StoreError? Validate(IndexSettings settings, EngineLimits limits) => null;
}
