// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core;

namespace EmbeddingStore.Server.Infrastructure;

// Drives the engine's job runner for the life of the host. Registered after EngineStartup, so it starts once memory (and
// the stored jobs) are loaded; a stop interrupts the current chunk, whose job then resumes at the next start.
internal sealed class JobRunnerService(EmbeddingEngine engine) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => engine.Jobs.RunAsync(stoppingToken);
}
