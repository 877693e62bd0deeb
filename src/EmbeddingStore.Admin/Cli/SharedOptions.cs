// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.CommandLine;

namespace EmbeddingStore.Admin.Cli;

// The options that mean the same in every command that has them, declared once: a command adds the ones it uses
// (`command.Options.Add(context.Shared.Server)`), so its help lists only what applies. The server, key and server program
// fall back to ESADMIN_SERVER, ESADMIN_API_KEY and ESADMIN_SERVER_PROGRAM, so scripts set them once.
internal sealed class SharedOptions
{
    public const string DefaultServer = "http://127.0.0.1:5080";

    public SharedOptions(Func<string, string?> variables)
    {
        Server = new("--server")
        {
            Description = $"The server's address (default: ESADMIN_SERVER or {DefaultServer})",
            HelpName = "URL",
            DefaultValueFactory = result =>
                HttpUrl.Parse(variables("ESADMIN_SERVER") is { Length: > 0 } url ? url : DefaultServer, out string? error) ?? Fail(result, "ESADMIN_SERVER", error),
            CustomParser = result => HttpUrl.Parse(result.Tokens.Count == 0 ? string.Empty : result.Tokens[0].Value, out string? error) ?? Fail(result, "--server", error),
        };
        ApiKey = new("--api-key")
        {
            Description = "The API key, sent as X-Api-Key (default: ESADMIN_API_KEY; prefer the variable, it stays out of shell history)",
            HelpName = "KEY",
            DefaultValueFactory = _ => variables("ESADMIN_API_KEY") is { Length: > 0 } key ? key : null,
        };
        ServerProgram = new("--program")
        {
            Description = "The server's executable or EmbeddingStore.Server.dll (default: ESADMIN_SERVER_PROGRAM)",
            HelpName = "PATH",
            DefaultValueFactory = _ => variables("ESADMIN_SERVER_PROGRAM") is { Length: > 0 } path ? path : null,
        };
    }

    public Option<Uri> Server { get; }

    public Option<string?> ApiKey { get; }

    // The server program for the offline commands esadmin runs through it (restore).
    public Option<string?> ServerProgram { get; }

    public Option<bool> Json { get; } = new("--json")
    {
        Description = "Print one JSON document for scripts instead of text",
    };

    // The parse fails with this message; the value returned is never used.
    private static Uri Fail(System.CommandLine.Parsing.ArgumentResult result, string source, string? error)
    {
        result.AddError($"{source}: {error}");
        return null!;
    }
}
