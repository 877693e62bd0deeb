// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Globalization;
using EmbeddingStore.Core;
using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Vectors;
using EmbeddingStore.Core.Versioning;
using Microsoft.Data.Sqlite;

namespace EmbeddingStore.Storage.Sqlite.Tests;

// SQLite's quick_check at open, run before Open returns or overlapped with start-up's reads: either way a file with a
// corrupt page is refused, is never written, and says why.
public sealed class IntegrityCheckTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Open_CorruptPage_RefusesAndLeavesFileUnchanged()
    {
        using var db = new TempDatabase();
        await WriteItemsAsync(db.FilePath);
        CorruptRootPage(db.FilePath, "vectors");
        byte[] before = File.ReadAllBytes(db.FilePath);

        SqliteStoreOpenException ex = Assert.Throws<SqliteStoreOpenException>(() => SqliteEmbeddingRepository.Open(db.FilePath));

        Assert.Contains("failed SQLite's integrity check (Tree ", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', ex.Message);
        Assert.Equal(before, File.ReadAllBytes(db.FilePath));
    }

    [Fact]
    public async Task Open_OverlappedCheckOnCorruptPage_CheckFaultsWritesRefusedFileUnchanged()
    {
        using var db = new TempDatabase();
        await WriteItemsAsync(db.FilePath);
        CorruptRootPage(db.FilePath, "vectors");
        byte[] before = File.ReadAllBytes(db.FilePath);

        using (SqliteEmbeddingRepository repository = SqliteEmbeddingRepository.Open(db.FilePath, overlapIntegrityCheck: true))
        {
            SqliteStoreOpenException ex = await Assert.ThrowsAsync<SqliteStoreOpenException>(() => repository.IntegrityChecked);
            Assert.Contains("failed SQLite's integrity check", ex.Message, StringComparison.Ordinal);

            // A write waits for the verdict and is refused by it; the shutdown checkpoint leaves the file alone.
            var version = new ModelVersion(ModelVersionId.Create("other", "v1"), 4, DistanceMetric.CosineSimilarity, true, DateTimeOffset.UnixEpoch);
            await Assert.ThrowsAsync<SqliteStoreOpenException>(() => repository.SaveModelVersionAsync(version, Ct));
            repository.Checkpoint();
        }

        Assert.Equal(before, File.ReadAllBytes(db.FilePath));
    }

    [Fact]
    public async Task Open_OverlappedCheckOnHealthyFile_PassesAndWritesCommit()
    {
        using var db = new TempDatabase();
        await WriteItemsAsync(db.FilePath);

        using (SqliteEmbeddingRepository repository = SqliteEmbeddingRepository.Open(db.FilePath, overlapIntegrityCheck: true))
        using (var engine = new EmbeddingEngine(repository))
        {
            await engine.LoadAsync(Ct);
            await repository.IntegrityChecked;
            Assert.True((await engine.UpsertItemsAsync("docs", [new ItemUpsert("late", null, new Dictionary<string, float[]> { ["text@v1"] = Vector(new Random(9)) })], Ct)).IsSuccess);
        }

        using var connection = new SqliteConnection($"Data Source={db.FilePath};Pooling=False");
        connection.Open();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM items WHERE item_id = 'late';";
        Assert.Equal(1L, (long)command.ExecuteScalar()!);
    }

    // 300 items of 64 dimensions: the vectors table spans many pages, so its root page is an interior page whose loss
    // quick_check must report.
    private static async Task WriteItemsAsync(string path)
    {
        var random = new Random(7);
        using (SqliteEmbeddingRepository repository = SqliteEmbeddingRepository.Open(path))
        using (var engine = new EmbeddingEngine(repository))
        {
            await engine.LoadAsync(Ct);
            await engine.RegisterModelVersionAsync("text", "v1", 64, DistanceMetric.CosineSimilarity, normalized: false, Ct);
            await engine.PutCollectionAsync("docs", "text@v1", Ct);
            ItemUpsert[] items = [.. Enumerable.Range(0, 300).Select(i => new ItemUpsert(
                i.ToString("D4", CultureInfo.InvariantCulture), null, new Dictionary<string, float[]> { ["text@v1"] = Vector(random) }))];
            Assert.True((await engine.UpsertItemsAsync("docs", items, Ct)).IsSuccess);
            repository.Checkpoint();
        }
    }

    private static float[] Vector(Random random) => [.. Enumerable.Range(0, 64).Select(_ => (float)(random.NextDouble() - 0.5))];

    // Overwrites a table's root page with 0xFF bytes (no valid b-tree page type), with every other page left as it was.
    private static void CorruptRootPage(string path, string table)
    {
        long rootPage;
        long pageSize;
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            using SqliteCommand command = connection.CreateCommand();
            command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
            command.ExecuteNonQuery();
            command.CommandText = "SELECT rootpage FROM sqlite_schema WHERE type = 'table' AND name = $name;";
            command.Parameters.AddWithValue("$name", table);
            rootPage = (long)command.ExecuteScalar()!;
            command.Parameters.Clear();
            command.CommandText = "PRAGMA page_size;";
            pageSize = (long)command.ExecuteScalar()!;
        }

        Assert.True(rootPage > 1, $"the {table} table's root page is {rootPage}");
        using FileStream file = File.Open(path, FileMode.Open, FileAccess.ReadWrite);
        file.Position = (rootPage - 1) * pageSize;
        file.Write(Enumerable.Repeat((byte)0xFF, (int)pageSize).ToArray());
    }
}
