// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

extern alias admin;

using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using admin::EmbeddingStore.Admin;
using admin::EmbeddingStore.Admin.Cli;
using EmbeddingStore.Tests.Shared;

namespace EmbeddingStore.Admin.Tests;

// The esadmin command tree: help everywhere, one line and exit code 2 on bad input, and the server commands against the
// real server in memory.
public sealed class AdminCommandsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("status")]
    [InlineData("health")]
    [InlineData("collections")]
    [InlineData("models")]
    [InlineData("links")]
    [InlineData("migrate")]
    [InlineData("reembed")]
    [InlineData("restore")]
    [InlineData("hash-key")]
    [InlineData("bench")]
    [InlineData("aliases")]
    [InlineData("jobs")]
    [InlineData("backup")]
    [InlineData("verify")]
    public async Task Help_EveryCommand_PrintsItsUsageAndExitsZero(string command)
    {
        (int code, string output, string errors) = await RunAsync([command, "--help"]);

        Assert.Equal(0, code);
        Assert.Empty(errors);
        Assert.Contains("Usage:", output, StringComparison.Ordinal);
        Assert.Contains($"esadmin {command}", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_Root_ListsEveryCommand()
    {
        (int code, string output, _) = await RunAsync(["--help"]);

        Assert.Equal(0, code);
        foreach (string command in new[] { "status", "health", "models", "collections", "links", "migrate", "reembed", "hash-key", "bench", "aliases", "jobs", "backup", "restore", "verify" })
        {
            Assert.Contains(command, output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task NoCommand_PrintsTheOverviewAndExitsTwo()
    {
        (int code, string output, _) = await RunAsync([]);

        Assert.Equal(2, code);
        Assert.Contains("hash-key", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownCommand_OneLineExitTwo()
    {
        (int code, _, string errors) = await RunAsync(["frobnicate"]);

        Assert.Equal(2, code);
        Assert.Equal("esadmin: unknown command 'frobnicate'; see esadmin --help", errors.Trim());
    }

    [Theory]
    [InlineData("health", "--colour")]
    [InlineData("hash-key", "--colour")]
    [InlineData("models", "--server")]
    public async Task BadOption_OneLineNamingItAndTheCommandsHelp(string command, string option)
    {
        (int code, string output, string errors) = await RunAsync([command, option]);

        Assert.Equal(2, code);
        Assert.Empty(output);
        Assert.Single(errors.Trim().Split('\n'));
        Assert.Contains(option, errors, StringComparison.Ordinal);
        Assert.EndsWith($"see esadmin {command} --help", errors.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Server_NotHttp_Refused()
    {
        (int code, _, string errors) = await RunAsync(["health", "--server", "ftp://example"]);

        Assert.Equal(2, code);
        Assert.Contains("--server: 'ftp://example' is not an http(s) URL", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HashKey_Help_PrintsHelpNotTheHashOfHelp()
    {
        (int code, string output, _) = await RunAsync(["hash-key", "--help"]);

        Assert.Equal(0, code);
        Assert.DoesNotContain(Sha256("--help"), output, StringComparison.Ordinal);
        Assert.Contains("--new", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HashKey_Json_OneDocumentWithTheHashNeverTheGivenKey()
    {
        (int code, string output, _) = await RunAsync(["hash-key", "secret", "--json"]);

        Assert.Equal(0, code);
        Assert.Equal("""{"sha256":"2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b"}""", output.Trim());

        (code, output, _) = await RunAsync(["hash-key", "--new", "--json"]);
        Assert.Equal(0, code);
        using JsonDocument fresh = JsonDocument.Parse(output);
        Assert.Equal(Sha256(fresh.RootElement.GetProperty("key").GetString()!), fresh.RootElement.GetProperty("sha256").GetString());
    }

    [Fact]
    public async Task Versions_OldName_IsAnAliasOfModels()
    {
        (int code, string output, _) = await RunAsync(["versions", "--help"]);

        Assert.Equal(0, code);
        Assert.Contains("esadmin models", output, StringComparison.Ordinal);
        Assert.Contains("register", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HashKey_Argument_PrintsItsSha256()
    {
        (int code, string output, _) = await RunAsync(["hash-key", "secret"]);

        Assert.Equal(0, code);
        Assert.Equal("2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b", output.Trim());
    }

    [Fact]
    public async Task HashKey_KeyStartingWithDashAfterDoubleDash_Hashed()
    {
        (int code, string output, _) = await RunAsync(["hash-key", "--", "-k3y"]);

        Assert.Equal(0, code);
        Assert.Equal(Sha256("-k3y"), output.Trim());
    }

    [Fact]
    public async Task HashKey_FromStandardInput_PrintsItsSha256()
    {
        (int code, string output, _) = await RunAsync(["hash-key"], stdin: "  secret  \n");

        Assert.Equal(0, code);
        Assert.Equal(Sha256("secret"), output.Trim());
    }

    [Fact]
    public async Task HashKey_NothingOnStandardInput_OneLineExitTwo()
    {
        (int code, _, string errors) = await RunAsync(["hash-key"], stdin: string.Empty);

        Assert.Equal(2, code);
        Assert.Single(errors.Trim().Split('\n'));
    }

    [Fact]
    public async Task HashKey_New_PrintsAFreshKeyAndItsHash()
    {
        (int code, string output, _) = await RunAsync(["hash-key", "--new"]);

        Assert.Equal(0, code);
        string[] lines = output.Trim().Split('\n');
        Assert.Equal(2, lines.Length);
        string key = lines[0]["key:    ".Length..].Trim();
        Assert.Equal(43, key.Length);
        Assert.Equal("sha256: " + Sha256(key), lines[1].Trim());
    }

    [Fact]
    public async Task HashKey_NewWithAKey_Refused()
    {
        (int code, string output, string errors) = await RunAsync(["hash-key", "--new", "secret"]);

        Assert.Equal(2, code);
        Assert.Empty(output);
        Assert.Contains("--new", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_ThroughServer_PrintsStatus()
    {
        using var factory = new ServerFactory();
        (int code, string output, string errors) = await RunAsync(["health", "--server", "http://localhost/"], factory: factory);

        Assert.True(code == 0, errors);
        Assert.Contains("0 collections, schema version", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CollectionsAndVersions_Json_OneDocumentEach()
    {
        using var factory = new ServerFactory();
        using HttpClient http = factory.CreateClient();
        using var put = new StringContent("""{"dimension": 3, "metric": "cosine"}""", Encoding.UTF8, "application/json");
        (await http.PutAsync(new Uri("/v1/models/text/versions/v1", UriKind.Relative), put, Ct)).EnsureSuccessStatusCode();

        (int code, string output, string errors) = await RunAsync(["versions", "--server", "http://localhost/", "--json"], factory: factory);
        Assert.True(code == 0, errors);
        using (JsonDocument versions = JsonDocument.Parse(output))
        {
            Assert.Equal("text@v1", versions.RootElement.GetProperty("versions")[0].GetProperty("name").GetString());
        }

        (code, output, errors) = await RunAsync(["collections", "--server", "http://localhost/", "--json"], factory: factory);
        Assert.True(code == 0, errors);
        using JsonDocument collections = JsonDocument.Parse(output);
        Assert.Equal(0, collections.RootElement.GetProperty("collections").GetArrayLength());
    }

    [Fact]
    public async Task Versions_WrongApiKey_ServerRefusalInOneLineExitOne()
    {
        // A server with keys configured refuses an unknown key: the refusal is printed, not a stack trace.
        using var factory = new ServerFactory(new Dictionary<string, string?>
        {
            ["Auth:Keys:0:Name"] = "ops",
            ["Auth:Keys:0:Sha256"] = Sha256("right"),
            ["Auth:Keys:0:Scopes:0"] = "admin",
        });

        (int code, string output, string errors) = await RunAsync(["versions", "--server", "http://localhost/", "--api-key", "wrong"], factory: factory);

        Assert.Equal(1, code);
        Assert.Empty(output);
        Assert.StartsWith("esadmin: 401 ", errors, StringComparison.Ordinal);
        Assert.Single(errors.Trim().Split('\n'));

        (code, _, errors) = await RunAsync(["versions", "--server", "http://localhost/", "--api-key", "right"], factory: factory);
        Assert.True(code == 0, errors);
    }

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static async Task<(int Code, string Output, string Errors)> RunAsync(string[] args, string stdin = "", ServerFactory? factory = null)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var context = new AdminContext
        {
            Out = stdout,
            Error = stderr,
            In = new StringReader(stdin),
            HttpClientFactory = factory is null ? null : _ => factory.CreateClient(),
        };
        int code = await AdminCommands.RunAsync(args, context, Ct);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
