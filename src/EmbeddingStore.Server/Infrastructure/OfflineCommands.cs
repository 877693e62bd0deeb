// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Storage.Sqlite;

namespace EmbeddingStore.Server.Infrastructure;

// `embeddingstore restore <backup> <new-database>` and `embeddingstore verify <database>`: offline, on files, with no
// server running against them. Restore writes a new file only (never over an existing one, so never over the live
// database); point Storage:Path at it to serve it. One line per outcome; exit 0 when sound, 1 otherwise, 2 on misuse.
internal static class OfflineCommands
{
    public static bool TryRun(string[] args, out int exitCode)
    {
        exitCode = 0;
        if (args.Length == 0 || args[0] is not ("restore" or "verify"))
        {
            return false;
        }

        try
        {
            exitCode = args switch
            {
                ["restore", string backup, string destination] => Report(SqliteBackup.Restore(backup, destination), $"restored {backup} into"),
                ["verify", string path] => Report(SqliteBackup.Verify(path), "verified"),
                _ => Usage(),
            };
        }
        catch (IOException ex)
        {
            Console.Error.WriteLine("embeddingstore: " + ex.Message);
            exitCode = 1;
        }
        catch (SqliteStoreOpenException ex)
        {
            Console.Error.WriteLine("embeddingstore: " + ex.Message);
            exitCode = 1;
        }
        catch (Microsoft.Data.Sqlite.SqliteException ex)
        {
            Console.Error.WriteLine("embeddingstore: the file cannot be read as a database: " + ex.Message);
            exitCode = 1;
        }

        return true;
    }

    private static int Report(FileVerification verification, string what)
    {
        long items = verification.Collections.Values.Sum(c => c.Items);
        long vectors = verification.Collections.Values.Sum(c => c.Vectors.Values.Sum());
        if (!verification.IsOk)
        {
            Console.Error.WriteLine($"embeddingstore: {what} {verification.Path}: " + string.Join(" ", verification.Problems));
            return 1;
        }

        Console.WriteLine(
            $"{what} {verification.Path}: integrity ok, schema {verification.SchemaVersion}, {verification.Collections.Count} collections, {items} items, {vectors} vectors");
        return 0;
    }

    private static int Usage()
    {
        Console.Error.WriteLine("embeddingstore: usage: restore <backup.db> <new-database.db> | verify <database.db>");
        return 2;
    }
}
