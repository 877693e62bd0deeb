// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.CommandLine;
using System.CommandLine.Parsing;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using EmbeddingStore.Admin.Cli;

namespace EmbeddingStore.Admin.Commands;

// `esadmin hash-key [KEY]`: prints the SHA-256 (hex) the server's Auth:Keys:N:Sha256 setting expects, so clear keys
// never have to be written into configuration. Without KEY, the key is read from standard input (keeps it out of
// shell history); with --new, a random 32-byte key is generated and printed together with its hash. `--help` is help,
// not a key: a key that starts with '-' is passed after `--` (`esadmin hash-key -- -k3y`).
internal sealed class HashKeyCommand : IAdminCommand
{
    public Command Create(AdminContext context)
    {
        var key = new Argument<string?>("KEY")
        {
            Description = "The key to hash; read from standard input when omitted",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var generate = new Option<bool>("--new") { Description = "Generate a random 32-byte key and print it with its hash" };
        var command = new Command("hash-key", "Print the SHA-256 to configure as Auth:Keys:N:Sha256") { key, generate, context.Shared.Json };
        command.Validators.Add(result =>
        {
            if (result.GetValue(generate) && result.GetValue(key) is not null)
            {
                result.AddError("--new generates a key; it takes no KEY");
            }
        });
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            bool json = parseResult.GetValue(context.Shared.Json);
            if (parseResult.GetValue(generate))
            {
                string fresh = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
                if (json)
                {
                    await context.Out.WriteLineAsync(JsonSerializer.Serialize(new HashKeyReport(fresh, Hash(fresh)), AdminJsonContext.Default.HashKeyReport));
                    return 0;
                }

                await context.Out.WriteLineAsync("key:    " + fresh);
                await context.Out.WriteLineAsync("sha256: " + Hash(fresh));
                return 0;
            }

            // A word that looks like an option and was not one is a mistyped option, unless it came after `--`.
            string? given = parseResult.GetValue(key);
            if (given is not null && given.StartsWith('-') && !parseResult.Tokens.Any(t => t.Type == TokenType.DoubleDash))
            {
                await context.Error.WriteLineAsync(
                    $"esadmin: hash-key: unknown option '{given}' (a key that starts with '-' goes after '--'); see esadmin hash-key --help");
                return 2;
            }

            string? value = given ?? (await context.In.ReadLineAsync(cancellationToken))?.Trim();
            if (string.IsNullOrEmpty(value))
            {
                await context.Error.WriteLineAsync("esadmin: hash-key: needs a key as argument, on standard input, or --new; see esadmin hash-key --help");
                return 2;
            }

            await context.Out.WriteLineAsync(json ? JsonSerializer.Serialize(new HashKeyReport(null, Hash(value)), AdminJsonContext.Default.HashKeyReport) : Hash(value));
            return 0;
        });
        return command;
    }

    private static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}

// `hash-key --json`: the generated key (with --new only; a given key is never echoed) and its SHA-256.
internal sealed record HashKeyReport([property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? Key, string Sha256);
