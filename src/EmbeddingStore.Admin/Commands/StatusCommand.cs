// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.CommandLine;
using System.Reflection;
using EmbeddingStore.Admin.Cli;
using EmbeddingStore.Contracts;

namespace EmbeddingStore.Admin.Commands;

// `esadmin status`: one screen of what an operator checks first: is the server up, which schema, every collection with
// its serving version and counts, the jobs still in flight (queued, running or paused), and the migrations not yet
// cut over (planned, running, paused, or completed and waiting for the switch).
internal sealed class StatusCommand : IAdminCommand
{
    private static readonly string[] s_activeStates = ["queued", "running", "paused"];

    public Command Create(AdminContext context) => ServerCall.DocumentCommand(
        context,
        new Command("status", "Server health and schema, collections with counts and serving version, jobs in flight"),
        async (_, client, cancellationToken) =>
        {
            HealthResponse health = await client.GetHealthAsync(cancellationToken);
            CollectionListResponse collections = await client.ListCollectionsAsync(cancellationToken);
            JobListResponse jobs = await client.ListJobsAsync(cancellationToken);
            var migrations = new List<MigrationResponse>();
            foreach (CollectionResponse collection in collections.Collections)
            {
                MigrationListResponse list = await client.ListMigrationsAsync(collection.Name, cancellationToken);
                migrations.AddRange(list.Migrations.Where(MigrateCommand.IsActive));
            }

            return new StatusReport(
                health, EsadminVersion, collections.Collections, [.. jobs.Jobs.Where(j => s_activeStates.Contains(j.State, StringComparer.Ordinal))], migrations);
        },
        AdminJsonContext.Default.StatusReport,
        async status =>
        {
            await Format.FieldsAsync(
                context,
                ("server", $"{status.Health.Status}, schema version {status.Health.SchemaVersion}, {status.Health.Collections} collections"),
                ("esadmin", status.Esadmin));
            await TextTable.Of(
                "collections",
                ["NAME", "SERVING", "ITEMS", "VECTORS", "INDEX"],
                status.Collections.Select(c => (IReadOnlyList<string>)
                    [c.Name, CollectionsCommand.Serving(c), Format.Count(c.ItemCount), CollectionsCommand.VectorCounts(c), c.DefaultIndex])).WriteAsync(context);
            await TextTable.Of("jobs in flight", JobsCommand.Columns, status.Jobs.Select(JobsCommand.Row)).WriteAsync(context);
            await TextTable.Of("migrations not yet cut over", MigrateCommand.Columns, status.Migrations.Select(MigrateCommand.Row)).WriteAsync(context);
        });

    // esadmin's own version (the assembly's informational version, without the source-control suffix).
    public static string EsadminVersion { get; } =
        (typeof(StatusCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown").Split('+')[0];
}

// `esadmin status --json`: the health answer, esadmin's version, every collection as GET /v1/collections lists it, the
// jobs not yet finished and the active migrations.
internal sealed record StatusReport(
    HealthResponse Health, string Esadmin, IReadOnlyList<CollectionResponse> Collections, IReadOnlyList<JobResponse> Jobs, IReadOnlyList<MigrationResponse> Migrations);
