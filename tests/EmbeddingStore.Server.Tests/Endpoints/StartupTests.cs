// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using EmbeddingStore.Tests.Shared;
using EmbeddingStore.Tests.Shared.Sqlite;

namespace EmbeddingStore.Server.Tests.Endpoints;

// Start-up as an operator meets it: the built server as a process, started from folders other than its own.
public sealed class StartupTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "es-startup-tests", Guid.NewGuid().ToString("N"));

    public StartupTests() => Directory.CreateDirectory(_directory);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string ServerDirectory => Path.Combine(RepositoryRoot.Path, "src", "EmbeddingStore.Server", "bin", RepositoryRoot.Configuration, "net10.0");

    [Fact]
    public async Task Start_PortInUse_RefusesWithOneLineAndExitCode4()
    {
        using var occupier = new TcpListener(IPAddress.Loopback, 0);
        occupier.Start();
        int port = ((IPEndPoint)occupier.LocalEndpoint).Port;

        (int exitCode, List<string> output) = await RunToExitAsync(_directory, "--urls", $"http://127.0.0.1:{port}", "--Storage:Path", Path.Combine(_directory, "p.db"));

        Assert.Equal(4, exitCode);
        string refusal = Assert.Single(output, l => l.StartsWith("embeddingstore:", StringComparison.Ordinal));
        Assert.Contains($"cannot listen: Failed to bind to address http://127.0.0.1:{port}: address already in use", refusal, StringComparison.Ordinal);
        Assert.DoesNotContain(output, l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Start_DatabaseNotSqlite_RefusesWithOneLineAndExitCode1(bool waitForLoad)
    {
        string database = Path.Combine(_directory, "garbage.db");
        await File.WriteAllTextAsync(database, "this is not a SQLite file", Ct);

        (int exitCode, List<string> output) = await RunToExitAsync(
            _directory, "--urls", "http://127.0.0.1:0", "--Storage:Path", database, "--Startup:WaitForLoad", waitForLoad ? "true" : "false");

        Assert.Equal(1, exitCode);
        string refusal = Assert.Single(output, l => l.StartsWith("embeddingstore:", StringComparison.Ordinal));
        Assert.Contains("cannot be opened", refusal, StringComparison.Ordinal);
        Assert.DoesNotContain(output, l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal));
        Assert.Equal("this is not a SQLite file", await File.ReadAllTextAsync(database, Ct));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Start_DatabaseFailsIntegrityCheck_RefusesWithOneLineAndExitCode1(bool waitForLoad)
    {
        // The server overlaps SQLite's quick_check with the load; a corrupt page must still keep it from ever being ready.
        string database = Path.Combine(_directory, "corrupt.db");
        await SqliteFiles.WriteItemsAsync(database, Ct);
        SqliteFiles.OverwriteRootPage(database, "vectors");
        byte[] before = await File.ReadAllBytesAsync(database, Ct);

        (int exitCode, List<string> output) = await RunToExitAsync(
            _directory, "--urls", "http://127.0.0.1:0", "--Storage:Path", database, "--Startup:WaitForLoad", waitForLoad ? "true" : "false");

        Assert.Equal(1, exitCode);
        string refusal = Assert.Single(output, l => l.TrimStart().StartsWith("embeddingstore:", StringComparison.Ordinal));
        Assert.Contains("failed SQLite's integrity check (Tree ", refusal, StringComparison.Ordinal);

        // One line: not a stack trace, and not SQLite's list of every page the lost one orphaned.
        Assert.DoesNotContain(output, l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal) || l.TrimStart().StartsWith("Page ", StringComparison.Ordinal));
        Assert.Equal(before, await File.ReadAllBytesAsync(database, Ct));
    }

    [Fact]
    public async Task Start_FromAnotherFolder_ReadsConfigurationFromItsOwnFolder()
    {
        // The content root used to be the working directory, so started from anywhere but its project folder the server
        // ignored its appsettings.json (and listened on localhost:5000).
        using Process process = Start(_directory, "--urls", "http://127.0.0.1:0", "--Storage:Path", Path.Combine(_directory, "c.db"));
        try
        {
            string? contentRoot = null;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(60));
            while (contentRoot is null && await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                if (line.Contains("Content root path: ", StringComparison.Ordinal))
                {
                    contentRoot = line[(line.IndexOf("Content root path: ", StringComparison.Ordinal) + "Content root path: ".Length)..].Trim();
                }
            }

            Assert.Equal(Path.TrimEndingDirectorySeparator(ServerDirectory), Path.TrimEndingDirectorySeparator(contentRoot!));
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(Ct);
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }

    private static async Task<(int ExitCode, List<string> Output)> RunToExitAsync(string workingDirectory, params string[] args)
    {
        using Process process = Start(workingDirectory, args);
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(Ct);
        Task<string> stderr = process.StandardError.ReadToEndAsync(Ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        string text = await stdout + await stderr;
        return (process.ExitCode, [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries)]);
    }

    private static Process Start(string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(ServerDirectory, "EmbeddingStore.Server.dll"));
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        // The server's own folder is found from the application, never from the working directory.
        return Process.Start(start)!;
    }
}
