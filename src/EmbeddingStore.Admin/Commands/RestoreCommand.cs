// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using EmbeddingStore.Admin.Cli;

namespace EmbeddingStore.Admin.Commands;

// `esadmin restore BACKUP NEW_DB --program SERVER`: restoring is offline, on files, with no server running on them, and
// esadmin speaks to servers only through the Client SDK (it has no SQLite of its own). So it runs the server program's
// own offline command, `EmbeddingStore.Server restore BACKUP NEW_DB` (which writes a new file, never over an existing
// one, and verifies it), and reports its one line and exit code. Without --program (or ESADMIN_SERVER_PROGRAM) it says
// exactly which command to run on the server's machine, and exits 2.
internal sealed class RestoreCommand : IAdminCommand
{
    public Command Create(AdminContext context)
    {
        var backup = new Argument<string>("backup") { Description = "The backup file (as `esadmin backup` wrote it into Backup:Directory)" };
        var database = new Argument<string>("database") { Description = "The new database file to write; must not exist" };
        Option<string?> program = context.Shared.ServerProgram;
        var command = new Command("restore", "Restore a backup into a new database file, offline, through the server program") { backup, database, program };
        command.Options.Add(context.Shared.Json);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            string from = Path.GetFullPath(parseResult.GetRequiredValue(backup));
            string into = Path.GetFullPath(parseResult.GetRequiredValue(database));
            string? server = parseResult.GetValue(program);
            if (server is null)
            {
                await context.Error.WriteLineAsync(
                    $"esadmin: restore is offline, on the server's machine: run `EmbeddingStore.Server restore {from} {into}` there, " +
                    "or pass --program (or set ESADMIN_SERVER_PROGRAM) to the server's executable or .dll");
                return ExitCodes.Usage;
            }

            if (!File.Exists(server))
            {
                await context.Error.WriteLineAsync($"esadmin: restore: --program '{server}' does not exist");
                return ExitCodes.Usage;
            }

            (int code, string line) = await RunAsync(server, ["restore", from, into], cancellationToken);
            var report = new RestoreReport(from, into, code == 0, code, line);
            if (code != 0)
            {
                await context.Error.WriteLineAsync("esadmin: " + line);
                return code == 2 ? ExitCodes.Usage : ExitCodes.Refused;
            }

            await context.Out.WriteLineAsync(parseResult.GetValue(context.Shared.Json) ? JsonSerializer.Serialize(report, AdminJsonContext.Default.RestoreReport) : line);
            return ExitCodes.Ok;
        });
        return command;
    }

    // The server program's exit code and its last line (stdout when it succeeded, stderr when not): a .dll is run
    // through `dotnet`, anything else directly.
    private static async Task<(int Code, string Line)> RunAsync(string program, string[] args, CancellationToken cancellationToken)
    {
        bool dll = program.EndsWith(".dll", StringComparison.OrdinalIgnoreCase);
        var start = new ProcessStartInfo(dll ? "dotnet" : program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (dll)
        {
            start.ArgumentList.Add(program);
        }

        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        Task<string> stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        string output = (process.ExitCode == 0 ? await stdout : await stderr).Trim();
        string last = output.Length == 0 ? $"{Path.GetFileName(program)} exited with {process.ExitCode}" : output.Split('\n')[^1].Trim();
        return (process.ExitCode, last.StartsWith("embeddingstore: ", StringComparison.Ordinal) ? last["embeddingstore: ".Length..] : last);
    }
}

// `restore --json`: what was restored into what, and the server program's own report line.
internal sealed record RestoreReport(string Backup, string Database, bool Ok, int ExitCode, string Message);
