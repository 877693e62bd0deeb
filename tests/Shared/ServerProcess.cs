// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Diagnostics;
using System.Text.RegularExpressions;

namespace EmbeddingStore.Tests.Shared;

// The real server as a separate OS process on 127.0.0.1 with an ephemeral port, started from its build output the way
// an operator would run it. Kill() is SIGKILL: no shutdown hook runs, so what survives is what was committed.
public sealed partial class ServerProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _output;

    private ServerProcess(Process process, Uri address, List<string> output)
    {
        _process = process;
        Address = address;
        _output = output;
    }

    public Uri Address { get; }

    public static async Task<ServerProcess> StartAsync(
        string databasePath, CancellationToken cancellationToken, string urls = "http://127.0.0.1:0", IEnumerable<string>? settings = null)
    {
        string serverDirectory = Path.Combine(RepositoryRoot.Path, "src", "EmbeddingStore.Server", "bin", RepositoryRoot.Configuration, "net10.0");
        string serverDll = Path.Combine(serverDirectory, "EmbeddingStore.Server.dll");
        if (!File.Exists(serverDll))
        {
            throw new InvalidOperationException($"{serverDll} does not exist; build the solution first.");
        }

        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = serverDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // Extra settings are command-line pairs ("--Limits:MaxK", "100", ...), as an operator would pass them.
        foreach (string arg in new[] { serverDll, "--urls", urls, "--Storage:Path", databasePath, "--Logging:LogLevel:Default", "Information" }.Concat(settings ?? []))
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        var process = new Process { StartInfo = start };
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var lines = new List<string>();
        var errorClosed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                // Standard output closing first says nothing of standard error, where a refusal is written: the
                // message is built only once both streams are drained, or it can come out empty.
                _ = errorClosed.Task.WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(
                    _ =>
                    {
                        lock (lines)
                        {
                            listening.TrySetException(new InvalidOperationException("The server exited before listening:\n" + string.Join('\n', lines)));
                        }
                    },
                    TaskScheduler.Default);
                return;
            }

            lock (lines)
            {
                lines.Add(e.Data);
            }

            Match match = ListeningLine().Match(e.Data);
            if (match.Success)
            {
                listening.TrySetResult(new Uri(match.Groups[1].Value));
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                errorClosed.TrySetResult();
                return;
            }

            lock (lines)
            {
                lines.Add(e.Data);
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            Uri address = await listening.Task.WaitAsync(TimeSpan.FromSeconds(180), cancellationToken);
            return new ServerProcess(process, address, lines);
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }
    }

    // Peak resident memory of the server process (VmHWM), in bytes; Linux only, null elsewhere.
    public long? PeakWorkingSet()
    {
        string status = $"/proc/{_process.Id}/status";
        if (!File.Exists(status))
        {
            return null;
        }

        foreach (string line in File.ReadLines(status))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
            }
        }

        return null;
    }

    // Every line the process has written so far (stdout and stderr), for tests that read its log.
    public IReadOnlyList<string> Output()
    {
        lock (_output)
        {
            return [.. _output];
        }
    }

    public HttpClient CreateClient() => new() { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(60) };

    // SIGTERM, as a service manager or `docker stop` sends it; returns the exit code once the process has stopped.
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        using (Process kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    [GeneratedRegex(@"Now listening on: (http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningLine();
}
