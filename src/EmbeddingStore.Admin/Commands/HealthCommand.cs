// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.CommandLine;
using System.Text.Json;
using EmbeddingStore.Admin.Cli;
using EmbeddingStore.Contracts;

namespace EmbeddingStore.Admin.Commands;

// `esadmin health`: is the server up and has it loaded its database.
internal sealed class HealthCommand : IAdminCommand
{
    public Command Create(AdminContext context)
    {
        var command = new Command("health", "Check that the server is up and has loaded its database");
        ServerCall.AddOptions(command, context);
        command.Options.Add(context.Shared.Json);
        command.SetAction((parseResult, cancellationToken) => ServerCall.RunAsync(parseResult, context, async client =>
        {
            HealthResponse health = await client.GetHealthAsync(cancellationToken);
            await context.Out.WriteLineAsync(parseResult.GetValue(context.Shared.Json)
                ? JsonSerializer.Serialize(health, EmbeddingStoreJsonContext.Default.HealthResponse)
                : $"{health.Status}: {health.Collections} collections, schema version {health.SchemaVersion}");
            return 0;
        }));
        return command;
    }
}
