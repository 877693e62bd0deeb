// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.CommandLine;
using System.Globalization;
using EmbeddingStore.Admin.Cli;
using EmbeddingStore.Client;
using EmbeddingStore.Contracts;

namespace EmbeddingStore.Admin.Commands;

// `esadmin collections [list]` and `collections show NAME`: every collection with its serving version and counts, and
// one in full: the versions it holds with their coverage (vectors of items), its indexes and their state, the aliases
// that name it, its jobs in flight and its migrations. `collections` alone lists, as it did before the subcommands existed.
internal sealed class CollectionsCommand : IAdminCommand
{
    private static readonly string[] s_listColumns = ["NAME", "SERVING", "ITEMS", "VECTORS", "INDEX"];

    public Command Create(AdminContext context)
    {
        var command = new Command("collections", "List collections (also: collections list), or show one in full");
        ServerCall.SetListAction(command, context, (client, ct) => client.ListCollectionsAsync(ct), EmbeddingStoreJsonContext.Default.CollectionListResponse, ListTable);
        command.Subcommands.Add(ServerCall.ListCommand(
            context,
            "list",
            "List collections with item and per-version vector counts",
            (client, ct) => client.ListCollectionsAsync(ct),
            EmbeddingStoreJsonContext.Default.CollectionListResponse,
            ListTable));

        var name = new Argument<string>("name") { Description = "The collection, or an alias naming it" };
        command.Subcommands.Add(ServerCall.DocumentCommand(
            context,
            new Command("show", "One collection: versions held with counts and coverage, indexes and their state, aliases, jobs") { name },
            (parseResult, client, ct) => ShowAsync(client, parseResult.GetRequiredValue(name), ct),
            AdminJsonContext.Default.CollectionView,
            view => WriteAsync(context, view)));
        return command;
    }

    // "text@v1=3, text@v2=1": vectors held per version, on one cell.
    // A collection created before any model was chosen serves nothing yet; "none" says so in every table.
    public static string Serving(CollectionResponse c) => c.ServingVersion ?? "none";

    public static string VectorCounts(CollectionResponse c) => string.Join(", ", c.VectorCounts.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={Format.Count(kv.Value)}"));

    private static TextTable ListTable(CollectionListResponse list) => TextTable.Of(
        null, s_listColumns, list.Collections.Select(c => (IReadOnlyList<string>)[c.Name, Serving(c), Format.Count(c.ItemCount), VectorCounts(c), c.DefaultIndex]));

    private static async Task<CollectionView> ShowAsync(EmbeddingStoreClient client, string name, CancellationToken cancellationToken)
    {
        CollectionResponse collection = await client.GetCollectionAsync(name, cancellationToken);
        AliasListResponse aliases = await client.ListAliasesAsync(cancellationToken);
        JobListResponse jobs = await client.ListJobsAsync(cancellationToken);
        MigrationListResponse migrations = await client.ListMigrationsAsync(collection.Name, cancellationToken);
        var versions = collection.VectorCounts
            .OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => new VersionCoverage(kv.Key, kv.Value, collection.ItemCount == 0 ? 0 : kv.Value / (double)collection.ItemCount, kv.Key == collection.ServingVersion))
            .ToList();
        if (collection.ServingVersion is { } serving && !collection.VectorCounts.ContainsKey(serving))
        {
            versions.Insert(0, new VersionCoverage(serving, 0, 0, Serving: true));
        }

        return new CollectionView(
            collection,
            versions,
            [.. aliases.Aliases.Where(a => a.Collection == collection.Name).Select(a => a.Alias)],
            [.. jobs.Jobs.Where(j => j.Collection == collection.Name && j.State is "queued" or "running" or "paused")],
            migrations.Migrations);
    }

    private static async Task WriteAsync(AdminContext context, CollectionView view)
    {
        CollectionResponse c = view.Collection;
        await Format.FieldsAsync(
            context,
            ("name", c.Name),
            ("serving", Serving(c)),
            ("items", Format.Count(c.ItemCount)),
            ("default index", c.DefaultIndex),
            ("created", Format.Time(c.CreatedAt)),
            ("aliases", view.Aliases.Count == 0 ? "-" : string.Join(", ", view.Aliases)));
        await TextTable.Of(
            "versions",
            ["VERSION", "VECTORS", "COVERAGE", "SERVING"],
            view.Versions.Select(v => (IReadOnlyList<string>)[v.Version, Format.Count(v.Vectors), Format.Percent(v.Coverage), v.Serving ? "yes" : string.Empty])).WriteAsync(context);
        await TextTable.Of(
            "indexes",
            ["VERSION", "INDEX", "STATE", "INDEXED", "MEMORY", "SETTINGS"],
            c.Indexes.Select(i => (IReadOnlyList<string>)[i.Version, i.Index, i.State, Format.Count(i.VectorsIndexed), Format.Bytes(i.MemoryBytes), Settings(i.Settings)])).WriteAsync(context);
        if (view.Jobs.Count > 0)
        {
            await TextTable.Of("jobs in flight", JobsCommand.Columns, view.Jobs.Select(JobsCommand.Row)).WriteAsync(context);
        }

        if (view.Migrations.Count > 0)
        {
            await TextTable.Of("migrations", MigrateCommand.Columns, view.Migrations.Select(MigrateCommand.Row)).WriteAsync(context);
        }
    }

    private static string Settings(IndexSettingsBody? s) =>
        s is null ? "-" : string.Join(" ", new[]
        {
            ("m", s.M?.ToString(CultureInfo.InvariantCulture)),
            ("efConstruction", s.EfConstruction?.ToString(CultureInfo.InvariantCulture)),
            ("buildThreads", s.BuildThreads?.ToString(CultureInfo.InvariantCulture)),
            ("keepPrunedConnections", s.KeepPrunedConnections is { } keep ? (keep ? "true" : "false") : null),
        }.Where(p => p.Item2 is not null).Select(p => $"{p.Item1}={p.Item2}"));
}

// `collections show --json`: the collection as the server reports it, each version's coverage (vectors ÷ items; the
// serving version first with 0 when it holds none), the aliases naming it, its unfinished jobs and its migrations
// (newest first).
internal sealed record CollectionView(
    CollectionResponse Collection, IReadOnlyList<VersionCoverage> Versions, IReadOnlyList<string> Aliases, IReadOnlyList<JobResponse> Jobs,
    IReadOnlyList<MigrationResponse> Migrations);

internal sealed record VersionCoverage(string Version, long Vectors, double Coverage, bool Serving);
