// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core;
using EmbeddingStore.Core.Indexes;
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
        if (readiness.IsLoaded)
        {
            // Graphs built or changed since the last save, so the next start loads them instead of rebuilding.
            engine.SaveIndexFiles();
            LogIndexFileEvents();
        }

        repository.Checkpoint();
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        await readiness.LoadGate.WaitAsync(cancellationToken);
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        Exception? loadFailure = null;
        try
        {
            await engine.LoadAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            loadFailure = ex;
        }

        // SQLite's integrity check ran beside the load; the server is ready only on a file that passed it. When both
        // failed, the check's verdict is the one to report: a corrupt page is also why the load could not read it.
        await repository.IntegrityChecked.WaitAsync(cancellationToken);
        if (loadFailure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(loadFailure);
        }

        readiness.MarkLoaded();
        LogIndexFileEvents();
        LogLoaded(logger, repository.Path, engine.ListCollections().Count, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    private void LogIndexFileEvents()
    {
        foreach (IndexFileEvent e in engine.DrainIndexFileEvents())
        {
            if (e.Outcome is IndexFileOutcome.Refused or IndexFileOutcome.Failed)
            {
                LogIndexFileProblem(logger, e.Collection, e.Version, e.Index.Name, e.Outcome, e.Detail);
            }
            else
            {
                LogIndexFile(logger, e.Collection, e.Version, e.Index.Name, e.Outcome, e.Detail);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Index file {Collection}/{Version}/{Index} {Outcome}: {Detail}")]
    private static partial void LogIndexFile(ILogger logger, string collection, string version, string? index, IndexFileOutcome outcome, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Index file {Collection}/{Version}/{Index} {Outcome}: {Detail}")]
    private static partial void LogIndexFileProblem(ILogger logger, string collection, string version, string? index, IndexFileOutcome outcome, string detail);

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded {Path}: {Collections} collections in {Milliseconds:F0} ms")]
    private static partial void LogLoaded(ILogger logger, string path, int collections, double milliseconds);

    [LoggerMessage(Level = LogLevel.Critical, Message = "embeddingstore: {Reason}")]
    private static partial void LogLoadFailed(ILogger logger, string reason);
}
