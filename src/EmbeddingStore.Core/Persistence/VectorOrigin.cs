// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Core.Persistence;

/// <summary>Whether a stored vector came from the model itself or was derived from another version's vector by a fitted map.</summary>
public enum VectorOrigin
{
    /// <summary>Produced by the model version it is stored under.</summary>
    Native,

    /// <summary>Computed from another version's vector through a link; less trustworthy than native.</summary>
    Derived,
}
