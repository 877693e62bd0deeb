// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Diagnostics;
using EmbeddingStore.Tests.Shared;

namespace EmbeddingStore.Server.Tests.TestSupport;

// The outside checkers of the API document, installed from tools/openapi/package-lock.json by `npm ci` (.ci/run does it).
// When they are not installed the tests that need them are skipped with this reason, never passed.
public static class OpenApiTools
{
    public static string Folder { get; } = Path.Combine(RepositoryRoot.Path, "tools", "openapi");

    public static string SnapshotPath { get; } = Path.Combine(RepositoryRoot.Path, "schema", "openapi", "v1.json");

    public static string Prism => Path.Combine(Folder, "node_modules", ".bin", "prism");

    public static string Spectral => Path.Combine(Folder, "node_modules", ".bin", "spectral");

    // Skips the calling test unless node and the tool are there; fails instead when CI installed them (.ci/run sets
    // EMBEDDINGSTORE_OPENAPI_TOOLS=required after a successful npm ci), so a broken install cannot pass as a skip.
    public static string Require(string tool)
    {
        bool required = Environment.GetEnvironmentVariable("EMBEDDINGSTORE_OPENAPI_TOOLS") == "required";
        if (!File.Exists(tool))
        {
            string reason = $"{tool} is not installed: run `npm ci --prefix tools/openapi` (needs Node.js 20 and the npm registry).";
            if (required)
            {
                Assert.Fail(reason);
            }

            Assert.Skip(reason);
        }

        try
        {
            using Process node = Process.Start(new ProcessStartInfo("node", "--version") { RedirectStandardOutput = true, UseShellExecute = false })!;
            node.WaitForExit();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            Assert.Skip("node is not on PATH; the OpenAPI tools in tools/openapi need Node.js 20.");
        }

        return tool;
    }

    // Runs a tool to completion and returns its exit code and standard output.
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(string tool, IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(tool)
        {
            WorkingDirectory = Folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        Task<string> error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return (process.ExitCode, await output, await error);
    }
}
