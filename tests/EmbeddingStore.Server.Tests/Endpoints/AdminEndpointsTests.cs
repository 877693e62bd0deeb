// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Net;
using EmbeddingStore.Contracts;
using EmbeddingStore.Server.Infrastructure;
using EmbeddingStore.Server.Tests.TestSupport;
using EmbeddingStore.Tests.Shared;

namespace EmbeddingStore.Server.Tests.Endpoints;

// Backup and verify over real HTTP, and the offline restore and verify verbs on the files they produce.
public sealed class AdminEndpointsTests : IDisposable
{
    private readonly string _backups = Path.Combine(Path.GetTempPath(), "es-backups-" + Guid.NewGuid().ToString("N"));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_backups, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task Backup_ThenVerifyAndOfflineRestore_AllSound()
    {
        using var factory = new ServerFactory(new Dictionary<string, string?> { ["Backup:Directory"] = _backups });
        HttpClient client = factory.CreateClient();
        await SeedAsync(client);

        var backup = await Api.PostAsync(client, "/v1/admin/backup", """{"path": "nightly.db"}""", Ct);
        Assert.Equal(HttpStatusCode.OK, backup.Status);
        Assert.Equal("nightly.db", (string?)backup.Body!["path"]);
        Assert.True((long)backup.Body["bytes"]! > 0);

        var verify = await Api.GetAsync(client, "/v1/admin/verify", Ct);
        Assert.Equal(HttpStatusCode.OK, verify.Status);
        Assert.True((bool)verify.Body!["ok"]!, verify.Body.ToJsonString());
        Assert.Equal("ok", (string?)verify.Body["integrityCheck"]);
        var docs = verify.Body["collections"]!.AsArray().Single()!;
        Assert.Equal((3L, 3L), ((long)docs["storedItems"]!, (long)docs["memoryItems"]!));
        Assert.Equal(3, (long)docs["storedVectors"]!["text@v1"]!);
        Assert.Equal(3, (long)docs["memoryVectors"]!["text@v1"]!);

        string restored = Path.Combine(_backups, "restored.db");
        Assert.True(OfflineCommands.TryRun(["verify", Path.Combine(_backups, "nightly.db")], out int verifyExit));
        Assert.Equal(0, verifyExit);
        Assert.True(OfflineCommands.TryRun(["restore", Path.Combine(_backups, "nightly.db"), restored], out int restoreExit));
        Assert.Equal(0, restoreExit);
        Assert.True(OfflineCommands.TryRun(["restore", Path.Combine(_backups, "nightly.db"), restored], out int againExit));
        Assert.Equal(1, againExit);
        Assert.True(OfflineCommands.TryRun(["restore", "only-one-argument"], out int usageExit));
        Assert.Equal(2, usageExit);

        using var reopened = new ServerFactory(new Dictionary<string, string?> { ["Storage:Path"] = restored });
        var search = await Api.PostAsync(reopened.CreateClient(), "/v1/collections/docs/search", """{"vector": [1, 0], "k": 5}""", Ct);
        Assert.Equal(HttpStatusCode.OK, search.Status);
        Assert.Equal(3, search.Body!["hits"]!.AsArray().Count);
    }

    [Theory]
    [InlineData("""{"path": "../escape.db"}""", "leaves the backup directory")]
    [InlineData("""{"path": "/tmp/absolute.db"}""", "inside the backup directory")]
    [InlineData("""{"path": "sub/../../escape.db"}""", "leaves the backup directory")]
    public async Task Backup_PathOutsideDirectory_Refused400(string body, string message)
    {
        using var factory = new ServerFactory(new Dictionary<string, string?> { ["Backup:Directory"] = _backups });
        HttpClient client = factory.CreateClient();

        var response = await Api.PostAsync(client, "/v1/admin/backup", body, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal(ProblemTypes.InvalidArgument, (string?)response.Body!["type"]);
        Assert.Contains(message, (string?)response.Body["detail"], StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(Path.GetDirectoryName(_backups)!, "escape.db")));
    }

    [Fact]
    public async Task Backup_ExistingFileOrNoDirectory_Refused400()
    {
        using (var factory = new ServerFactory(new Dictionary<string, string?> { ["Backup:Directory"] = _backups }))
        {
            HttpClient client = factory.CreateClient();
            Assert.Equal(HttpStatusCode.OK, (await Api.PostAsync(client, "/v1/admin/backup", """{"path": "once.db"}""", Ct)).Status);
            var again = await Api.PostAsync(client, "/v1/admin/backup", """{"path": "once.db"}""", Ct);
            Assert.Equal(HttpStatusCode.BadRequest, again.Status);
            Assert.Contains("never overwrites", (string?)again.Body!["detail"], StringComparison.Ordinal);
        }

        using var unconfigured = new ServerFactory();
        var disabled = await Api.PostAsync(unconfigured.CreateClient(), "/v1/admin/backup", """{"path": "x.db"}""", Ct);
        Assert.Equal(HttpStatusCode.BadRequest, disabled.Status);
        Assert.Contains("Backup:Directory", (string?)disabled.Body!["detail"], StringComparison.Ordinal);
    }

    private static async Task SeedAsync(HttpClient client)
    {
        await Api.PutAsync(client, "/v1/models/text/versions/v1", """{"dimension": 2, "metric": "cosine"}""", Ct);
        await Api.PutAsync(client, "/v1/collections/docs", """{"servingVersion": "text@v1"}""", Ct);
        await Api.PostAsync(client, "/v1/collections/docs/items", """
            {"items": [{"id": "a", "vectors": {"text@v1": [1, 0]}}, {"id": "b", "vectors": {"text@v1": [0, 1]}}, {"id": "c", "vectors": {"text@v1": [1, 1]}}]}
            """, Ct);
    }
}
