// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.CommandLine;
using EmbeddingStore.Admin.Cli;
using EmbeddingStore.Contracts;

namespace EmbeddingStore.Admin.Commands;

// `esadmin verify`: the running store's integrity check and its stored counts against memory; exit 1 when anything is
// off. The first line is the verdict; the table below it has the counts per collection.
internal sealed class VerifyCommand : IAdminCommand
{
    public Command Create(AdminContext context) => ServerCall.DocumentCommand(
        context,
        new Command("verify", "Check the store's integrity, stored counts against memory, and lineage; exit 1 on any fault"),
        (_, client, cancellationToken) => client.VerifyAsync(cancellationToken),
        EmbeddingStoreJsonContext.Default.VerifyResponse,
        async v =>
        {
            await context.Out.WriteLineAsync(Verdict(v));
            await TextTable.Of(
                "collections",
                ["COLLECTION", "ITEMS STORED", "ITEMS IN MEMORY", "VECTORS STORED", "VECTORS IN MEMORY", "DERIVED", "DERIVED WITHOUT LINK"],
                v.Collections.Select(c => (IReadOnlyList<string>)
                [
                    c.Collection, Format.Count(c.StoredItems), Format.Count(c.MemoryItems), Counts(c.StoredVectors), Counts(c.MemoryVectors),
                    Format.Count(c.DerivedVectors), Format.Count(c.DerivedWithoutLink),
                ])).WriteAsync(context);
        },
        v => v.Ok ? ExitCodes.Ok : ExitCodes.Refused);

    private static string Counts(IReadOnlyDictionary<string, long> counts) =>
        string.Join(", ", counts.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={Format.Count(kv.Value)}"));

    private static string Verdict(VerifyResponse v) => v.Ok
        ? $"ok: integrity {v.IntegrityCheck}, schema {v.SchemaVersion}, {v.Collections.Count} collections, {v.Collections.Sum(c => c.StoredItems)} items, " +
          $"{v.Collections.Sum(c => c.StoredVectors.Values.Sum())} vectors, stored equals memory"
        : "faults: " + string.Join(" ", v.Problems);
}
