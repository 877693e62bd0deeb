// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Text.Json;
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
