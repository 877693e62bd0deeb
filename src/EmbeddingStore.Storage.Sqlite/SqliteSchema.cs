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
    public static int Apply(SqliteConnection connection, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(timeProvider);
        int current = ReadVersion(connection);
        int applied = 0;
        foreach ((int number, string name, string sql) in Migrations)
        {
            if (number <= current)
            {
                continue;
            }

            using SqliteTransaction transaction = connection.BeginTransaction();
            using (SqliteCommand command = connection.CreateCommand())
            {
                command.Transaction = transaction;
                command.CommandText = "CREATE TABLE IF NOT EXISTS schema_migrations (number INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL);";
                command.ExecuteNonQuery();
                command.CommandText = sql;
                command.ExecuteNonQuery();
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
            applied++;
        }

        return applied;
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
