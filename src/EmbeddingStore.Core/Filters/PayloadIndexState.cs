// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Core.Filters;

/// <summary>
/// Whether a payload index serves yet. A new index is built by a job over the existing items; until that job finishes,
/// filters are evaluated on payloads as if the index did not exist, so answers never depend on how far a build got.
/// </summary>
public enum PayloadIndexState
{
    /// <summary>The build job is walking the collection; writes already keep the index current.</summary>
    Building,

    /// <summary>Every item is indexed; filtered search, count, scroll and delete use it.</summary>
    Ready,
}
