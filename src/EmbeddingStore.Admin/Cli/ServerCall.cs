// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.CommandLine;
using EmbeddingStore.Client;

namespace EmbeddingStore.Admin.Cli;

// How a command talks to the server: an SDK client for --server/--api-key (with the SDK's retries and a 30 s bound
// per call), and every failure turned into one line and exit code 1. A command that uses it adds the shared options.
internal static class ServerCall
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);

    public static void AddOptions(Command command, AdminContext context)
    {
        command.Options.Add(context.Shared.Server);
        command.Options.Add(context.Shared.ApiKey);
    }

    public static async Task<int> RunAsync(
        ParseResult parseResult, AdminContext context, Func<EmbeddingStoreClient, Task<int>> call)
    {
        Uri server = parseResult.GetRequiredValue(context.Shared.Server);
        string? apiKey = parseResult.GetValue(context.Shared.ApiKey);
        EmbeddingStoreClient client;
        HttpClient? http = null;
        try
        {
            if (context.HttpClientFactory is { } factory)
            {
                http = factory(server);
                if (apiKey is not null)
                {
                    http.DefaultRequestHeaders.Add(EmbeddingStoreClient.ApiKeyHeader, apiKey);
                }

                client = new EmbeddingStoreClient(http);
            }
            else
            {
                client = new EmbeddingStoreClient(new EmbeddingStoreClientOptions { BaseAddress = server, ApiKey = apiKey, Timeout = s_timeout });
            }
        }
        catch (ArgumentException ex)
        {
            http?.Dispose();
            await context.Error.WriteLineAsync($"esadmin: {ex.Message}");
            return 2;
        }

        using (client)
        using (http)
        {
            try
            {
                return await call(client);
            }
            catch (EmbeddingStoreException ex)
            {
                await context.Error.WriteLineAsync($"esadmin: {(int)ex.Status} {ex.ProblemType}: {ex.Message}");
                return 1;
            }
            catch (HttpRequestException ex)
            {
                await context.Error.WriteLineAsync($"esadmin: cannot reach {server}: {ex.Message}");
                return 1;
            }
            catch (TimeoutException)
            {
                await context.Error.WriteLineAsync($"esadmin: {server} did not answer within {s_timeout.TotalSeconds:0} s");
                return 1;
            }
        }
    }
}
