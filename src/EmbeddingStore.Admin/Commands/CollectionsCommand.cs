// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.CommandLine;
using System.Text.Json;
using EmbeddingStore.Admin.Cli;
using EmbeddingStore.Contracts;

namespace EmbeddingStore.Admin.Commands;

// `esadmin collections`: every collection with its serving version, item count and vectors per version.
internal sealed class CollectionsCommand : IAdminCommand
{
    public Command Create(AdminContext context)
    {
        var command = new Command("collections", "List collections with item and per-version vector counts");
        ServerCall.AddOptions(command, context);
        command.Options.Add(context.Shared.Json);
        command.SetAction((parseResult, cancellationToken) => ServerCall.RunAsync(parseResult, context, async client =>
        {
            CollectionListResponse list = await client.ListCollectionsAsync(cancellationToken);
            if (parseResult.GetValue(context.Shared.Json))
            {
                await context.Out.WriteLineAsync(JsonSerializer.Serialize(list, EmbeddingStoreJsonContext.Default.CollectionListResponse));
                return 0;
            }

            foreach (CollectionResponse c in list.Collections)
            {
                string counts = string.Join(", ", c.VectorCounts.Select(kv => $"{kv.Key}={kv.Value}"));
                await context.Out.WriteLineAsync($"{c.Name}\tserving {c.ServingVersion}\t{c.ItemCount} items\t{counts}");
            }

            return 0;
        }));
        return command;
    }
}
