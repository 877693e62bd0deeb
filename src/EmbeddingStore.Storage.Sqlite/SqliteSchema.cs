// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;

namespace EmbeddingStore.Storage.Sqlite;

/// <summary>
/// Applies the numbered scripts of <c>schema/sqlite</c> (embedded in this assembly) in order, each in its own
/// transaction together with its row in <c>schema_migrations</c> and <c>PRAGMA user_version</c>, so a crash mid-upgrade
/// leaves the file at the previous version, never in between.
/// </summary>
public static partial class SqliteSchema
{
    private const string ResourcePrefix = "schema.sqlite.";

    /// <summary>The migrations this build knows, ordered by number.</summary>
    public static IReadOnlyList<(int Number, string Name, string Sql)> Migrations { get; } = LoadMigrations();

    /// <summary>The newest schema version this build can open.</summary>
    public static int LatestVersion => Migrations.Count == 0 ? 0 : Migrations[^1].Number;

    /// <summary>
    /// Reads the file's schema version without writing anything, so a file from a newer server is refused while it
    /// is still untouched.
    /// </summary>
    public static int ReadVersion(SqliteConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = "PRAGMA user_version;";
        return Convert.ToInt32(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    /// <summary>Applies every migration newer than the file's version; returns how many were applied.</summary>
    public static int Apply(SqliteConnection connection, TimeProvider timeProvider) => Apply(connection, timeProvider, Migrations);

    // The runner over any ordered list of scripts, so tests can stop at an old version or add a faulty script.
    internal static int Apply(SqliteConnection connection, TimeProvider timeProvider, IEnumerable<(int Number, string Name, string Sql)> migrations)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(timeProvider);
        int current = ReadVersion(connection);
        int applied = 0;
        foreach ((int number, string name, string sql) in migrations)
        {
            if (number <= current)
            {
                continue;
            }

            // A script that rebuilds a table other tables reference (SQLite's only way to change a column's constraint)
            // runs with foreign-key enforcement off, as SQLite's ALTER TABLE documentation prescribes: dropping the old
            // table must not cascade or fail. The pragma is a no-op inside a transaction, so it is set around it, and
            // the transaction commits only if every reference still resolves afterwards.
            bool rebuild = RebuildsTables(sql);
            if (rebuild)
            {
                Execute(connection, "PRAGMA foreign_keys = OFF;");
            }

            try
            {
                ApplyOne(connection, timeProvider, number, name, sql, rebuild);
            }
            finally
            {
                if (rebuild)
                {
                    Execute(connection, "PRAGMA foreign_keys = ON;");
                }
            }

            applied++;
        }

        return applied;
    }

    /// <summary>
    /// Whether a script declares (with a <c>-- rebuilds tables</c> line) that it replaces a referenced table and so
    /// must run with foreign-key enforcement off and a foreign-key check before it commits.
    /// </summary>
    internal static bool RebuildsTables(string sql) =>
        sql.Split('\n').Any(line => string.Equals(line.Trim(), RebuildMarker, StringComparison.Ordinal));

    private const string RebuildMarker = "-- rebuilds tables";

    private static void ApplyOne(SqliteConnection connection, TimeProvider timeProvider, int number, string name, string sql, bool rebuild)
    {
        using SqliteTransaction transaction = connection.BeginTransaction();
        using (SqliteCommand command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = "CREATE TABLE IF NOT EXISTS schema_migrations (number INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL);";
            command.ExecuteNonQuery();
            command.CommandText = sql;
            command.ExecuteNonQuery();
            if (rebuild)
            {
                command.CommandText = "PRAGMA foreign_key_check;";
                using SqliteDataReader violations = command.ExecuteReader();
                if (violations.Read())
                {
                    throw new InvalidOperationException(
                        $"Schema script {name} left a dangling reference in table '{violations.GetString(0)}' (row {violations.GetValue(1)}); it was rolled back.");
                }
            }

            command.CommandText = "INSERT INTO schema_migrations (number, name, applied_at) VALUES ($number, $name, $at);";
            command.Parameters.AddWithValue("$number", number);
            command.Parameters.AddWithValue("$name", name);
            command.Parameters.AddWithValue("$at", timeProvider.GetUtcNow().ToString("O", CultureInfo.InvariantCulture));
            command.ExecuteNonQuery();
            command.Parameters.Clear();

            // user_version takes no parameters; the number comes from a resource name matched by a strict pattern.
            command.CommandText = $"PRAGMA user_version = {number.ToString(CultureInfo.InvariantCulture)};";
            command.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static List<(int Number, string Name, string Sql)> LoadMigrations()
    {
        Assembly assembly = typeof(SqliteSchema).Assembly;
        var migrations = new List<(int Number, string Name, string Sql)>();
        foreach (string resource in assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            {
                continue;
            }

            string fileName = resource[ResourcePrefix.Length..];
            Match match = MigrationName().Match(fileName);
            if (!match.Success)
            {
                throw new InvalidOperationException($"Schema script '{fileName}' is not named NNNN_name.sql.");
            }

            using Stream stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            migrations.Add((int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), fileName, reader.ReadToEnd()));
        }

        migrations.Sort((a, b) => a.Number.CompareTo(b.Number));
        for (int i = 0; i < migrations.Count; i++)
        {
            if (migrations[i].Number != i + 1)
            {
                throw new InvalidOperationException($"Schema scripts must be numbered 1, 2, 3, ... without gaps; found {migrations[i].Name} at position {i + 1}.");
            }
        }

        return migrations;
    }

    [GeneratedRegex(@"^(\d{4})_[a-z0-9_]+\.sql$")]
    private static partial Regex MigrationName();
}
