// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core;
using EmbeddingStore.Storage.Sqlite;

namespace EmbeddingStore.Server.Infrastructure;

// Loads the engine from the database before the server accepts requests (hosted services start before Kestrel
// listens), and folds the WAL into the main file on a clean shutdown.
internal sealed partial class EngineStartup(EmbeddingEngine engine, SqliteEmbeddingRepository repository, ILogger<EngineStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        await engine.LoadAsync(cancellationToken);
        LogLoaded(logger, repository.Path, engine.ListCollections().Count, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        repository.Checkpoint();
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded {Path}: {Collections} collections in {Milliseconds:F0} ms")]
    private static partial void LogLoaded(ILogger logger, string path, int collections, double milliseconds);
}
