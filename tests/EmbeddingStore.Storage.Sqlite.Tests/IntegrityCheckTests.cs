// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core;
using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Vectors;
using EmbeddingStore.Core.Versioning;
using EmbeddingStore.Tests.Shared.Sqlite;
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
        await SqliteFiles.WriteItemsAsync(db.FilePath, Ct);
        SqliteFiles.OverwriteRootPage(db.FilePath, "vectors");
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
        await SqliteFiles.WriteItemsAsync(db.FilePath, Ct);
        SqliteFiles.OverwriteRootPage(db.FilePath, "vectors");
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
        await SqliteFiles.WriteItemsAsync(db.FilePath, Ct);

        using (SqliteEmbeddingRepository repository = SqliteEmbeddingRepository.Open(db.FilePath, overlapIntegrityCheck: true))
        using (var engine = new EmbeddingEngine(repository))
        {
            await engine.LoadAsync(Ct);
            await repository.IntegrityChecked;
            Assert.True((await engine.UpsertItemsAsync("docs", [new ItemUpsert("late", null, new Dictionary<string, float[]> { ["text@v1"] = SqliteFiles.Vector(new Random(9)) })], Ct)).IsSuccess);
        }

        using var connection = new SqliteConnection($"Data Source={db.FilePath};Pooling=False");
        connection.Open();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM items WHERE item_id = 'late';";
        Assert.Equal(1L, (long)command.ExecuteScalar()!);
    }
}
