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

    // A read-only listing command: fetch one list from the server, print it as one JSON document with --json, else one
    // tab-separated line per entry. Every "list" command of esadmin has this shape; each supplies only the three parts.
    public static Command ListCommand<TList>(
        AdminContext context, string name, string description, Func<EmbeddingStoreClient, CancellationToken, Task<TList>> fetch,
        System.Text.Json.Serialization.Metadata.JsonTypeInfo<TList> json, Func<TList, IEnumerable<string>> lines)
    {
        var command = new Command(name, description);
        AddOptions(command, context);
        command.Options.Add(context.Shared.Json);
        command.SetAction((parseResult, cancellationToken) => RunAsync(parseResult, context, async client =>
        {
            TList list = await fetch(client, cancellationToken);
            if (parseResult.GetValue(context.Shared.Json))
            {
                await context.Out.WriteLineAsync(System.Text.Json.JsonSerializer.Serialize(list, json));
                return 0;
            }

            foreach (string line in lines(list))
            {
                await context.Out.WriteLineAsync(line);
            }

            return 0;
        }));
        return command;
    }

    // A command that makes one call and prints its answer: one JSON document with --json, else one line of text. The
    // call decides the exit code by what it returns (0, or 1 for an answer that reports a fault).
    public static Command SingleCommand<T>(
        AdminContext context, Command command, Func<ParseResult, EmbeddingStoreClient, CancellationToken, Task<T>> call,
        System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> json, Func<T, string> text, Func<T, int>? exitCode = null)
    {
        AddOptions(command, context);
        command.Options.Add(context.Shared.Json);
        command.SetAction((parseResult, cancellationToken) => RunAsync(parseResult, context, async client =>
        {
            T value = await call(parseResult, client, cancellationToken);
            await context.Out.WriteLineAsync(parseResult.GetValue(context.Shared.Json) ? System.Text.Json.JsonSerializer.Serialize(value, json) : text(value));
            return exitCode?.Invoke(value) ?? 0;
        }));
        return command;
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
