// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.CommandLine;
using System.Text.Json;
using EmbeddingStore.Admin.Cli;
using EmbeddingStore.Contracts;

namespace EmbeddingStore.Admin.Commands;

// `esadmin versions`: the registered model versions with dimension and metric.
internal sealed class VersionsCommand : IAdminCommand
{
    public Command Create(AdminContext context)
    {
        var command = new Command("versions", "List registered model versions");
        ServerCall.AddOptions(command, context);
        command.Options.Add(context.Shared.Json);
        command.SetAction((parseResult, cancellationToken) => ServerCall.RunAsync(parseResult, context, async client =>
        {
            ModelVersionListResponse list = await client.ListModelVersionsAsync(cancellationToken);
            if (parseResult.GetValue(context.Shared.Json))
            {
                await context.Out.WriteLineAsync(JsonSerializer.Serialize(list, EmbeddingStoreJsonContext.Default.ModelVersionListResponse));
                return 0;
            }

            foreach (ModelVersionResponse v in list.Versions)
            {
                await context.Out.WriteLineAsync($"{v.Name}\t{v.Dimension}-d\t{v.Metric}{(v.Normalized ? "\tnormalized" : string.Empty)}");
            }

            return 0;
        }));
        return command;
    }
}
