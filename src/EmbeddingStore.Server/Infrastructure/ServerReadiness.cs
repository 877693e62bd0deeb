// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Server.Infrastructure;

// Whether the server may take traffic: ready once the schema is applied and every collection's segments are in
// memory, and not ready again from the moment shutdown begins (ApplicationStopping fires before Kestrel stops, so a
// load balancer polling /health/ready drains this instance while in-flight requests finish).
internal sealed class ServerReadiness
{
    private readonly TaskCompletionSource _loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _stopping;

    public ServerReadiness(IHostApplicationLifetime lifetime) => lifetime.ApplicationStopping.Register(MarkStopping);

    // Awaited by the loader before it loads: always complete in production; tests hold it to see the not-ready state.
    public Task LoadGate { get; init; } = Task.CompletedTask;

    public bool IsLoaded => _loaded.Task.IsCompleted;

    public bool IsStopping => _stopping;

    public bool IsReady => IsLoaded && !_stopping;

    // Why the server is not ready, for the 503 problem's detail; null when ready.
    public string? Reason => _stopping ? "The server is shutting down."
        : !IsLoaded ? "The database is still being loaded into memory." : null;

    public void MarkLoaded() => _loaded.TrySetResult();

    public void MarkStopping() => _stopping = true;
}
