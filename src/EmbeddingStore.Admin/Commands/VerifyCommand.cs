// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.CommandLine;
using EmbeddingStore.Admin.Cli;
using EmbeddingStore.Contracts;

namespace EmbeddingStore.Admin.Commands;

// `esadmin verify`: the running store's integrity check and its stored counts against memory; exit 1 when anything is off.
internal sealed class VerifyCommand : IAdminCommand
{
    public Command Create(AdminContext context) => ServerCall.SingleCommand(
        context,
        new Command("verify", "Check the store's integrity, stored counts against memory, and lineage; exit 1 on any fault"),
        (_, client, cancellationToken) => client.VerifyAsync(cancellationToken),
        EmbeddingStoreJsonContext.Default.VerifyResponse,
        Text,
        v => v.Ok ? 0 : 1);

    private static string Text(VerifyResponse v) => v.Ok
        ? $"ok: integrity {v.IntegrityCheck}, schema {v.SchemaVersion}, {v.Collections.Count} collections, {v.Collections.Sum(c => c.StoredItems)} items, " +
          $"{v.Collections.Sum(c => c.StoredVectors.Values.Sum())} vectors, stored equals memory"
        : "faults: " + string.Join(" ", v.Problems);
}
