// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.CommandLine;
using EmbeddingStore.Admin.Cli;
using EmbeddingStore.Client;
using EmbeddingStore.Contracts;

namespace EmbeddingStore.Admin.Commands;

// `esadmin jobs list|show|cancel|pause|resume`: the background jobs (derive, later migrations) and their control.
internal sealed class JobsCommand : IAdminCommand
{
    public static readonly string[] Columns = ["JOB", "KIND", "COLLECTION", "STATE", "PROGRESS", "UPDATED", "ERROR"];

    public Command Create(AdminContext context)
    {
        var command = new Command("jobs", "List background jobs, show one, and cancel, pause or resume it");
        command.Subcommands.Add(ServerCall.ListCommand(
            context,
            "list",
            "List background jobs, newest first",
            (client, cancellationToken) => client.ListJobsAsync(cancellationToken),
            EmbeddingStoreJsonContext.Default.JobListResponse,
            list => TextTable.Of(null, Columns, list.Jobs.Select(Row))));
        command.Subcommands.Add(JobCommand(context, "show", "Show one job's state and progress", (client, id, ct) => client.GetJobAsync(id, ct)));
        command.Subcommands.Add(JobCommand(context, "cancel", "Cancel a job between chunks (what it committed stays)", (client, id, ct) => client.CancelJobAsync(id, ct)));
        command.Subcommands.Add(JobCommand(context, "pause", "Pause a job between chunks", (client, id, ct) => client.PauseJobAsync(id, ct)));
        command.Subcommands.Add(JobCommand(context, "resume", "Resume a paused job from its stored cursor", (client, id, ct) => client.ResumeJobAsync(id, ct)));
        return command;
    }

    public static IReadOnlyList<string> Row(JobResponse job) =>
        [job.Id, job.Kind, job.Collection ?? "-", job.State, Progress(job.Progress), Format.Time(job.UpdatedAt), job.Error ?? string.Empty];

    private static string Progress(JobProgressResponse progress) =>
        $"{Format.Count(progress.Done)}/{Format.Count(progress.Total)}" + (progress.Total > 0 ? $" ({Format.Percent(progress.Done / (double)progress.Total)})" : string.Empty);

    private static Command JobCommand(AdminContext context, string name, string description, Func<EmbeddingStoreClient, string, CancellationToken, Task<JobResponse>> call)
    {
        var id = new Argument<string>("id") { Description = "The job's id" };
        var command = new Command(name, description) { id };
        return ServerCall.SingleCommand(
            context, command, (parseResult, client, cancellationToken) => call(client, parseResult.GetRequiredValue(id), cancellationToken),
            EmbeddingStoreJsonContext.Default.JobResponse, Line);
    }

    private static string Line(JobResponse job) =>
        $"{job.Id}\t{job.Kind}\t{job.Collection}\t{job.State}\t{job.Progress.Done}/{job.Progress.Total}" + (job.Error is null ? string.Empty : $"\t{job.Error}");
}
