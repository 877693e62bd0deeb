// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Client.VectorData;
using Microsoft.Extensions.VectorData;

namespace VectorDataQuickstart;

// A record as Semantic Kernel code declares it, plus the model version of each vector property: the old model's
// embedding and the new one's live side by side during an upgrade.
public sealed class Note
{
    [VectorStoreKey]
    public string Id { get; set; } = "";

    [VectorStoreData]
    public string Text { get; set; } = "";

    [VectorStoreData]
    public string Topic { get; set; } = "";

    [VectorStoreVector(HashingEmbeddingGenerator.OldDimensions)]
    [EmbeddingVersion("notes-hash@v1")]
    public ReadOnlyMemory<float>? Embedding { get; set; }

    [VectorStoreVector(HashingEmbeddingGenerator.NewDimensions, StorageName = "notes-hash@v2")]
    public ReadOnlyMemory<float>? EmbeddingV2 { get; set; }
}
