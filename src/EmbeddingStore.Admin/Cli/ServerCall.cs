// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using EmbeddingStore.Client;

namespace EmbeddingStore.Admin.Cli;

// How a command talks to the server: an SDK client for --server/--api-key (with the SDK's retries and a bound per call),
// and every failure turned into one line on stderr and its exit code (ExitCodes): a problem+json refusal is 1 with its
// status, type, title and detail; an unreachable or silent server is 3. Nothing is written to stdout on a failure, so
// `--json` output is either one whole document or nothing.
internal static class ServerCall
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    // --server, --api-key and --json: every command that talks to a server has all three.
    public static void AddOptions(Command command, AdminContext context)
    {
        command.Options.Add(context.Shared.Server);
        command.Options.Add(context.Shared.ApiKey);
        command.Options.Add(context.Shared.Json);
    }

    // A read-only listing command: fetch one list from the server, print it as one JSON document with --json, else as a
    // table. Every "list" command of esadmin has this shape; each supplies only the three parts.
    public static Command ListCommand<TList>(
        AdminContext context, string name, string description, Func<EmbeddingStoreClient, CancellationToken, Task<TList>> fetch,
        JsonTypeInfo<TList> json, Func<TList, TextTable> table)
    {
        var command = new Command(name, description);
        SetListAction(command, context, fetch, json, table);
        return command;
    }

    // The list action on an existing command (a group like `models` that lists when given no subcommand).
    public static void SetListAction<TList>(
        Command command, AdminContext context, Func<EmbeddingStoreClient, CancellationToken, Task<TList>> fetch, JsonTypeInfo<TList> json,
        Func<TList, TextTable> table)
    {
        AddOptions(command, context);
        command.SetAction((parseResult, cancellationToken) => RunAsync(parseResult, context, async client =>
        {
            TList list = await fetch(client, cancellationToken);
            if (parseResult.GetValue(context.Shared.Json))
            {
                await context.Out.WriteLineAsync(JsonSerializer.Serialize(list, json));
                return ExitCodes.Ok;
            }

            await table(list).WriteAsync(context);
            return ExitCodes.Ok;
        }));
    }

    // A command that makes one call and prints its answer: one JSON document with --json, else one line of text. The
    // call decides the exit code by what it returns (0, or 1 for an answer that reports a fault).
    public static Command SingleCommand<T>(
        AdminContext context, Command command, Func<ParseResult, EmbeddingStoreClient, CancellationToken, Task<T>> call,
        JsonTypeInfo<T> json, Func<T, string> text, Func<T, int>? exitCode = null) =>
        DocumentCommand(context, command, call, json, async value => await context.Out.WriteLineAsync(text(value)), exitCode);

    // As SingleCommand, with a text form of several lines or tables.
    public static Command DocumentCommand<T>(
        AdminContext context, Command command, Func<ParseResult, EmbeddingStoreClient, CancellationToken, Task<T>> call,
        JsonTypeInfo<T> json, Func<T, Task> text, Func<T, int>? exitCode = null, TimeSpan? timeout = null)
    {
        AddOptions(command, context);
        command.SetAction((parseResult, cancellationToken) => RunAsync(
            parseResult,
            context,
            async client =>
            {
                T value = await call(parseResult, client, cancellationToken);
                if (parseResult.GetValue(context.Shared.Json))
                {
                    await context.Out.WriteLineAsync(JsonSerializer.Serialize(value, json));
                }
                else
                {
                    await text(value);
                }

                return exitCode?.Invoke(value) ?? ExitCodes.Ok;
            },
            timeout));
        return command;
    }

    public static async Task<int> RunAsync(
        ParseResult parseResult, AdminContext context, Func<EmbeddingStoreClient, Task<int>> call, TimeSpan? timeout = null)
    {
        Uri server = parseResult.GetRequiredValue(context.Shared.Server);
        string? apiKey = parseResult.GetValue(context.Shared.ApiKey);
        TimeSpan bound = timeout ?? DefaultTimeout;
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
                client = new EmbeddingStoreClient(new EmbeddingStoreClientOptions
                {
                    BaseAddress = server,
                    ApiKey = apiKey,
                    Timeout = bound,
                    AttemptTimeout = bound,
                });
            }
        }
        catch (ArgumentException ex)
        {
            http?.Dispose();
            await context.Error.WriteLineAsync($"esadmin: {OneLine(ex.Message)}");
            return ExitCodes.Usage;
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
                await context.Error.WriteLineAsync("esadmin: " + ProblemLine(ex));
                return ExitCodes.Refused;
            }
            catch (HttpRequestException ex)
            {
                await context.Error.WriteLineAsync($"esadmin: cannot reach {server}: {OneLine(ex.Message)}");
                return ExitCodes.Unreachable;
            }
            catch (TimeoutException)
            {
                await context.Error.WriteLineAsync($"esadmin: {server} did not answer within {bound.TotalSeconds:0} s");
                return ExitCodes.Unreachable;
            }
            catch (JsonException ex)
            {
                await context.Error.WriteLineAsync($"esadmin: {server} answered something that is not an EmbeddingStore response: {OneLine(ex.Message)}");
                return ExitCodes.Refused;
            }
            catch (CommandInputException ex)
            {
                await context.Error.WriteLineAsync($"esadmin: {OneLine(ex.Message)}");
                return ExitCodes.Usage;
            }
            catch (CommandFailedException ex)
            {
                await context.Error.WriteLineAsync($"esadmin: {OneLine(ex.Message)}");
                return ExitCodes.Refused;
            }
        }
    }

    // "404 /problems/collection-not-found: Collection not found: No collection named 'x'." Status, the stable type, then
    // the title and the detail (whichever the server sent), on one line.
    public static string ProblemLine(EmbeddingStoreException ex)
    {
        string type = ex.ProblemType is null ? string.Empty : " " + ex.ProblemType;
        string text = (ex.Title, ex.Detail) switch
        {
            ({ } title, { } detail) when !detail.StartsWith(title, StringComparison.Ordinal) => $"{title}: {detail}",
            (_, { } detail) => detail,
            ({ } title, null) => title,
            _ => ex.Message,
        };
        return $"{(int)ex.Status}{type}: {OneLine(text)}";
    }

    public static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();
}
