// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Globalization;
using EmbeddingStore.Core.Persistence;
using Microsoft.Data.Sqlite;

namespace EmbeddingStore.Storage.Sqlite;

/// <summary>
/// Backup, restore and verification of EmbeddingStore database files with SQLite's online backup API. A copy is written to
/// a temporary name beside its destination and renamed only when complete, so a failed or interrupted copy never leaves a
/// file that looks like a database; an existing destination is never overwritten.
/// </summary>
public static class SqliteBackup
{
    /// <summary>
    /// Copies a database (live or not) into a new file: one consistent snapshot of the committed writes, read through a
    /// connection of its own, so a running server's writes go on meanwhile (WAL readers do not block the writer).
    /// </summary>
    /// <returns>The size of the copy in bytes.</returns>
    /// <exception cref="IOException">The destination exists, or the copy cannot be written.</exception>
    public static long Copy(string sourcePath, string destinationPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sourcePath);
        ArgumentException.ThrowIfNullOrWhiteSpace(destinationPath);
        string source = Path.GetFullPath(sourcePath);
        string destination = Path.GetFullPath(destinationPath);
        if (string.Equals(source, destination, StringComparison.Ordinal))
        {
            throw new IOException($"'{destination}' is the database itself; a copy goes to a new file.");
        }

        if (File.Exists(destination))
        {
            throw new IOException($"'{Path.GetFileName(destination)}' exists; a backup or restore never overwrites a file. Choose a new name.");
        }

        string? directory = Path.GetDirectoryName(destination);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        string partial = destination + ".partial-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            using (SqliteConnection from = OpenReadOnly(source))
            using (var to = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = partial, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false }.ToString()))
            {
                to.Open();

                // One step over all pages: the source's read snapshot is held for the whole copy, so the copy is consistent.
                from.BackupDatabase(to);
                using SqliteCommand command = to.CreateCommand();

                // The copy is a single file: fold any WAL content into it before it is closed and renamed.
                command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
                command.ExecuteNonQuery();
            }

            File.Move(partial, destination, overwrite: false);
            return new FileInfo(destination).Length;
        }
        catch (SqliteException ex)
        {
            throw new IOException($"The copy to '{Path.GetFileName(destination)}' failed: {ex.Message}", ex);
        }
        finally
        {
            foreach (string leftover in new[] { partial, partial + "-wal", partial + "-shm", partial + "-journal" })
            {
                if (File.Exists(leftover))
                {
                    File.Delete(leftover);
                }
            }
        }
    }

    /// <summary>
    /// Restores a backup into a new database file, offline: the backup must pass SQLite's integrity check and be of a
    /// schema this build can open; the new file is then brought up to date and verified. The live database is never
    /// written; point the server at the new file (<c>Storage:Path</c>) to use it.
    /// </summary>
    /// <returns>The verification of the restored file.</returns>
    /// <exception cref="IOException">The destination exists, or the backup is unreadable or damaged.</exception>
    public static FileVerification Restore(string backupPath, string destinationPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(backupPath);
        if (!File.Exists(backupPath))
        {
            throw new IOException($"The backup '{backupPath}' does not exist.");
        }

        using (SqliteConnection backup = OpenReadOnly(backupPath))
        {
            string check = IntegrityCheck(backup);
            if (!string.Equals(check, "ok", StringComparison.Ordinal))
            {
                throw new IOException($"The backup '{backupPath}' failed SQLite's integrity check ({check}); nothing was restored.");
            }

            int version = SqliteSchema.ReadVersion(backup);
            if (version > SqliteSchema.LatestVersion)
            {
                throw new IOException($"The backup '{backupPath}' has schema version {version}, newer than this build ({SqliteSchema.LatestVersion}); nothing was restored.");
            }
        }

        Copy(backupPath, destinationPath);

        // Opening applies any newer migrations, exactly as a server starting on the file would.
        using (SqliteEmbeddingRepository.Open(destinationPath))
        {
        }

        return Verify(destinationPath);
    }

    /// <summary>
    /// Verifies a database file without a server: SQLite's integrity check, the schema version, and per collection the
    /// items, vectors per version and lineage faults (derived vectors whose link does not exist, vectors whose length
    /// does not match their version's dimension).
    /// </summary>
    public static FileVerification Verify(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
        {
            throw new IOException($"The database '{path}' does not exist.");
        }

        using SqliteConnection connection = OpenReadOnly(path);
        string check = IntegrityCheck(connection);
        int version = SqliteSchema.ReadVersion(connection);
        var collections = new SortedDictionary<string, StoredCounts>(StringComparer.Ordinal);
        var problems = new List<string>();
        if (!string.Equals(check, "ok", StringComparison.Ordinal))
        {
            problems.Add($"The integrity check failed: {check}");
        }
        else
        {
            using SqliteCommand names = connection.CreateCommand();
            names.CommandText = "SELECT name FROM collections ORDER BY name;";
            var all = new List<string>();
            using (SqliteDataReader reader = names.ExecuteReader())
            {
                while (reader.Read())
                {
                    all.Add(reader.GetString(0));
                }
            }

            foreach (string name in all)
            {
                StoredCounts counts = Count(connection, name);
                collections[name] = counts;
                if (counts.DerivedWithoutLink > 0)
                {
                    problems.Add($"Collection '{name}': {counts.DerivedWithoutLink} derived vectors name a link that does not exist.");
                }

                if (counts.BadLengths > 0)
                {
                    problems.Add($"Collection '{name}': {counts.BadLengths} stored vectors do not match their version's dimension.");
                }
            }
        }

        return new FileVerification(Path.GetFullPath(path), check, version, collections, problems);
    }

    internal static SqliteConnection OpenReadOnly(string path)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    internal static string IntegrityCheck(SqliteConnection connection)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = "PRAGMA integrity_check;";
        var lines = new List<string>();
        using SqliteDataReader reader = command.ExecuteReader();
        while (reader.Read())
        {
            lines.Add(reader.GetString(0));
        }

        return string.Join("; ", lines);
    }

    // One read transaction, so the counts describe one committed state.
    internal static StoredCounts Count(SqliteConnection connection, string collection)
    {
        using SqliteTransaction transaction = connection.BeginTransaction(deferred: true);
        using SqliteCommand command = connection.CreateCommand();
        command.Transaction = transaction;
        command.Parameters.AddWithValue("$name", collection);
        command.CommandText = "SELECT COUNT(*) FROM items i JOIN collections c ON c.id = i.collection_id WHERE c.name = $name;";
        long items = Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);

        command.CommandText =
            """
            SELECT m.model, m.version, COUNT(*),
                   SUM(CASE WHEN v.origin = 'derived' THEN 1 ELSE 0 END),
                   SUM(CASE WHEN v.origin = 'derived' AND (v.link_id IS NULL OR NOT EXISTS (SELECT 1 FROM links l WHERE l.id = v.link_id)) THEN 1 ELSE 0 END),
                   SUM(CASE WHEN length(v.data) <> 4 * m.dimension THEN 1 ELSE 0 END)
            FROM vectors v JOIN items i ON i.id = v.item_rowid JOIN collections c ON c.id = i.collection_id JOIN model_versions m ON m.id = v.version_id
            WHERE c.name = $name GROUP BY m.model, m.version ORDER BY m.model, m.version;
            """;
        var vectors = new SortedDictionary<string, long>(StringComparer.Ordinal);
        long derived = 0, orphaned = 0, badLengths = 0;
        using (SqliteDataReader reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                vectors[reader.GetString(0) + "@" + reader.GetString(1)] = reader.GetInt64(2);
                derived += reader.GetInt64(3);
                orphaned += reader.GetInt64(4);
                badLengths += reader.GetInt64(5);
            }
        }

        transaction.Commit();
        return new StoredCounts(items, vectors, derived, orphaned, badLengths);
    }
}
