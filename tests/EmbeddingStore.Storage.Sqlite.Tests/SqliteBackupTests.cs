// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Globalization;
using EmbeddingStore.Core;
using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Persistence;
using EmbeddingStore.Core.Vectors;
using EmbeddingStore.Core.Versioning;

namespace EmbeddingStore.Storage.Sqlite.Tests;

public sealed class SqliteBackupTests
{
    private const int Dimension = 8;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Backup_DuringConcurrentWrites_RestoresConsistentPrefixThatVerifies()
    {
        using var db = new TempDatabase();
        string backup = Path.Combine(db.Directory, "backups", "during-writes.db");
        string restored = Path.Combine(db.Directory, "restored.db");
        var random = new Random(21);
        float[][] vectors = [.. Enumerable.Range(0, 300).Select(_ => RandomVector(random))];
        using (SqliteEmbeddingRepository repository = SqliteEmbeddingRepository.Open(db.FilePath))
        using (var engine = new EmbeddingEngine(repository))
        {
            await engine.LoadAsync(Ct);
            await engine.RegisterModelVersionAsync("text", "v1", Dimension, DistanceMetric.DotProduct, false, Ct);
            await engine.PutCollectionAsync("docs", "text@v1", Ct);

            // Item i is written by the i-th transaction, strictly in order; the backup starts once 50 are committed and
            // runs while the writer goes on.
            var fiftyCommitted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Task writer = Task.Run(
                async () =>
                {
                    for (int i = 0; i < vectors.Length; i++)
                    {
                        Assert.True((await engine.UpsertItemsAsync("docs", [new ItemUpsert(Id(i), null, new Dictionary<string, float[]> { ["text@v1"] = vectors[i] })], Ct)).IsSuccess);
                        if (i == 49)
                        {
                            fiftyCommitted.SetResult();
                        }
                    }
                },
                Ct);
            await fiftyCommitted.Task;
            StoreResult<long> copied = await engine.BackupAsync(backup, Ct);
            await writer;

            Assert.True(copied.IsSuccess, copied.Error?.Message);
            Assert.True(copied.Value > 0);
            VerifyReport live = (await engine.VerifyAsync(Ct)).Value!;
            Assert.True(live.IsOk, string.Join(" ", live.Problems));
            Assert.Equal((300, 300), (Assert.Single(live.Collections).StoredItems, live.Collections[0].MemoryItems));
        }

        FileVerification verification = SqliteBackup.Restore(backup, restored);

        Assert.True(verification.IsOk, string.Join(" ", verification.Problems));
        Assert.Equal("ok", verification.IntegrityCheck);
        using SqliteEmbeddingRepository reopened = SqliteEmbeddingRepository.Open(restored);
        using var restoredEngine = new EmbeddingEngine(reopened);
        await restoredEngine.LoadAsync(Ct);
        ScrollPage page = restoredEngine.Scroll("docs", null, 1000, withVectors: true).Value!;
        int count = page.Items.Count;
        Assert.InRange(count, 50, 300);

        // A prefix: exactly items 0..count-1, each with the vector that was written.
        Assert.Equal(Enumerable.Range(0, count).Select(Id), page.Items.Select(i => i.Id));
        Assert.All(page.Items, item => Assert.Equal(vectors[int.Parse(item.Id[1..], CultureInfo.InvariantCulture)], item.Vectors!["text@v1"]));
        Assert.Equal(count, verification.Collections["docs"].Vectors["text@v1"]);
        Assert.True((await restoredEngine.VerifyAsync(Ct)).Value!.IsOk);
    }

    [Fact]
    public async Task BackupAndRestore_ExistingDestination_RefusedFileUnchanged()
    {
        using var db = new TempDatabase();
        string existing = Path.Combine(db.Directory, "existing.db");
        await File.WriteAllTextAsync(existing, "keep me", Ct);
        using (SqliteEmbeddingRepository repository = SqliteEmbeddingRepository.Open(db.FilePath))
        using (var engine = new EmbeddingEngine(repository))
        {
            await engine.LoadAsync(Ct);
            StoreResult<long> refused = await engine.BackupAsync(existing, Ct);
            Assert.Equal(StoreErrorCode.InvalidArgument, refused.Error!.Code);
            Assert.Contains("never overwrites", refused.Error.Message, StringComparison.Ordinal);
            Assert.Equal(StoreErrorCode.InvalidArgument, (await engine.BackupAsync(db.FilePath, Ct)).Error!.Code);
        }

        Assert.Throws<IOException>(() => SqliteBackup.Restore(db.FilePath, existing));
        Assert.Throws<IOException>(() => SqliteBackup.Restore(existing + ".missing", Path.Combine(db.Directory, "new.db")));
        Assert.Equal("keep me", await File.ReadAllTextAsync(existing, Ct));
        Assert.False(File.Exists(Path.Combine(db.Directory, "new.db")));
        Assert.Empty(Directory.GetFiles(db.Directory, "*.partial-*"));
    }

    [Fact]
    public async Task Verify_DerivedVectorWhoseLinkIsMissing_ReportsLineageFault()
    {
        using var db = new TempDatabase();
        var v1 = new ModelVersion(ModelVersionId.Create("text", "v1"), 2, DistanceMetric.DotProduct, false, DateTimeOffset.UnixEpoch);
        using (SqliteEmbeddingRepository repository = SqliteEmbeddingRepository.Open(db.FilePath))
        {
            await repository.SaveModelVersionAsync(v1, Ct);
            await repository.SaveCollectionAsync(new CollectionRecord("docs", v1.Id, DateTimeOffset.UnixEpoch, Core.Indexes.IndexKind.Exact), Ct);
            await repository.UpsertItemsAsync("docs", [
                new StoredItem("a", null, [new StoredVector(v1.Id, [1f, 0f])]),
                new StoredItem("b", null, [new StoredVector(v1.Id, [0f, 1f], VectorOrigin.Derived, "lnk-gone")]),
            ], Ct);
        }

        FileVerification verification = SqliteBackup.Verify(db.FilePath);

        Assert.False(verification.IsOk);
        StoredCounts docs = verification.Collections["docs"];
        Assert.Equal((2L, 1L, 1L), (docs.Items, docs.DerivedVectors, docs.DerivedWithoutLink));
        Assert.Contains("1 derived vectors name a link that does not exist", Assert.Single(verification.Problems), StringComparison.Ordinal);
    }

    private static string Id(int i) => "i" + i.ToString("D4", CultureInfo.InvariantCulture);

    private static float[] RandomVector(Random random) => [.. Enumerable.Range(0, Dimension).Select(_ => (float)((random.NextDouble() * 2) - 1))];
}
