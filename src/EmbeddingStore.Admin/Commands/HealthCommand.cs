// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.CommandLine;
using EmbeddingStore.Admin.Cli;
using EmbeddingStore.Contracts;

namespace EmbeddingStore.Admin.Commands;

// `esadmin health`: is the server up and has it loaded its database.
internal sealed class HealthCommand : IAdminCommand
{
    public Command Create(AdminContext context) => ServerCall.SingleCommand(
        context,
        new Command("health", "Check that the server is up and has loaded its database"),
        (_, client, cancellationToken) => client.GetHealthAsync(cancellationToken),
        EmbeddingStoreJsonContext.Default.HealthResponse,
        health => $"{health.Status}: {health.Collections} collections, schema version {health.SchemaVersion}");
}
