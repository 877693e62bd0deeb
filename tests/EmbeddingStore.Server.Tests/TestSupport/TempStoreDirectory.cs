// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Server.Tests.TestSupport;

// A test class's own directory for a real SQLite file, removed when the class is disposed: Settings() points a
// ServerFactory's Storage:Path at store.db inside it, so a second factory on the same settings is a restart.
public sealed class TempStoreDirectory(string prefix) : IDisposable
{
    public string Root { get; } = Path.Combine(Path.GetTempPath(), prefix + Guid.NewGuid().ToString("N"));

    public Dictionary<string, string?> Settings() => new() { ["Storage:Path"] = Path.Combine(Root, "store.db") };

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // Nothing was written (no directory), or a file is still held by a server shutting down; the temp folder keeps it.
        }
    }
}
