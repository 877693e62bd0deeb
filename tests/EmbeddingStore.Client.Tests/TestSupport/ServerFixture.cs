// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Tests.Shared;

namespace EmbeddingStore.Client.Tests.TestSupport;

// One real server process per test class; tests keep apart by using their own collection and model names.
public sealed class ServerFixture : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "es-client-tests", Guid.NewGuid().ToString("N"));
    private ServerProcess? _server;

    public Uri Address => _server!.Address;

    // Where the server may write backups (Backup:Directory).
    public string BackupDirectory => Path.Combine(_directory, "backups");

    public async ValueTask InitializeAsync() =>
        _server = await ServerProcess.StartAsync(
            Path.Combine(_directory, "store.db"), TestContext.Current.CancellationToken, settings: ["--Backup:Directory", BackupDirectory]);

    public ValueTask DisposeAsync()
    {
        _server?.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }

        return ValueTask.CompletedTask;
    }

    // A client with the built-in retry handler over an optional fault injector, with back-off shrunk to a millisecond so
    // retries do not slow the suite (no test asserts on time).
    public EmbeddingStoreClient CreateClient(FaultInjectingHandler? inner = null, int maxRetries = 3, string? apiKey = null) =>
        new(new EmbeddingStoreClientOptions
        {
            BaseAddress = Address,
            MaxRetries = maxRetries,
            RetryBaseDelay = TimeSpan.FromMilliseconds(1),
            MaxRetryDelay = TimeSpan.FromMilliseconds(5),
            ApiKey = apiKey,
        }, inner?.WithNetwork());
}
