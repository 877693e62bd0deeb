// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Client;
using EmbeddingStore.Contracts;

namespace EmbeddingStore.Admin;

// esadmin: operator commands over the REST API. Every failure is one line on stderr and a non-zero exit code.
internal static class AdminCommands
{
    private const string DefaultServer = "http://127.0.0.1:5080";

    private const string Usage =
        """
        usage: esadmin <command> [--server URL]
          health         check that the server is up and loaded
          collections    list collections with item and per-version vector counts
          versions       list registered model versions
          hash-key [KEY|--new]   print the SHA-256 to configure as Auth:Keys:N:Sha256
          bench          benchmark search in-process on .fvecs/.ivecs files (esadmin bench --help)
        The server defaults to http://127.0.0.1:5080 or the ESADMIN_SERVER environment variable.
        """;

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            await stdout.WriteLineAsync(Usage);
            return args.Length == 0 ? 2 : 0;
        }

        if (args[0] == "hash-key")
        {
            return await HashKeyCommand.RunAsync(args, Console.In, stdout, stderr);
        }

        if (args[0] == "bench")
        {
            return await Bench.BenchCommand.RunAsync(args[1..], stdout, stderr, cancellationToken);
        }

        string server = Environment.GetEnvironmentVariable("ESADMIN_SERVER") ?? DefaultServer;
        for (int i = 1; i < args.Length; i++)
        {
            if (args[i] == "--server" && i + 1 < args.Length)
            {
                server = args[++i];
            }
            else
            {
                await stderr.WriteLineAsync($"esadmin: unknown option '{args[i]}'; see esadmin --help");
                return 2;
            }
        }

        if (!Uri.TryCreate(server.EndsWith('/') ? server : server + "/", UriKind.Absolute, out Uri? baseAddress)
            || (baseAddress.Scheme != Uri.UriSchemeHttp && baseAddress.Scheme != Uri.UriSchemeHttps))
        {
            await stderr.WriteLineAsync($"esadmin: '{server}' is not an http(s) URL");
            return 2;
        }

        using var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        var client = new EmbeddingStoreClient(http);
        try
        {
            switch (args[0])
            {
                case "health":
                    HealthResponse health = await client.GetHealthAsync(cancellationToken);
                    await stdout.WriteLineAsync($"{health.Status}: {health.Collections} collections, schema version {health.SchemaVersion}");
                    return 0;
                case "collections":
                    foreach (CollectionResponse c in (await client.ListCollectionsAsync(cancellationToken)).Collections)
                    {
                        string counts = string.Join(", ", c.VectorCounts.Select(kv => $"{kv.Key}={kv.Value}"));
                        await stdout.WriteLineAsync($"{c.Name}\tserving {c.ServingVersion}\t{c.ItemCount} items\t{counts}");
                    }

                    return 0;
                case "versions":
                    foreach (ModelVersionResponse v in (await client.ListModelVersionsAsync(cancellationToken)).Versions)
                    {
                        await stdout.WriteLineAsync($"{v.Name}\t{v.Dimension}-d\t{v.Metric}{(v.Normalized ? "\tnormalized" : string.Empty)}");
                    }

                    return 0;
                default:
                    await stderr.WriteLineAsync($"esadmin: unknown command '{args[0]}'; see esadmin --help");
                    return 2;
            }
        }
        catch (EmbeddingStoreException ex)
        {
            await stderr.WriteLineAsync($"esadmin: {(int)ex.Status} {ex.ProblemType}: {ex.Message}");
            return 1;
        }
        catch (HttpRequestException ex)
        {
            await stderr.WriteLineAsync($"esadmin: cannot reach {baseAddress}: {ex.Message}");
            return 1;
        }
        catch (TaskCanceledException)
        {
            await stderr.WriteLineAsync($"esadmin: {baseAddress} did not answer within 30 s");
            return 1;
        }
    }
}
