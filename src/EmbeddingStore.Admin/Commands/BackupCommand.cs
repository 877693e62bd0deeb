// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.CommandLine;
using EmbeddingStore.Admin.Cli;
using EmbeddingStore.Contracts;

namespace EmbeddingStore.Admin.Commands;

// `esadmin backup <path>`: an online backup into the server's Backup:Directory (a consistent copy while writes go on).
// Restoring is offline, on the server's machine: `EmbeddingStore.Server restore <backup> <new.db>`.
internal sealed class BackupCommand : IAdminCommand
{
    public Command Create(AdminContext context)
    {
        var path = new Argument<string>("path") { Description = "The backup's file name inside the server's Backup:Directory; never overwritten" };
        var command = new Command("backup", "Take an online backup into the server's backup directory") { path };
        return ServerCall.SingleCommand(
            context,
            command,
            (parseResult, client, cancellationToken) => client.BackupAsync(parseResult.GetRequiredValue(path), cancellationToken),
            EmbeddingStoreJsonContext.Default.BackupResponse,
            b => $"backed up to {b.Path}: {b.Bytes} bytes in {b.TookMs:0.#} ms");
    }
}
