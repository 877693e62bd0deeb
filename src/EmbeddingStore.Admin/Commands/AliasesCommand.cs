// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.CommandLine;
using EmbeddingStore.Admin.Cli;
using EmbeddingStore.Contracts;

namespace EmbeddingStore.Admin.Commands;

// `esadmin aliases list|set|delete`: the collection names clients use, switched in one step (blue/green re-indexing).
internal sealed class AliasesCommand : IAdminCommand
{
    public Command Create(AdminContext context)
    {
        var command = new Command("aliases", "List, set (create or switch atomically) and delete collection aliases");
        command.Subcommands.Add(ServerCall.ListCommand(
            context,
            "list",
            "List aliases and the collections they name",
            (client, cancellationToken) => client.ListAliasesAsync(cancellationToken),
            EmbeddingStoreJsonContext.Default.AliasListResponse,
            list => TextTable.Of(null, ["ALIAS", "COLLECTION", "SINCE"], list.Aliases.Select(a => (IReadOnlyList<string>)[a.Alias, a.Collection, Format.Time(a.UpdatedAt)]))));

        var alias = new Argument<string>("alias") { Description = "The alias" };
        var collection = new Argument<string>("collection") { Description = "The collection it should name, by its own name" };
        var set = new Command("set", "Create an alias, or switch it atomically to another collection") { alias, collection };
        command.Subcommands.Add(ServerCall.SingleCommand(
            context,
            set,
            (parseResult, client, cancellationToken) => client.PutAliasAsync(parseResult.GetRequiredValue(alias), parseResult.GetRequiredValue(collection), cancellationToken),
            EmbeddingStoreJsonContext.Default.AliasResponse,
            a => $"{a.Alias} -> {a.Collection}"));

        var deleted = new Argument<string>("alias") { Description = "The alias to delete (the collection stays)" };
        var delete = new Command("delete", "Delete an alias; the collection it named stays") { deleted };
        command.Subcommands.Add(ServerCall.SingleCommand(
            context,
            delete,
            async (parseResult, client, cancellationToken) =>
            {
                AliasResponse before = await client.GetAliasAsync(parseResult.GetRequiredValue(deleted), cancellationToken);
                await client.DeleteAliasAsync(before.Alias, cancellationToken);
                return before;
            },
            EmbeddingStoreJsonContext.Default.AliasResponse,
            a => $"deleted {a.Alias} (was -> {a.Collection})"));
        return command;
    }
}
