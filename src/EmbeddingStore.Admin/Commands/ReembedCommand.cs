// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.CommandLine;
using System.Text.Json;
using EmbeddingStore.Admin.Cli;
using EmbeddingStore.Client;
using EmbeddingStore.Contracts;

namespace EmbeddingStore.Admin.Commands;

// `esadmin reembed export|import`: the client side of a `reembed` migration. export writes the items still waiting for
// a native vector (id and payload, in the migration's pending order) as JSONL for whatever runs the new model; import
// uploads the vectors it produced, from JSONL `{"id", "vector"}` or an .fvecs file with an ids file (one id per line, row
// i is line i). The whole input is read and checked before anything is sent; each batch is stored whole or not at all.
internal sealed class ReembedCommand : IAdminCommand
{
    public Command Create(AdminContext context)
    {
        var command = new Command("reembed", "Export the items a re-embedding migration waits for, and import their new vectors");
        command.Subcommands.Add(Export(context));
        command.Subcommands.Add(Import(context));
        return command;
    }

    private static Command Export(AdminContext context)
    {
        var limit = new Option<int?>("--limit") { Description = "Export at most this many items (default: every pending item)", HelpName = "N" };
        var batch = new Option<int>("--batch") { Description = "Items per request (default 100)", DefaultValueFactory = _ => 100, HelpName = "N" };
        var output = new Option<string?>("--out") { Description = "Write the JSONL to this new file (default: stdout)", HelpName = "FILE" };
        var command = new Command("export", "Write pending items (id, payload) as JSONL, in the migration's pending order") { limit, batch, output };
        (Option<string> collection, Option<string?> to, Option<string?> id) = FindOptions(command);
        ServerCall.AddOptions(command, context);
        limit.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is <= 0)
            {
                result.AddError("--limit must be positive");
            }
        });
        batch.Validators.Add(BatchRange);
        command.Validators.Add(result =>
        {
            if (result.GetValue(context.Shared.Json) && result.GetValue(output) is null)
            {
                result.AddError("--json needs --out: the export itself is JSONL on stdout");
            }
        });
        command.SetAction((parseResult, ct) => ServerCall.RunAsync(parseResult, context, async client =>
        {
            string c = parseResult.GetRequiredValue(collection);
            MigrationResponse migration = await MigrateCommand.FindAsync(client, c, parseResult.GetValue(to), parseResult.GetValue(id), ct);
            string? path = parseResult.GetValue(output);
            if (path is not null && File.Exists(path))
            {
                throw new CommandInputException($"reembed export: '{path}' exists; the export never overwrites");
            }

            // Into a temporary file renamed at the end, so a refusal half-way leaves no half export behind.
            string? partial = path is null ? null : path + ".partial-" + Guid.NewGuid().ToString("N")[..8];
            int max = parseResult.GetValue(limit) ?? int.MaxValue, pageSize = parseResult.GetValue(batch), exported = 0;
            long remaining = 0;
            try
            {
                using (TextWriter writer = partial is null ? TextWriter.Null : new StreamWriter(partial))
                {
                    TextWriter target = partial is null ? context.Out : writer;
                    string? cursor = null;
                    do
                    {
                        PendingItemsResponse page = await client.GetPendingItemsAsync(c, migration.Id, Math.Min(pageSize, max - exported), cursor, ct);
                        remaining = page.Remaining;
                        foreach (PendingItemResponse item in page.Items)
                        {
                            await target.WriteLineAsync(JsonSerializer.Serialize(item, EmbeddingStoreJsonContext.Default.PendingItemResponse));
                        }

                        exported += page.Items.Count;
                        cursor = page.NextCursor;
                    }
                    while (cursor is not null && exported < max);
                }

                if (partial is not null)
                {
                    File.Move(partial, path!);
                }
            }
            finally
            {
                if (partial is not null && File.Exists(partial))
                {
                    File.Delete(partial);
                }
            }

            if (path is not null)
            {
                var report = new ReembedExportReport(migration.Id, exported, remaining, Path.GetFullPath(path));
                await context.Out.WriteLineAsync(parseResult.GetValue(context.Shared.Json)
                    ? JsonSerializer.Serialize(report, AdminJsonContext.Default.ReembedExportReport)
                    : $"exported {exported} of {remaining} pending items of {migration.Id} to {path}");
            }

            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Import(AdminContext context)
    {
        var jsonl = new Option<string?>("--jsonl") { Description = "JSONL of {\"id\", \"vector\"} (vector: a JSON array, or base64 of little-endian float32); - for stdin", HelpName = "FILE" };
        var fvecs = new Option<string?>("--fvecs") { Description = "An .fvecs file of the new vectors (needs --ids)", HelpName = "FILE" };
        var ids = new Option<string?>("--ids") { Description = "The ids of the .fvecs rows, one per line, in row order", HelpName = "FILE" };
        var batch = new Option<int>("--batch") { Description = "Vectors per request, each stored whole or not at all (default 100)", DefaultValueFactory = _ => 100, HelpName = "N" };
        var command = new Command("import", "Upload re-embedded vectors for a re-embedding migration's items") { jsonl, fvecs, ids, batch };
        (Option<string> collection, Option<string?> to, Option<string?> id) = FindOptions(command);
        ServerCall.AddOptions(command, context);
        command.Validators.Add(result =>
        {
            bool fromJsonl = result.GetValue(jsonl) is not null, fromFvecs = result.GetValue(fvecs) is not null, withIds = result.GetValue(ids) is not null;
            if (fromJsonl == fromFvecs)
            {
                result.AddError("give either --jsonl FILE or --fvecs FILE --ids FILE");
            }
            else if (fromFvecs != withIds)
            {
                result.AddError(fromFvecs ? "--fvecs needs --ids (one id per row)" : "--ids goes with --fvecs");
            }
        });
        batch.Validators.Add(BatchRange);
        command.SetAction((parseResult, ct) => ServerCall.RunAsync(parseResult, context, async client =>
        {
            // Everything is read and checked first: a bad line is exit 2 with nothing sent.
            IReadOnlyList<MigrationVectorItem> items = parseResult.GetValue(jsonl) is { } file
                ? await ReadJsonlAsync(file, context, ct)
                : ReadFvecs(parseResult.GetRequiredValue(fvecs)!, parseResult.GetRequiredValue(ids)!);
            string c = parseResult.GetRequiredValue(collection);
            MigrationResponse migration = await MigrateCommand.FindAsync(client, c, parseResult.GetValue(to), parseResult.GetValue(id), ct);
            int size = parseResult.GetValue(batch), stored = 0;
            foreach (MigrationVectorItem[] chunk in items.Chunk(size))
            {
                try
                {
                    MigrationVectorsResponse answer = await client.AddMigrationVectorsAsync(c, migration.Id, chunk, ct);
                    stored += answer.Stored;
                    migration = answer.Migration;
                }
                catch (EmbeddingStoreException ex) when (stored > 0)
                {
                    throw new CommandFailedException($"{stored} of {items.Count} vectors were stored (batches of {size}, each whole) before the server refused: {ServerCall.ProblemLine(ex)}");
                }
            }

            var report = new ReembedImportReport(stored, migration);
            await context.Out.WriteLineAsync(parseResult.GetValue(context.Shared.Json)
                ? JsonSerializer.Serialize(report, AdminJsonContext.Default.ReembedImportReport)
                : $"imported {stored} vectors into {migration.Collection} ({migration.Id}): native {Format.Percent(migration.NativeFraction)} " +
                  $"({Format.Count(migration.NativeVectors)} of {Format.Count(migration.Items)}), {migration.State}");
            return ExitCodes.Ok;
        }));
        return command;
    }

    // Option validators run only when the option is given (a command validator would see 0, not the default, for an
    // option left out).
    private static void BatchRange(System.CommandLine.Parsing.OptionResult result)
    {
        if (result.GetValueOrDefault<int>() is <= 0 or > 10_000)
        {
            result.AddError("--batch must be 1 to 10000");
        }
    }

    private static (Option<string> Collection, Option<string?> To, Option<string?> Id) FindOptions(Command command)
    {
        var collection = new Option<string>("--collection") { Description = "The collection (or an alias of it)", Required = true, HelpName = "NAME" };
        var to = new Option<string?>("--to") { Description = "The migration's target version (default: the newest migration of the collection)", HelpName = "VERSION" };
        var id = new Option<string?>("--id") { Description = "The migration's id, instead of --to", HelpName = "ID" };
        command.Options.Add(collection);
        command.Options.Add(to);
        command.Options.Add(id);
        return (collection, to, id);
    }

    private static async Task<IReadOnlyList<MigrationVectorItem>> ReadJsonlAsync(string file, AdminContext context, CancellationToken cancellationToken)
    {
        var items = new List<MigrationVectorItem>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        using TextReader reader = file == "-" ? TextReader.Synchronized(context.In) : OpenText(file);
        int number = 0;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            MigrationVectorItem? item;
            try
            {
                item = JsonSerializer.Deserialize(line, EmbeddingStoreJsonContext.Default.MigrationVectorItem);
            }
            catch (JsonException ex)
            {
                throw new CommandInputException($"reembed import: {file} line {number}: {ServerCall.OneLine(ex.Message)}");
            }

            if (item is null || string.IsNullOrEmpty(item.Id))
            {
                throw new CommandInputException($"reembed import: {file} line {number}: needs {{\"id\": \"...\", \"vector\": [...]}}");
            }

            Add(items, seen, item, $"{file} line {number}");
        }

        return items.Count > 0 ? items : throw new CommandInputException($"reembed import: {file} holds no vectors");
    }

    private static List<MigrationVectorItem> ReadFvecs(string fvecs, string idsFile)
    {
        VecsMatrix<float> matrix;
        string[] ids;
        try
        {
            matrix = VecsFile.ReadFvecs(fvecs);
            ids = [.. File.ReadAllLines(idsFile).Select(l => l.Trim()).Where(l => l.Length > 0)];
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            throw new CommandInputException($"reembed import: {ServerCall.OneLine(ex.Message)}");
        }

        if (ids.Length != matrix.Count)
        {
            throw new CommandInputException($"reembed import: {fvecs} has {matrix.Count} rows but {idsFile} has {ids.Length} ids; row i needs id i");
        }

        var items = new List<MigrationVectorItem>(ids.Length);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < ids.Length; i++)
        {
            Add(items, seen, new MigrationVectorItem { Id = ids[i], Vector = matrix.Row(i).ToArray() }, $"{idsFile} line {i + 1}");
        }

        return items;
    }

    private static void Add(List<MigrationVectorItem> items, HashSet<string> seen, MigrationVectorItem item, string where)
    {
        if (!seen.Add(item.Id))
        {
            throw new CommandInputException($"reembed import: {where}: id '{item.Id}' appears twice");
        }

        if (items.Count > 0 && item.Vector.Length != items[0].Vector.Length)
        {
            throw new CommandInputException($"reembed import: {where}: {item.Vector.Length} floats where the first vector has {items[0].Vector.Length}");
        }

        if (item.Vector.Length == 0 || item.Vector.Any(x => !float.IsFinite(x)))
        {
            throw new CommandInputException($"reembed import: {where}: the vector is empty or holds NaN or infinity");
        }

        items.Add(item);
    }

    private static StreamReader OpenText(string file)
    {
        try
        {
            return File.OpenText(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CommandInputException($"reembed import: {ServerCall.OneLine(ex.Message)}");
        }
    }
}

// `reembed export --out F --json`: what was written where, and how many items the migration still waits for.
internal sealed record ReembedExportReport(string Migration, int Exported, long Remaining, string File);

// `reembed import --json`: vectors stored, and the migration after the last batch.
internal sealed record ReembedImportReport(int Imported, MigrationResponse Migration);
