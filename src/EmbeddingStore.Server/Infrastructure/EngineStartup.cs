// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core;
using EmbeddingStore.Storage.Sqlite;
using Microsoft.Extensions.Options;

namespace EmbeddingStore.Server.Infrastructure;

// Loads the engine from the database (hosted services start before Kestrel listens, so with Startup:WaitForLoad the
// server accepts requests only once loaded; without it the load runs in the background and readiness says when it is
// done), and folds the WAL into the main file on a clean shutdown.
internal sealed partial class EngineStartup(
    EmbeddingEngine engine,
    SqliteEmbeddingRepository repository,
    ServerReadiness readiness,
    IOptions<StartupOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<EngineStartup> logger) : IHostedService
{
    private Task _background = Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.WaitForLoad)
        {
            return LoadAsync(cancellationToken);
        }

        _background = Task.Run(async () =>
        {
            try
            {
                await LoadAsync(lifetime.ApplicationStopping);
            }
            catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested)
            {
                // Stopped while loading: nothing to report.
            }
#pragma warning disable CA1031 // Whatever failed, a server that can never become ready must not stay up looking alive.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                // One clear line, as a foreground load gives, then stop with a non-zero exit.
                LogLoadFailed(logger, ex.Message);
                Environment.ExitCode = 1;
                lifetime.StopApplication();
            }
        }, CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _background.WaitAsync(cancellationToken);
        repository.Checkpoint();
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        await readiness.LoadGate.WaitAsync(cancellationToken);
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        await engine.LoadAsync(cancellationToken);
        readiness.MarkLoaded();
        LogLoaded(logger, repository.Path, engine.ListCollections().Count, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded {Path}: {Collections} collections in {Milliseconds:F0} ms")]
    private static partial void LogLoaded(ILogger logger, string path, int collections, double milliseconds);

    [LoggerMessage(Level = LogLevel.Critical, Message = "embeddingstore: {Reason}")]
    private static partial void LogLoadFailed(ILogger logger, string reason);
}
