// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using Microsoft.Extensions.VectorData;

namespace EmbeddingStore.Client.VectorData;

/// <summary>EmbeddingStore-specific settings of a <see cref="EmbeddingStoreCollection{TKey, TRecord}"/>.</summary>
public sealed class EmbeddingStoreCollectionOptions : VectorStoreCollectionOptions
{
    /// <summary>Creates options with the defaults: bridging allowed, every vector property must declare its version.</summary>
    public EmbeddingStoreCollectionOptions()
    {
    }

    /// <summary>Copies <paramref name="source"/>, so a registration can add a generator without changing the caller's object.</summary>
    /// <param name="source">The options to copy; null gives the defaults.</param>
    public EmbeddingStoreCollectionOptions(EmbeddingStoreCollectionOptions? source)
        : base(source)
    {
        AllowBridging = source?.AllowBridging ?? true;
        CollectionScopedVersions = source?.CollectionScopedVersions ?? false;
    }

    /// <summary>
    /// Whether a search may reach vectors of other versions through harmonic links (default true, the server's
    /// <c>auto</c>). Turn off to search only the chosen vector property's own version; the abstraction's results cannot
    /// say which hits were bridged, so callers that need that should use <see cref="EmbeddingStoreClient.SearchAsync"/>.
    /// </summary>
    public bool AllowBridging { get; set; } = true;

    /// <summary>
    /// Whether a vector property that declares no model version (no <see cref="EmbeddingVersionAttribute"/>, no
    /// <c>EmbeddingStore.Version</c> annotation, no <c>model@version</c> storage name) is given one private to this
    /// collection and property, <c>&lt;collection&gt;.&lt;storage name&gt;@&lt;metric&gt;-&lt;dimensions&gt;</c>, instead of
    /// being refused. Default false: such a version is never shared with another collection, so it cannot be searched
    /// across collections or bridged to another model by a link, and a change of embedding model under the same record
    /// type goes unnoticed. Turn it on for code written against other vector stores.
    /// </summary>
    public bool CollectionScopedVersions { get; set; }
}
