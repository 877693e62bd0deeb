// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.CommandLine;
using EmbeddingStore.Admin.Cli;
using EmbeddingStore.Contracts;

namespace EmbeddingStore.Admin.Commands;

// `esadmin collections`: every collection with its serving version, item count and vectors per version.
internal sealed class CollectionsCommand : IAdminCommand
{
    public Command Create(AdminContext context) => ServerCall.ListCommand(
        context,
        "collections",
        "List collections with item and per-version vector counts",
        (client, cancellationToken) => client.ListCollectionsAsync(cancellationToken),
        EmbeddingStoreJsonContext.Default.CollectionListResponse,
        list => list.Collections.Select(c =>
            $"{c.Name}\tserving {c.ServingVersion}\t{c.ItemCount} items\t{string.Join(", ", c.VectorCounts.Select(kv => $"{kv.Key}={kv.Value}"))}"));
}
