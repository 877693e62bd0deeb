// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace EmbeddingStore.Tests.Shared;

// The real server in memory, on its own fresh SQLite file. Limits are lowered where a test needs to cross them cheaply.
public sealed class ServerFactory : WebApplicationFactory<Program>
{
    private readonly IReadOnlyDictionary<string, string?> _settings;

    public ServerFactory(IReadOnlyDictionary<string, string?>? settings = null)
    {
        _settings = settings ?? new Dictionary<string, string?>();
        Directory = Path.Combine(Path.GetTempPath(), "es-server-tests", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
        DatabasePath = Path.Combine(Directory, "store.db");
    }

    public string Directory { get; }

    public string DatabasePath { get; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("Storage:Path", DatabasePath);
        builder.UseSetting("Limits:MaxBatchItems", "50");
        builder.UseSetting("Limits:MaxK", "100");
        builder.UseSetting("Limits:MaxBatchQueries", "5");
        builder.UseSetting("Limits:MaxIdLength", "64");
        builder.UseSetting("Limits:MaxPayloadBytes", "2048");
        builder.UseSetting("Limits:MaxRequestBodyBytes", "262144");
        foreach ((string key, string? value) in _settings)
        {
            builder.UseSetting(key, value);
        }
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }
}
