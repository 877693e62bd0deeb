// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Globalization;
using EmbeddingStore.Core;
using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Vectors;
using EmbeddingStore.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace EmbeddingStore.Tests.Shared.Sqlite;

// Real database files for the tests of SQLite's integrity check at open (the repository's and
// the server process's): one written through the engine, and one of its pages destroyed.
internal static class SqliteFiles
{
    // 300 items of 64 dimensions in collection "docs" (version text@v1): the vectors table spans many pages, so its root
    // page is an interior page whose loss quick_check must report.
    public static async Task WriteItemsAsync(string path, CancellationToken cancellationToken)
    {
        var random = new Random(7);
        using SqliteEmbeddingRepository repository = SqliteEmbeddingRepository.Open(path);
        using var engine = new EmbeddingEngine(repository);
        await engine.LoadAsync(cancellationToken);
        await engine.RegisterModelVersionAsync("text", "v1", 64, DistanceMetric.CosineSimilarity, normalized: false, cancellationToken);
        await engine.PutCollectionAsync("docs", "text@v1", cancellationToken);
        ItemUpsert[] items = [.. Enumerable.Range(0, 300).Select(i => new ItemUpsert(
            i.ToString("D4", CultureInfo.InvariantCulture), null, new Dictionary<string, float[]> { ["text@v1"] = Vector(random) }))];
        Assert.True((await engine.UpsertItemsAsync("docs", items, cancellationToken)).IsSuccess);
        repository.Checkpoint();
    }

    public static float[] Vector(Random random) => [.. Enumerable.Range(0, 64).Select(_ => (float)(random.NextDouble() - 0.5))];

    // Overwrites a table's root page with 0xFF bytes (no valid b-tree page type), with every other page left as it was.
    public static void OverwriteRootPage(string path, string table)
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
