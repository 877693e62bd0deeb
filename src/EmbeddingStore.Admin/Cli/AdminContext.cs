// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using Spectre.Console;

namespace EmbeddingStore.Admin.Cli;

// What every command is built with: where it writes, what it reads, the options that several commands share, and how
// it reaches a server. Tests pass writers of their own and an HttpClient factory that points at an in-memory server.
internal sealed class AdminContext
{
    private IAnsiConsole? _console;
    private SharedOptions? _shared;

    public required TextWriter Out { get; init; }

    public required TextWriter Error { get; init; }

    public TextReader In { get; init; } = TextReader.Null;

    // True when stdout is a terminal: tables and progress bars through Spectre.Console. False when redirected (scripts,
    // pipes, the tests): plain lines, no escape codes, no carriage-return redraws.
    public bool Terminal { get; init; }

    // Null: a real HttpClient for the address. Otherwise the client to use for it (tests: the in-memory server).
    public Func<Uri, HttpClient>? HttpClientFactory { get; init; }

    // Where ESADMIN_* defaults are read: the process environment; tests pass a dictionary's lookup instead.
    public Func<string, string?> Variables { get; init; } = Environment.GetEnvironmentVariable;

    public SharedOptions Shared => _shared ??= new SharedOptions(Variables);

    // The Spectre console over Out, made on first use (only terminal output needs it).
    public IAnsiConsole Console => _console ??= AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(Out),
        Ansi = Terminal ? AnsiSupport.Detect : AnsiSupport.No,
        ColorSystem = Terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        Interactive = Terminal ? InteractionSupport.Detect : InteractionSupport.No,
    });
}
