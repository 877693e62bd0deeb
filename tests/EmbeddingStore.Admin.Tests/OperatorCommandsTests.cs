// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

extern alias admin;

using System.Net;
using System.Text.Json;
using admin::EmbeddingStore.Admin;
using admin::EmbeddingStore.Admin.Cli;
using EmbeddingStore.Tests.Shared;

namespace EmbeddingStore.Admin.Tests;

// esadmin's operator commands (aliases, jobs, backup, verify) through the Client SDK against the real server in memory.
public sealed class OperatorCommandsTests : IDisposable
{
    private readonly string _backups = Path.Combine(Path.GetTempPath(), "es-admin-backups-" + Guid.NewGuid().ToString("N"));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_backups, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task Aliases_SetListSwitchDelete_TextAndJson()
    {
        using var factory = new ServerFactory();
        await SeedAsync(factory);

        (int code, string output, string errors) = await RunAsync(["aliases", "set", "live", "blue", "--server", "http://localhost/"], factory);
        Assert.Equal((0, "live -> blue"), (code, output.Trim()));
        Assert.Empty(errors);
        (code, output, _) = await RunAsync(["aliases", "set", "live", "green", "--server", "http://localhost/", "--json"], factory);
        Assert.Equal(0, code);
        Assert.Equal("green", JsonDocument.Parse(output).RootElement.GetProperty("collection").GetString());
        (code, output, _) = await RunAsync(["aliases", "list", "--server", "http://localhost/", "--json"], factory);
        JsonElement aliases = JsonDocument.Parse(output).RootElement.GetProperty("aliases");
        Assert.Equal(("live", "green"), (aliases[0].GetProperty("alias").GetString(), aliases[0].GetProperty("collection").GetString()));
        (code, output, _) = await RunAsync(["aliases", "delete", "live", "--server", "http://localhost/"], factory);
        Assert.Equal((0, "deleted live (was -> green)"), (code, output.Trim()));

        (code, output, errors) = await RunAsync(["aliases", "set", "blue", "green", "--server", "http://localhost/"], factory);
        Assert.Equal(1, code);
        Assert.Empty(output);
        Assert.Single(errors.Trim().Split('\n'));
        Assert.StartsWith("esadmin: 409 /problems/name-conflict:", errors.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task BackupVerifyJobs_AgainstServer_PrintOneLineOrOneDocument()
    {
        using var factory = new ServerFactory(new Dictionary<string, string?> { ["Backup:Directory"] = _backups });
        await SeedAsync(factory);

        (int code, string output, _) = await RunAsync(["backup", "admin.db", "--server", "http://localhost/"], factory);
        Assert.Equal(0, code);
        Assert.StartsWith("backed up to admin.db: ", output.Trim(), StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_backups, "admin.db")));
        (code, _, string errors) = await RunAsync(["backup", "admin.db", "--server", "http://localhost/"], factory);
        Assert.Equal(1, code);
        Assert.Contains("never overwrites", errors, StringComparison.Ordinal);

        (code, output, _) = await RunAsync(["verify", "--server", "http://localhost/"], factory);
        Assert.Equal(0, code);
        Assert.StartsWith("ok: integrity ok", output.Trim(), StringComparison.Ordinal);
        (code, output, _) = await RunAsync(["verify", "--server", "http://localhost/", "--json"], factory);
        Assert.True(JsonDocument.Parse(output).RootElement.GetProperty("ok").GetBoolean());

        (code, output, _) = await RunAsync(["jobs", "list", "--server", "http://localhost/", "--json"], factory);
        Assert.Equal(0, code);
        Assert.Equal(0, JsonDocument.Parse(output).RootElement.GetProperty("jobs").GetArrayLength());
        (code, _, errors) = await RunAsync(["jobs", "show", "job-nope", "--server", "http://localhost/"], factory);
        Assert.Equal(1, code);
        Assert.StartsWith("esadmin: 404 /problems/job-not-found:", errors.Trim(), StringComparison.Ordinal);
    }

    private static async Task SeedAsync(ServerFactory factory)
    {
        HttpClient client = factory.CreateClient();
        foreach ((string path, string body) in new[]
        {
            ("/v1/models/text/versions/v1", """{"dimension": 2, "metric": "cosine"}"""),
            ("/v1/collections/blue", """{"servingVersion": "text@v1"}"""),
            ("/v1/collections/green", """{"servingVersion": "text@v1"}"""),
        })
        {
            using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
            using HttpResponseMessage response = await client.PutAsync(new Uri(path, UriKind.Relative), content, Ct);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }
    }

    private static async Task<(int Code, string Output, string Errors)> RunAsync(string[] args, ServerFactory factory)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var context = new AdminContext { Out = stdout, Error = stderr, In = new StringReader(string.Empty), HttpClientFactory = _ => factory.CreateClient() };
        int code = await AdminCommands.RunAsync(args, context, Ct);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
