// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.CommandLine;

namespace EmbeddingStore.Admin.Cli;

// The options that mean the same in every command that has them, declared once: a command adds the ones it uses
// (`command.Options.Add(context.Shared.Server)`), so its help lists only what applies. The server and key fall back to
// ESADMIN_SERVER and ESADMIN_API_KEY, so scripts set them once.
internal sealed class SharedOptions
{
    public const string DefaultServer = "http://127.0.0.1:5080";

    public Option<Uri> Server { get; } = new("--server")
    {
        Description = $"The server's address (default: ESADMIN_SERVER or {DefaultServer})",
        HelpName = "URL",
        DefaultValueFactory = result =>
            HttpUrl.Parse(Environment.GetEnvironmentVariable("ESADMIN_SERVER") ?? DefaultServer, out string? error) ?? Fail(result, "ESADMIN_SERVER", error),
        CustomParser = result => HttpUrl.Parse(result.Tokens.Count == 0 ? string.Empty : result.Tokens[0].Value, out string? error) ?? Fail(result, "--server", error),
    };

    public Option<string?> ApiKey { get; } = new("--api-key")
    {
        Description = "The API key, sent as X-Api-Key (default: ESADMIN_API_KEY; prefer the variable, it stays out of shell history)",
        HelpName = "KEY",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("ESADMIN_API_KEY") is { Length: > 0 } key ? key : null,
    };

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
