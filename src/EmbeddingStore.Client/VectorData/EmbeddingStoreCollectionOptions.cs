// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using Microsoft.Extensions.VectorData;

namespace EmbeddingStore.Client.VectorData;

/// <summary>EmbeddingStore-specific settings of a <see cref="EmbeddingStoreCollection{TKey, TRecord}"/>.</summary>
public sealed class EmbeddingStoreCollectionOptions : VectorStoreCollectionOptions
{
    /// <summary>
    /// Whether a search may reach vectors of other versions through harmonic links (default true, the server's
    /// <c>auto</c>). Turn off to search only the chosen vector property's own version; the abstraction's results cannot
    /// say which hits were bridged, so callers that need that should use <see cref="EmbeddingStoreClient.SearchAsync"/>.
    /// </summary>
    public bool AllowBridging { get; set; } = true;
}
