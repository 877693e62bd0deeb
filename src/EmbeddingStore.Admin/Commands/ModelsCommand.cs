// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.CommandLine;
using EmbeddingStore.Admin.Cli;
using EmbeddingStore.Client;
using EmbeddingStore.Contracts;

namespace EmbeddingStore.Admin.Commands;

// `esadmin models [list]`, `models show NAME`, `models register NAME --dimension D --metric M [--normalized]`: the
// registered model versions. `versions` is an alias of `models` (it was the command's name before), so `esadmin
// versions` still lists.
internal sealed class ModelsCommand : IAdminCommand
{
    private static readonly string[] s_columns = ["NAME", "DIMENSION", "METRIC", "NORMALIZED", "CREATED"];

    public Command Create(AdminContext context)
    {
        var command = new Command("models", "List model versions (also: models list), show one, or register one");
        command.Aliases.Add("versions");
        ServerCall.SetListAction(command, context, (client, ct) => client.ListModelVersionsAsync(ct), EmbeddingStoreJsonContext.Default.ModelVersionListResponse, Table);
        command.Subcommands.Add(ServerCall.ListCommand(
            context, "list", "List registered model versions", (client, ct) => client.ListModelVersionsAsync(ct), EmbeddingStoreJsonContext.Default.ModelVersionListResponse, Table));

        var shown = new Argument<string>("name") { Description = "The version, model@version (text@v1)" };
        command.Subcommands.Add(ServerCall.DocumentCommand(
            context,
            new Command("show", "One model version: its shape, the collections holding its vectors, the links from and to it") { shown },
            (parseResult, client, ct) => ShowAsync(client, parseResult.GetRequiredValue(shown), ct),
            AdminJsonContext.Default.ModelVersionView,
            view => WriteAsync(context, view)));

        var registered = new Argument<string>("name") { Description = "The version to register, model@version (text@v2)" };
        var dimension = new Option<int>("--dimension") { Description = "Floats per vector", Required = true, HelpName = "D" };
        var metric = new Option<string>("--metric")
        {
            Description = "One of " + string.Join(", ", Core.Vectors.ScoreMapping.WireNames) + " (the server checks it)",
            Required = true,
            HelpName = "METRIC",
        };
        var normalized = new Option<bool>("--normalized") { Description = "The model's vectors are unit length (dot then scores as cosine)" };
        command.Subcommands.Add(ServerCall.SingleCommand(
            context,
            new Command("register", "Register a model version (again with the same shape is a no-op; a version in use is immutable)") { registered, dimension, metric, normalized },
            (parseResult, client, ct) =>
            {
                (string model, string version) = Format.VersionName(parseResult.GetRequiredValue(registered));
                var request = new ModelVersionRequest
                {
                    Dimension = parseResult.GetValue(dimension),
                    Metric = parseResult.GetRequiredValue(metric),
                    Normalized = parseResult.GetValue(normalized),
                };
                return client.RegisterModelVersionAsync(model, version, request, ct);
            },
            EmbeddingStoreJsonContext.Default.ModelVersionResponse,
            v => $"registered {v.Name}: {v.Dimension}-d {v.Metric}{(v.Normalized ? ", normalized" : string.Empty)}"));
        return command;
    }

    private static TextTable Table(ModelVersionListResponse list) => TextTable.Of(
        null, s_columns, list.Versions.Select(v => (IReadOnlyList<string>)[v.Name, Format.Count(v.Dimension), v.Metric, v.Normalized ? "yes" : "no", Format.Time(v.CreatedAt)]));

    private static async Task<ModelVersionView> ShowAsync(EmbeddingStoreClient client, string name, CancellationToken cancellationToken)
    {
        (string model, string version) = Format.VersionName(name);
        ModelVersionResponse found = await client.GetModelVersionAsync(model, version, cancellationToken);
        CollectionListResponse collections = await client.ListCollectionsAsync(cancellationToken);
        LinkListResponse links = await client.ListLinksAsync(cancellationToken);
        return new ModelVersionView(
            found,
            [.. collections.Collections
                .Where(c => c.ServingVersion == found.Name || c.VectorCounts.ContainsKey(found.Name))
                .Select(c => new CollectionVectors(c.Name, c.VectorCounts.GetValueOrDefault(found.Name), c.ItemCount, c.ServingVersion == found.Name))],
            [.. links.Links.Where(l => l.From == found.Name || l.To == found.Name)]);
    }

    private static async Task WriteAsync(AdminContext context, ModelVersionView view)
    {
        ModelVersionResponse v = view.Version;
        await Format.FieldsAsync(
            context,
            ("name", v.Name),
            ("dimension", Format.Count(v.Dimension)),
            ("metric", v.Metric),
            ("normalized", v.Normalized ? "yes" : "no"),
            ("created", Format.Time(v.CreatedAt)));
        await TextTable.Of(
            "collections",
            ["COLLECTION", "VECTORS", "ITEMS", "SERVING"],
            view.Collections.Select(c => (IReadOnlyList<string>)[c.Collection, Format.Count(c.Vectors), Format.Count(c.Items), c.Serving ? "yes" : string.Empty])).WriteAsync(context);
        await LinksCommand.ListTable(view.Links, "links").WriteAsync(context);
    }
}

// `models show --json`: the version, the collections that serve it or hold its vectors, and the links from or to it.
internal sealed record ModelVersionView(ModelVersionResponse Version, IReadOnlyList<CollectionVectors> Collections, IReadOnlyList<LinkResponse> Links);

internal sealed record CollectionVectors(string Collection, long Vectors, long Items, bool Serving);
