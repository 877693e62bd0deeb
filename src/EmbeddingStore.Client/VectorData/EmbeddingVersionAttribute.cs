// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Client.VectorData;

/// <summary>
/// Names the model version (<c>model@version</c>) whose embeddings a <c>[VectorStoreVector]</c> property holds, so the
/// connector stores the vector under that version and searches with it. Without it, the vector attribute's
/// <c>StorageName</c> is used when it has the form <c>model@version</c>; a vector property with neither is refused,
/// because guessing a version is exactly the silent mistake EmbeddingStore exists to prevent.
/// </summary>
/// <example>
/// <code>
/// [VectorStoreVector(384, DistanceFunction = DistanceFunction.CosineSimilarity)]
/// [EmbeddingVersion("text@v2")]
/// public ReadOnlyMemory&lt;float&gt; Embedding { get; set; }
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = true)]
public sealed class EmbeddingVersionAttribute : Attribute
{
    /// <summary>Declares the property's model version.</summary>
    /// <param name="version">A <c>model@version</c> reference, e.g. <c>text@v2</c>.</param>
    public EmbeddingVersionAttribute(string version)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(version);
        Version = version;
    }

    /// <summary>The <c>model@version</c> reference.</summary>
    public string Version { get; }
}
