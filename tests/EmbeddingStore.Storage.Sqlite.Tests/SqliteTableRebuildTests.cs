// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Globalization;
using EmbeddingStore.Core;
using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Vectors;
using EmbeddingStore.Core.Versioning;
using Microsoft.Data.Sqlite;

namespace EmbeddingStore.Storage.Sqlite.Tests;

// Migrations that rebuild a referenced table (0011 widens model_versions' metric CHECK, 0012 lets collections'
// serving_version_id be NULL) run with foreign keys off and commit only when every reference still resolves; a file
// written before them keeps every row and every link.
public sealed class SqliteTableRebuildTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly (int Number, string Name, string Sql)[] s_beforeRebuild =
        [.. SqliteSchema.Migrations.TakeWhile(m => !SqliteSchema.RebuildsTables(m.Sql))];

    [Fact]
    public async Task Open_FileBeforeMetricRebuild_KeepsRowsAndReferencesAndAcceptsL1()
    {
        Assert.NotEmpty(s_beforeRebuild);
        Assert.True(s_beforeRebuild.Length < SqliteSchema.Migrations.Count, "no migration rebuilds a table");
        using var db = new TempDatabase();
        using (SqliteConnection connection = OpenRaw(db.FilePath))
        {
            SqliteSchema.Apply(connection, TimeProvider.System, s_beforeRebuild);
            Seed(connection);
        }

        using (SqliteEmbeddingRepository repository = SqliteEmbeddingRepository.Open(db.FilePath))
        using (var engine = new EmbeddingEngine(repository))
        {
            await engine.LoadAsync(Ct);
            Assert.Equal([1f, 2f], engine.GetItem("docs", "a", withVectors: true).Value!.Vectors!["text@v1"]);
            StoreResult<Outcome<ModelVersion>> l1 = await engine.RegisterModelVersionAsync("counts", "v1", 4, DistanceMetric.Manhattan, normalized: false, Ct);
            Assert.True(l1.IsSuccess, l1.Error?.Message);
        }

        using SqliteConnection check = OpenRaw(db.FilePath);
        Assert.Equal(SqliteSchema.LatestVersion.ToString(CultureInfo.InvariantCulture), Scalar(check, "PRAGMA user_version;"));
        Assert.Equal("", Scalar(check, "SELECT group_concat(\"table\") FROM pragma_foreign_key_check;"));
        Assert.Equal("1|text|v1|dot", Scalar(check, "SELECT id || '|' || model || '|' || version || '|' || metric FROM model_versions WHERE model = 'text';"));
        Assert.Equal("l1", Scalar(check, "SELECT metric FROM model_versions WHERE model = 'counts';"));
        Assert.Equal("1", Scalar(check, "SELECT count(*) FROM links WHERE from_version_id = 1 AND to_version_id = 2;"));

        // The CHECK still refuses a name no build knows, and the references still bind to the rebuilt table.
        Assert.Throws<SqliteException>(() => Scalar(check, "INSERT INTO model_versions (model, version, dimension, metric, normalized, created_at) VALUES ('x', 'v', 2, 'hamming', 0, 'now');"));
        Assert.Throws<SqliteException>(() => Scalar(check, "INSERT INTO vectors (item_rowid, version_id, data) VALUES (1, 99, X'00');"));
    }

    [Fact]
    public async Task Open_FileBeforeNullableServingRebuild_KeepsRowsAndRoundTripsCollectionWithoutServing()
    {
        (int Number, string Name, string Sql)[] beforeNullable = [.. SqliteSchema.Migrations.TakeWhile(m => !m.Name.Contains("without_serving_version", StringComparison.Ordinal))];
        Assert.True(beforeNullable.Length < SqliteSchema.Migrations.Count, "no migration makes the serving version nullable");
        using var db = new TempDatabase();
        using (SqliteConnection connection = OpenRaw(db.FilePath))
        {
            SqliteSchema.Apply(connection, TimeProvider.System, beforeNullable);
            Seed(connection);
            Scalar(connection, "UPDATE collections SET default_index = 'int8', default_index_kind = 'hnsw', index_settings = '{\"m\":8}' WHERE name = 'docs';");
        }

        using (SqliteEmbeddingRepository repository = SqliteEmbeddingRepository.Open(db.FilePath))
        using (var engine = new EmbeddingEngine(repository))
        {
            await engine.LoadAsync(Ct);
            CollectionInfo docs = engine.GetCollection("docs").Value!;
            Assert.Equal(("text@v1", "hnsw", 8), (docs.ServingVersion, docs.DefaultIndex.ToString(), docs.IndexSettings!.M));
            Assert.Equal([1f, 2f], engine.GetItem("docs", "a", withVectors: true).Value!.Vectors!["text@v1"]);
            Assert.True((await engine.PutCollectionAsync("pending", null, Ct)).IsSuccess);
            Assert.True((await engine.UpsertItemsAsync("pending", [new ItemUpsert("p", null, new Dictionary<string, float[]>())], Ct)).IsSuccess);
        }

        using (SqliteEmbeddingRepository repository = SqliteEmbeddingRepository.Open(db.FilePath))
        using (var engine = new EmbeddingEngine(repository))
        {
            await engine.LoadAsync(Ct);
            CollectionInfo pending = engine.GetCollection("pending").Value!;
            Assert.Equal((null, 1L), (pending.ServingVersion, pending.ItemCount));
            Assert.Equal("text@v1", engine.GetCollection("docs").Value!.ServingVersion);
        }

        using SqliteConnection check = OpenRaw(db.FilePath);
        Assert.Equal(SqliteSchema.LatestVersion.ToString(CultureInfo.InvariantCulture), Scalar(check, "PRAGMA user_version;"));
        Assert.Equal("", Scalar(check, "SELECT group_concat(\"table\") FROM pragma_foreign_key_check;"));
        Assert.Equal("1|docs|1|int8|hnsw", Scalar(check, "SELECT id || '|' || name || '|' || serving_version_id || '|' || default_index || '|' || default_index_kind FROM collections WHERE name = 'docs';"));
        Assert.Equal("1|1", Scalar(check, "SELECT (SELECT count(*) FROM items WHERE collection_id = 1) || '|' || (SELECT count(*) FROM vectors);"));

        // The references still bind: a serving version must exist, the default index keeps its CHECK, and deleting a
        // collection still cascades to its items.
        Assert.Throws<SqliteException>(() => Scalar(check, "UPDATE collections SET serving_version_id = 99 WHERE name = 'docs';"));
        Assert.Throws<SqliteException>(() => Scalar(check, "UPDATE collections SET default_index = 'bogus' WHERE name = 'docs';"));
        Scalar(check, "DELETE FROM collections WHERE name = 'docs';");
        Assert.Equal("0", Scalar(check, "SELECT count(*) FROM items WHERE item_id = 'a';"));
    }

    [Fact]
    public void Apply_RebuildLeavingDanglingReference_RollsBackAndRestoresForeignKeys()
    {
        using var db = new TempDatabase();
        using SqliteConnection connection = OpenRaw(db.FilePath);
        SqliteSchema.Apply(connection, TimeProvider.System, s_beforeRebuild);
        Seed(connection);
        int before = s_beforeRebuild[^1].Number;

        // A faulty rebuild: the new table loses the row that collections, vectors and links point at.
        (int, string, string) faulty = (before + 1, "faulty.sql", """
            -- rebuilds tables
            CREATE TABLE model_versions_new (id INTEGER PRIMARY KEY, model TEXT NOT NULL, version TEXT NOT NULL, dimension INTEGER NOT NULL, metric TEXT NOT NULL, normalized INTEGER NOT NULL, created_at TEXT NOT NULL);
            INSERT INTO model_versions_new SELECT * FROM model_versions WHERE id <> 1;
            DROP TABLE model_versions;
            ALTER TABLE model_versions_new RENAME TO model_versions;
            """);

        var error = Assert.Throws<InvalidOperationException>(() => SqliteSchema.Apply(connection, TimeProvider.System, [.. s_beforeRebuild, faulty]));

        Assert.Contains("faulty.sql", error.Message, StringComparison.Ordinal);
        Assert.Equal(before.ToString(CultureInfo.InvariantCulture), Scalar(connection, "PRAGMA user_version;"));
        Assert.Equal("2", Scalar(connection, "SELECT count(*) FROM model_versions;"));
        Assert.Equal("1", Scalar(connection, "PRAGMA foreign_keys;"));
    }

    [Fact]
    public void RebuildsTables_MarkerOnItsOwnLineOnly_IsRecognised()
    {
        Assert.True(SqliteSchema.RebuildsTables("-- first line\n  -- rebuilds tables  \nCREATE TABLE t (x);"));
        Assert.False(SqliteSchema.RebuildsTables("-- this script never rebuilds tables\nCREATE TABLE t (x);"));
        Assert.False(SqliteSchema.RebuildsTables("CREATE TABLE t (x);"));
    }

    private static SqliteConnection OpenRaw(string path)
    {
        var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        Scalar(connection, "PRAGMA foreign_keys = ON;");
        return connection;
    }

    // Two model versions, a collection serving the first, one item with a vector, and a link between the versions.
    private static void Seed(SqliteConnection connection)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = """
        INSERT INTO model_versions (model, version, dimension, metric, normalized, created_at) VALUES ('text', 'v1', 2, 'dot', 0, '2026-01-01T00:00:00Z');
        INSERT INTO model_versions (model, version, dimension, metric, normalized, created_at) VALUES ('text', 'v2', 2, 'l2', 0, '2026-01-01T00:00:00Z');
        INSERT INTO collections (name, serving_version_id, created_at) VALUES ('docs', 1, '2026-01-01T00:00:00Z');
        INSERT INTO items (collection_id, item_id, payload) VALUES (1, 'a', '{"k":1}');
        INSERT INTO vectors (item_rowid, version_id, data) VALUES (1, 1, X'0000803F00000040');
        INSERT INTO links (id, from_version_id, to_version_id, kind, bridge, created_at) VALUES ('l-1', 1, 2, 'identity', $bridge, '2026-01-01T00:00:00Z');
        """;
        command.Parameters.AddWithValue("$bridge", new IdentityBridge(2).Serialize());
        command.ExecuteNonQuery();
    }

    private static string Scalar(SqliteConnection connection, string sql)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToString(command.ExecuteScalar(), CultureInfo.InvariantCulture) ?? "";
    }
}
