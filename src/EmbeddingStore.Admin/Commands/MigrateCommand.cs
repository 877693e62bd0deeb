// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.CommandLine;
using System.Text.Json;
using EmbeddingStore.Admin.Cli;
using EmbeddingStore.Client;
using EmbeddingStore.Contracts;
using Spectre.Console;

namespace EmbeddingStore.Admin.Commands;

// `esadmin migrate plan|start|list|show|watch|pause|resume|cancel|cutover|rollback|purge|refit --collection C [--to V]`: a
// model upgrade as an operation. A migration is named by its collection and target version (the newest migration of C
// to V; --id names one exactly), so a runbook reads `migrate start --collection docs --to text@v2 --strategy transform`,
// `migrate watch ...`, `migrate cutover ...`. The server runs the state machine and refuses what a state does not allow
// (409, one line); esadmin only finds the migration and prints it.
internal sealed class MigrateCommand : IAdminCommand
{
    // The states a migration does not leave by itself: watch stops at these.
    private static readonly string[] s_settled = ["completed", "failed", "cancelled", "cut-over", "rolled-back", "purged"];

    public static readonly string[] Columns = ["MIGRATION", "FROM", "TO", "STRATEGY", "STATE", "PROGRESS", "NATIVE", "LINK", "RECALL@10", "UPDATED"];

    public Command Create(AdminContext context)
    {
        var command = new Command("migrate", "Plan, start, watch, pause, resume, cancel, cut over and roll back model-upgrade migrations");
        command.Subcommands.Add(Create(context, "plan", "Record a migration's plan without starting it (state planned)", start: false));
        command.Subcommands.Add(Create(context, "start", "Start the planned migration of C to V, or create and start one", start: true));

        var listed = CollectionOption();
        var list = new Command("list", "List a collection's migrations, newest first") { listed };
        command.Subcommands.Add(ServerCall.DocumentCommand(
            context,
            list,
            (parseResult, client, ct) => client.ListMigrationsAsync(parseResult.GetRequiredValue(listed), ct),
            EmbeddingStoreJsonContext.Default.MigrationListResponse,
            migrations => TextTable.Of(null, Columns, migrations.Migrations.Select(Row)).WriteAsync(context)));

        command.Subcommands.Add(Action(context, "show", "Show one migration: state, progress, counts, gates and its link history", (_, client, c, id, ct) => client.GetMigrationAsync(c, id, ct)));
        command.Subcommands.Add(Watch(context));
        command.Subcommands.Add(Action(context, "pause", "Pause a migration between chunks", (_, client, c, id, ct) => client.PauseMigrationAsync(c, id, ct)));
        command.Subcommands.Add(Action(context, "resume", "Resume a paused migration from its stored cursor", (_, client, c, id, ct) => client.ResumeMigrationAsync(c, id, ct)));
        command.Subcommands.Add(Action(context, "cancel", "Cancel a migration (what it wrote stays; the old version keeps serving)", (_, client, c, id, ct) => client.CancelMigrationAsync(c, id, ct)));
        command.Subcommands.Add(Action(context, "cutover", "Switch the collection to the new version, if the gates pass", (_, client, c, id, ct) => client.CutOverMigrationAsync(c, id, ct)));
        command.Subcommands.Add(Action(context, "rollback", "Switch a cut-over collection back to the old version", (_, client, c, id, ct) => client.RollbackMigrationAsync(c, id, ct)));
        command.Subcommands.Add(Action(context, "purge", "Delete the old vectors of a cut-over collection's items that hold new ones (final: no rollback afterwards)", (_, client, c, id, ct) => client.PurgeMigrationAsync(c, id, ct)));

        var kind = new Option<string?>("--kind") { Description = "The bridge kind to refit (default auto)", HelpName = "KIND" };
        command.Subcommands.Add(Action(
            context, "refit", "Refit the migration's link on the pairs re-embedded so far", (parseResult, client, c, id, ct) => client.RefitMigrationAsync(c, id, parseResult.GetValue(kind), ct), kind));
        return command;
    }

    // Active as the server counts it (one per collection): planned, running, paused, or completed and not cut over.
    public static bool IsActive(MigrationResponse m) => m.State is "planned" or "running" or "paused" or "completed";

    // The migration the options name: --id, else the newest of the collection (to --to, when given).
    public static async Task<MigrationResponse> FindAsync(EmbeddingStoreClient client, string collection, string? to, string? id, CancellationToken cancellationToken)
    {
        if (id is not null)
        {
            return await client.GetMigrationAsync(collection, id, cancellationToken);
        }

        MigrationListResponse list = await client.ListMigrationsAsync(collection, cancellationToken);
        return list.Migrations.FirstOrDefault(m => to is null || m.To == to)
            ?? throw new CommandFailedException(to is null ? $"collection '{collection}' has no migration" : $"collection '{collection}' has no migration to {to}");
    }

    public static IReadOnlyList<string> Row(MigrationResponse m) =>
    [
        m.Id, m.From, m.To, m.Strategy, m.State, Progress(m.Progress), Format.Percent(m.NativeFraction), m.Link ?? "-", Format.Fraction(m.LinkRecallAt10), Format.Time(m.UpdatedAt),
    ];

    // One line per change while watching, and the line `migrate start|pause|...` prints.
    public static string Line(MigrationResponse m) =>
        $"{m.Id}\t{m.Collection}\t{m.From} -> {m.To}\t{m.Strategy}\t{m.State}\t{Progress(m.Progress)}\tnative {Format.Percent(m.NativeFraction)}"
        + (m.Error is null ? string.Empty : $"\t{m.Error}");

    private static string Progress(MigrationProgressResponse p) =>
        $"{Format.Count(p.Done)}/{Format.Count(p.Total)}" + (p.Total > 0 ? $" ({Format.Percent(p.Done / (double)p.Total)})" : string.Empty);

    private static Option<string> CollectionOption() => new("--collection") { Description = "The collection (or an alias of it)", Required = true, HelpName = "NAME" };

    private static Command Create(AdminContext context, string name, string description, bool start)
    {
        var collection = CollectionOption();
        var to = new Option<string>("--to") { Description = "The version to move to, model@version", Required = true, HelpName = "VERSION" };
        var strategy = new Option<string>("--strategy")
        {
            Description = "bridge (serve through a link at once, nothing rewritten), transform (write derived vectors), reembed (clients upload native vectors)",
            DefaultValueFactory = _ => "bridge",
            HelpName = "STRATEGY",
        };
        var link = new Option<string?>("--link") { Description = "The link to use (default: the best-reported one that runs the right way)", HelpName = "ID" };
        var minRecall = new Option<double?>("--min-recall") { Description = "Cut-over gate: least held-out recall@10 of the link (0-1)", HelpName = "R" };
        var minNative = new Option<double?>("--min-native-fraction") { Description = "Cut-over gate: least fraction of items with a native new vector (0-1)", HelpName = "F" };
        var order = new Option<string?>("--order") { Description = "reembed's pending order: stratified (default), random or id", HelpName = "ORDER" };
        var seed = new Option<int?>("--seed") { Description = "Seed of the pending order (default 1)", HelpName = "N" };
        var command = new Command(name, description) { collection, to, strategy, link, minRecall, minNative, order, seed };
        return ServerCall.SingleCommand(
            context,
            command,
            async (parseResult, client, ct) =>
            {
                string c = parseResult.GetRequiredValue(collection);
                string target = parseResult.GetRequiredValue(to);
                if (start)
                {
                    // A planned migration of C to V is started; anything else means a new one.
                    MigrationListResponse list = await client.ListMigrationsAsync(c, ct);
                    if (list.Migrations.FirstOrDefault(m => m.To == target) is { State: "planned" } planned)
                    {
                        return await client.StartMigrationAsync(c, planned.Id, ct);
                    }
                }

                double? recall = parseResult.GetValue(minRecall), native = parseResult.GetValue(minNative);
                var request = new CreateMigrationRequest
                {
                    To = target,
                    Strategy = parseResult.GetRequiredValue(strategy),
                    Link = parseResult.GetValue(link),
                    Gates = recall is null && native is null ? null : new MigrationGatesBody(recall, native),
                    Start = start,
                    Order = parseResult.GetValue(order),
                    Seed = parseResult.GetValue(seed),
                };
                return await client.CreateMigrationAsync(c, request, ct);
            },
            EmbeddingStoreJsonContext.Default.MigrationResponse,
            Line);
    }

    // A command on one existing migration: --collection, --to and --id find it; the call acts on it.
    private static Command Action(
        AdminContext context, string name, string description, Func<ParseResult, EmbeddingStoreClient, string, string, CancellationToken, Task<MigrationResponse>> call,
        params Option[] extra)
    {
        var command = new Command(name, description);
        (Option<string> collection, Option<string?> to, Option<string?> id) = AddFindOptions(command);
        foreach (Option option in extra)
        {
            command.Options.Add(option);
        }

        return ServerCall.SingleCommand(
            context,
            command,
            async (parseResult, client, ct) =>
            {
                string c = parseResult.GetRequiredValue(collection);
                MigrationResponse found = await FindAsync(client, c, parseResult.GetValue(to), parseResult.GetValue(id), ct);
                return await call(parseResult, client, c, found.Id, ct);
            },
            EmbeddingStoreJsonContext.Default.MigrationResponse,
            Line);
    }

    private static (Option<string> Collection, Option<string?> To, Option<string?> Id) AddFindOptions(Command command)
    {
        Option<string> collection = CollectionOption();
        var to = new Option<string?>("--to") { Description = "The migration's target version (default: the newest migration of the collection)", HelpName = "VERSION" };
        var id = new Option<string?>("--id") { Description = "The migration's id, instead of --to", HelpName = "ID" };
        command.Options.Add(collection);
        command.Options.Add(to);
        command.Options.Add(id);
        return (collection, to, id);
    }

    // `migrate watch`: polls until the migration settles (completed, failed, cancelled, cut-over, rolled-back, purged). On a
    // terminal a progress bar; redirected, one line per change; with --json only the final state, as one document.
    // Exit 0 when it settled well, 1 when it failed or was cancelled.
    private static Command Watch(AdminContext context)
    {
        var interval = new Option<double>("--interval") { Description = "Seconds between polls (default 1)", DefaultValueFactory = _ => 1.0, HelpName = "S" };
        var command = new Command("watch", "Follow a migration's progress until it completes, fails, is cancelled or switched; exit 1 if it failed") { interval };
        (Option<string> collection, Option<string?> to, Option<string?> id) = AddFindOptions(command);
        ServerCall.AddOptions(command, context);
        interval.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<double>() is <= 0 or > 3600)
            {
                result.AddError("--interval must be more than 0 and at most 3600 seconds");
            }
        });
        command.SetAction((parseResult, ct) => ServerCall.RunAsync(parseResult, context, async client =>
        {
            string c = parseResult.GetRequiredValue(collection);
            TimeSpan pause = TimeSpan.FromSeconds(parseResult.GetValue(interval));
            bool json = parseResult.GetValue(context.Shared.Json);
            MigrationResponse m = await FindAsync(client, c, parseResult.GetValue(to), parseResult.GetValue(id), ct);
            if (context.Terminal && !json)
            {
                await context.Console.Progress()
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                    .StartAsync(async progress =>
                    {
                        ProgressTask bar = progress.AddTask(Describe(m), maxValue: Math.Max(1, m.Progress.Total));
                        while (true)
                        {
                            bar.MaxValue = Math.Max(1, m.Progress.Total);
                            bar.Value = m.Progress.Total == 0 && s_settled.Contains(m.State) ? bar.MaxValue : m.Progress.Done;
                            bar.Description = Describe(m);
                            if (s_settled.Contains(m.State))
                            {
                                break;
                            }

                            await Task.Delay(pause, ct);
                            m = await client.GetMigrationAsync(c, m.Id, ct);
                        }
                    });
                await context.Out.WriteLineAsync(Line(m));
            }
            else
            {
                string? last = null;
                while (true)
                {
                    string line = Line(m);
                    if (!json && line != last)
                    {
                        await context.Out.WriteLineAsync(line);
                        last = line;
                    }

                    if (s_settled.Contains(m.State))
                    {
                        break;
                    }

                    await Task.Delay(pause, ct);
                    m = await client.GetMigrationAsync(c, m.Id, ct);
                }

                if (json)
                {
                    await context.Out.WriteLineAsync(JsonSerializer.Serialize(m, EmbeddingStoreJsonContext.Default.MigrationResponse));
                }
            }

            if (m.State is "failed" or "cancelled")
            {
                await context.Error.WriteLineAsync($"esadmin: migration {m.Id} {m.State}" + (m.Error is null ? string.Empty : $": {ServerCall.OneLine(m.Error)}"));
                return ExitCodes.Refused;
            }

            return ExitCodes.Ok;
        }));
        return command;
    }

    private static string Describe(MigrationResponse m) => Markup.Escape($"{m.Collection} {m.Strategy} {m.From} -> {m.To}: {m.State}");
}
