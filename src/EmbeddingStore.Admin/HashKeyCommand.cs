// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Security.Cryptography;
using System.Text;

namespace EmbeddingStore.Admin;

// `esadmin hash-key [KEY]`: prints the SHA-256 (hex) the server's Auth:Keys:N:Sha256 setting expects, so clear keys
// never have to be written into configuration. Without KEY, the key is read from standard input (keeps it out of
// shell history); with --new, a random 32-byte key is generated and printed together with its hash.
internal static class HashKeyCommand
{
    public static async Task<int> RunAsync(string[] args, TextReader stdin, TextWriter stdout, TextWriter stderr)
    {
        string? key;
        if (args.Length > 1 && args[1] == "--new")
        {
            key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
            await stdout.WriteLineAsync("key:    " + key);
        }
        else
        {
            key = args.Length > 1 ? args[1] : (await stdin.ReadLineAsync())?.Trim();
        }

        if (string.IsNullOrEmpty(key))
        {
            await stderr.WriteLineAsync("esadmin: hash-key needs a key as argument, on standard input, or --new");
            return 2;
        }

        await stdout.WriteLineAsync((args.Length > 1 && args[1] == "--new" ? "sha256: " : string.Empty) + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key))));
        return 0;
    }
}
