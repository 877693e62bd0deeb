// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.CommandLine;
using EmbeddingStore.Admin.Cli;
using EmbeddingStore.Contracts;

namespace EmbeddingStore.Admin.Commands;

// `esadmin versions`: the registered model versions with dimension and metric.
internal sealed class VersionsCommand : IAdminCommand
{
    public Command Create(AdminContext context) => ServerCall.ListCommand(
        context,
        "versions",
        "List registered model versions",
        (client, cancellationToken) => client.ListModelVersionsAsync(cancellationToken),
        EmbeddingStoreJsonContext.Default.ModelVersionListResponse,
        list => list.Versions.Select(v => $"{v.Name}\t{v.Dimension}-d\t{v.Metric}{(v.Normalized ? "\tnormalized" : string.Empty)}"));
}
