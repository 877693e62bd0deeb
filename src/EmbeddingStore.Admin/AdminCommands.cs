// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;
using EmbeddingStore.Admin.Bench;
using EmbeddingStore.Admin.Cli;
using EmbeddingStore.Admin.Commands;

namespace EmbeddingStore.Admin;

// esadmin: the command tree on System.CommandLine. Every command is one IAdminCommand file, listed once below; `--help`
// works on every command; bad input is one line on stderr and exit code 2, a refusal or failure of the work 1, an
// unreachable server 3 (Cli/ExitCodes).
internal static class AdminCommands
{
    // The commands, in the order `esadmin --help` lists them. A new command is a new IAdminCommand file and one line here.
    private static readonly IAdminCommand[] s_commands =
    [
        new StatusCommand(),
        new HealthCommand(),
        new ModelsCommand(),
        new CollectionsCommand(),
        new LinksCommand(),
        new MigrateCommand(),
        new ReembedCommand(),
        new AliasesCommand(),
        new JobsCommand(),
        new BackupCommand(),
        new RestoreCommand(),
        new VerifyCommand(),
        new HashKeyCommand(),
        new BenchCommand(),
    ];

    // A plain Command named esadmin rather than RootCommand, whose name is the executable's (testhost under the tests);
    // help is added by hand, recursive so that every command has it.
    public static Command CreateRoot(AdminContext context)
    {
        var root = new Command("esadmin", "esadmin: the EmbeddingStore operator command line.")
        {
            new HelpOption { Recursive = true },
        };
        foreach (IAdminCommand command in s_commands)
        {
            root.Subcommands.Add(command.Create(context));
        }

        // No command at all: the overview, and a non-zero exit because nothing was done.
        root.SetAction(parseResult =>
        {
            new HelpAction().Invoke(parseResult);
            return 2;
        });
        return root;
    }

    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken) =>
        RunAsync(args, new AdminContext { Out = stdout, Error = stderr }, cancellationToken);

    public static async Task<int> RunAsync(IReadOnlyList<string> args, AdminContext context, CancellationToken cancellationToken)
    {
        Command root = CreateRoot(context);
        ParseResult parsed = root.Parse(args);

        // --help wins over errors (`bench --help` without the required options is a request for help, not a mistake).
        if (parsed.Errors.Count > 0 && parsed.Action is not HelpAction)
        {
            await context.Error.WriteLineAsync(ErrorLine(parsed));
            return 2;
        }

        // Whatever a command did not turn into its own line (a file it cannot read, a program it cannot start) is still
        // one line and exit 1, never a stack trace; Ctrl-C is one line too.
        try
        {
            return await parsed.InvokeAsync(
                new InvocationConfiguration { Output = context.Out, Error = context.Error, EnableDefaultExceptionHandler = false }, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            await context.Error.WriteLineAsync("esadmin: cancelled");
            return ExitCodes.Refused;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            await context.Error.WriteLineAsync($"esadmin: {ServerCall.OneLine(ex.Message)}");
            return ExitCodes.Refused;
        }
    }

    // One line: the first error, and where to read more. An unknown word right after `esadmin` is an unknown command.
    private static string ErrorLine(ParseResult parsed)
    {
        string path = string.Join(' ', CommandPath(parsed.CommandResult));
        if (parsed.CommandResult.Parent is null && parsed.UnmatchedTokens.Count > 0 && !parsed.UnmatchedTokens[0].StartsWith('-'))
        {
            return $"esadmin: unknown command '{parsed.UnmatchedTokens[0]}'; see esadmin --help";
        }

        string message = parsed.Errors[0].Message.TrimEnd('.').ReplaceLineEndings(" ");
        string where = string.Join(": ", CommandPath(parsed.CommandResult));
        return $"{where}: {message}; see {path} --help";
    }

    private static IEnumerable<string> CommandPath(CommandResult? command)
    {
        var names = new Stack<string>();
        for (SymbolResult? s = command; s is not null; s = s.Parent)
        {
            if (s is CommandResult c)
            {
                names.Push(c.Parent is null ? "esadmin" : c.Command.Name);
            }
        }

        return names;
    }
}
