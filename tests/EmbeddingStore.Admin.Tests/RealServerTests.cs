// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Text.Json;
using EmbeddingStore.Client;
using EmbeddingStore.Contracts;
using EmbeddingStore.Tests.Shared;

namespace EmbeddingStore.Admin.Tests;

// esadmin against the server as a separate process on 127.0.0.1 (real sockets, no in-memory transport): reachable,
// then killed, and the offline restore run through the server program itself.
public sealed class RealServerTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "es-admin-real-" + Guid.NewGuid().ToString("N"));

    public RealServerTests() => Directory.CreateDirectory(_directory);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string ServerDll => Path.Combine(RepositoryRoot.Path, "src", "EmbeddingStore.Server", "bin", RepositoryRoot.Configuration, "net10.0", "EmbeddingStore.Server.dll");

    private static string Str(JsonDocument document, string name) => document.RootElement.GetProperty(name).GetString()!;

    // esadmin ... --json --server address: exit 0 and its one document.
    private static async Task<JsonDocument> JsonAsync(string address, params string[] args)
    {
        (int code, string output, string errors) = await AdminRun.RunAsync([.. args, "--json", "--server", address], cancellationToken: Ct);
        Assert.True(code == 0, $"esadmin {string.Join(' ', args)}: {errors}");
        return JsonDocument.Parse(output);
    }

    // Counts equal at every step: every item keeps its m@a vector and holds a derived m@b one, nothing lost or doubled.
    private static async Task AssertCountsAsync(string address, string serving, long items)
    {
        using JsonDocument view = await JsonAsync(address, "collections", "show", "docs");
        JsonElement collection = view.RootElement.GetProperty("collection");
        JsonElement counts = collection.GetProperty("vectorCounts");
        Assert.Equal(
            (serving, items, items, items),
            (collection.GetProperty("servingVersion").GetString(), collection.GetProperty("itemCount").GetInt64(), counts.GetProperty("m@a").GetInt64(), counts.GetProperty("m@b").GetInt64()));
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task ServerDown_AfterKill_UnreachableExitThreeOneLineNothingOnStdout()
    {
        using ServerProcess server = await ServerProcess.StartAsync(Path.Combine(_directory, "store.db"), Ct);
        string address = server.Address.ToString();

        (int code, string output, string errors) = await AdminRun.RunAsync(["status", "--server", address, "--json"], cancellationToken: Ct);
        Assert.True(code == 0, errors);
        Assert.Equal("healthy", JsonDocument.Parse(output).RootElement.GetProperty("health").GetProperty("status").GetString());

        server.Kill();
        foreach (string[] args in new[] { ["status", "--server", address], ["collections", "show", "docs", "--server", address, "--json"], new[] { "verify", "--server", address } })
        {
            (code, output, errors) = await AdminRun.RunAsync(args, cancellationToken: Ct);
            Assert.Equal(3, code);
            Assert.Empty(output);
            Assert.Single(errors.Trim().Split('\n'));
            Assert.StartsWith($"esadmin: cannot reach {address}: ", errors, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Upgrade_TransformKilledMidJob_ResumesCompletesCutsOverAndRollsBackThroughEsadmin()
    {
        const int Items = 1_500;
        string database = Path.Combine(_directory, "upgrade.db");
        string[] slowJobs = ["--Jobs:ChunkSize", "50", "--Jobs:PauseBetweenChunksMs", "200"];
        UpgradeSeed seed;
        string migration;
        long seenDone;
        using (ServerProcess server = await ServerProcess.StartAsync(database, Ct, settings: slowJobs))
        {
            string address = server.Address.ToString();
            using (var client = new EmbeddingStoreClient(server.CreateClient()))
            {
                seed = await UpgradeSeed.CreateAsync(client, "docs", Items, Ct);
            }

            using JsonDocument link = await JsonAsync(address, "links", "fit", "--from", "m@a", "--to", "m@b", "--collection", "pairs", "--kind", "procrustes");
            using JsonDocument planned = await JsonAsync(address, "migrate", "plan", "--collection", "docs", "--to", "m@b", "--strategy", "transform", "--link", Str(link, "id"));
            migration = Str(planned, "id");
            Assert.Equal("planned", Str(planned, "state"));
            using JsonDocument started = await JsonAsync(address, "migrate", "start", "--collection", "docs", "--to", "m@b");
            Assert.Equal((migration, "running"), (Str(started, "id"), Str(started, "state")));

            // Poll (bounded by the test's token) until a few chunks are committed, then kill -9 mid-job.
            while (true)
            {
                using JsonDocument shown = await JsonAsync(address, "migrate", "show", "--collection", "docs", "--to", "m@b");
                seenDone = shown.RootElement.GetProperty("progress").GetProperty("done").GetInt64();
                Assert.Equal("running", Str(shown, "state"));
                if (seenDone >= 150)
                {
                    break;
                }

                await Task.Delay(20, Ct);
            }

            server.Kill();
        }

        Assert.True(seenDone < Items, "the job finished before the kill; slow it down");
        using (ServerProcess server = await ServerProcess.StartAsync(database, Ct, settings: slowJobs))
        {
            string address = server.Address.ToString();
            using JsonDocument resumed = await JsonAsync(address, "migrate", "resume", "--collection", "docs", "--to", "m@b");
            Assert.True(resumed.RootElement.GetProperty("progress").GetProperty("done").GetInt64() >= seenDone);
            Assert.Contains(Str(resumed, "state"), new[] { "running", "completed" });

            (int code, string output, string errors) = await AdminRun.RunAsync(["migrate", "watch", "--collection", "docs", "--interval", "0.1", "--server", address], cancellationToken: Ct);
            Assert.True(code == 0, errors);
            Assert.EndsWith($"\tcompleted\t{Items}/{Items} (100.0 %)\tnative 0.0 %", output.Trim(), StringComparison.Ordinal);
            await AssertCountsAsync(address, "m@a", Items);

            using JsonDocument cutOver = await JsonAsync(address, "migrate", "cutover", "--collection", "docs", "--to", "m@b");
            Assert.Equal("cut-over", Str(cutOver, "state"));
            server.Kill();
        }

        using (ServerProcess server = await ServerProcess.StartAsync(database, Ct))
        {
            string address = server.Address.ToString();
            await AssertCountsAsync(address, "m@b", Items);
            using var client = new EmbeddingStoreClient(server.CreateClient());
            SearchResponse inNew = await client.SearchAsync("docs", new SearchRequest { Vector = seed.NewVectors["item-0042"], Version = "m@b", K = 1 }, Ct);
            Assert.Equal("m@b", inNew.Hits[0].Version);

            using JsonDocument rolledBack = await JsonAsync(address, "migrate", "rollback", "--collection", "docs", "--to", "m@b");
            Assert.Equal("rolled-back", Str(rolledBack, "state"));
            await AssertCountsAsync(address, "m@a", Items);
            SearchResponse inOld = await client.SearchAsync("docs", new SearchRequest { Vector = seed.OldVectors["item-0042"], Version = "m@a", K = 1 }, Ct);
            Assert.Equal(("item-0042", "m@a"), (inOld.Hits[0].Id, inOld.Hits[0].Version));

            (int code, string output, string errors) = await AdminRun.RunAsync(["verify", "--server", address], cancellationToken: Ct);
            Assert.True(code == 0, errors);
            Assert.StartsWith("ok: integrity ok", output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Restore_BackupThroughServerProgram_NewDatabaseVerifiedAndNeverOverwritten()
    {
        string backups = Path.Combine(_directory, "backups");
        using (var factory = new ServerFactory(new Dictionary<string, string?> { ["Backup:Directory"] = backups }))
        {
            await AdminRun.SeedAsync(factory, 60, Ct);
            (int taken, _, string why) = await AdminRun.RunAsync(["backup", "b.db", "--server", "http://localhost/"], factory, cancellationToken: Ct);
            Assert.True(taken == 0, why);
        }

        string backup = Path.Combine(backups, "b.db");
        string restored = Path.Combine(_directory, "restored.db");
        (int code, string output, string errors) = await AdminRun.RunAsync(["restore", backup, restored, "--program", ServerDll, "--json"], cancellationToken: Ct);
        Assert.True(code == 0, errors);
        using (JsonDocument report = JsonDocument.Parse(output))
        {
            Assert.True(report.RootElement.GetProperty("ok").GetBoolean());
            Assert.Contains("integrity ok", report.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
            Assert.Contains("60 items, 120 vectors", report.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
        }

        Assert.True(File.Exists(restored));

        // The server serves the restored file: the counts are the seeded ones.
        using (ServerProcess server = await ServerProcess.StartAsync(restored, Ct))
        {
            (code, output, errors) = await AdminRun.RunAsync(["collections", "show", "docs", "--server", server.Address.ToString()], cancellationToken: Ct);
            Assert.True(code == 0, errors);
            Assert.Contains("items: 60", output.Split('\n', StringSplitOptions.TrimEntries));
        }

        // Never over an existing file: the server program refuses, esadmin passes its line on and exits 1.
        long length = new FileInfo(restored).Length;
        (code, output, errors) = await AdminRun.RunAsync(["restore", backup, restored, "--program", ServerDll], cancellationToken: Ct);
        Assert.Equal(1, code);
        Assert.Empty(output);
        Assert.Single(errors.Trim().Split('\n'));
        Assert.Equal(length, new FileInfo(restored).Length);
    }

    [Fact]
    public async Task Restore_WithoutProgram_NamesTheOfflineCommandExitTwo()
    {
        string backup = Path.Combine(_directory, "b.db");
        string target = Path.Combine(_directory, "new.db");

        (int code, string output, string errors) = await AdminRun.RunAsync(["restore", backup, target, "--json"], cancellationToken: Ct);
        Assert.Equal(2, code);
        Assert.Empty(output);
        Assert.Single(errors.Trim().Split('\n'));
        Assert.Contains($"run `EmbeddingStore.Server restore {backup} {target}` there", errors, StringComparison.Ordinal);

        (code, output, errors) = await AdminRun.RunAsync(
            ["restore", backup, target], cancellationToken: Ct, variables: new Dictionary<string, string> { ["ESADMIN_SERVER_PROGRAM"] = Path.Combine(_directory, "missing.dll") });
        Assert.Equal(2, code);
        Assert.Empty(output);
        Assert.Contains("missing.dll' does not exist", errors, StringComparison.Ordinal);
        Assert.False(File.Exists(target));
    }

    [Fact]
    public async Task Environment_ServerAndApiKey_UsedWhenNoOptionGiven()
    {
        string sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("right"u8));
        using ServerProcess server = await ServerProcess.StartAsync(
            Path.Combine(_directory, "keyed.db"), Ct, settings: ["--Auth:Keys:0:Name", "ops", "--Auth:Keys:0:Sha256", sha, "--Auth:Keys:0:Scopes:0", "admin"]);

        (int code, string output, string errors) = await AdminRun.RunAsync(
            ["collections", "--json"], cancellationToken: Ct, variables: new Dictionary<string, string> { ["ESADMIN_SERVER"] = server.Address.ToString(), ["ESADMIN_API_KEY"] = "right" });
        Assert.True(code == 0, errors);
        Assert.Equal(0, JsonDocument.Parse(output).RootElement.GetProperty("collections").GetArrayLength());

        // --api-key wins over the variable: a wrong one is refused by the server, exit 1.
        (code, output, errors) = await AdminRun.RunAsync(
            ["collections", "--api-key", "wrong"], cancellationToken: Ct, variables: new Dictionary<string, string> { ["ESADMIN_SERVER"] = server.Address.ToString(), ["ESADMIN_API_KEY"] = "right" });
        Assert.Equal(1, code);
        Assert.Empty(output);
        Assert.StartsWith("esadmin: 401 ", errors, StringComparison.Ordinal);
    }
}
