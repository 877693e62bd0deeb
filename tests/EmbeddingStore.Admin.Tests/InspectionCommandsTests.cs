// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Globalization;
using System.Text.Json;
using EmbeddingStore.Tests.Shared;

namespace EmbeddingStore.Admin.Tests;

// status, models, collections and links through the Client SDK against the real server in memory: the plain form (what
// a redirected stdout gets), the --json form (one document), the terminal form once, and the error paths.
public sealed class InspectionCommandsTests : IClassFixture<InspectionCommandsTests.SeededServer>
{
    private const string Server = "http://localhost/";

    private readonly SeededServer _server;

    public InspectionCommandsTests(SeededServer server) => _server = server;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Status_SeededServer_HealthCollectionsAndCounts()
    {
        (int code, string output, string errors) = await RunAsync("status");

        Assert.True(code == 0, errors);
        Assert.Empty(errors);
        string[] lines = output.Split('\n', StringSplitOptions.TrimEntries);
        Assert.StartsWith("server: healthy, schema version ", lines[0], StringComparison.Ordinal);
        Assert.Contains("docs\tm@a\t200\tm@a=200, m@b=200\texact", lines);
        Assert.Contains("jobs in flight:", lines);

        (code, output, _) = await RunAsync("status", "--json");
        Assert.Equal(0, code);
        using JsonDocument status = JsonDocument.Parse(output);
        Assert.Equal("healthy", status.RootElement.GetProperty("health").GetProperty("status").GetString());
        JsonElement docs = status.RootElement.GetProperty("collections").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "docs");
        Assert.Equal(200, docs.GetProperty("itemCount").GetInt64());
        Assert.Equal("m@a", docs.GetProperty("servingVersion").GetString());
        Assert.Equal(JsonValueKind.Array, status.RootElement.GetProperty("jobs").ValueKind);
    }

    [Fact]
    public async Task Models_ListAndShow_PlainAndJson()
    {
        (int code, string output, string errors) = await RunAsync("models", "list");
        Assert.True(code == 0, errors);
        string[] lines = output.Split('\n', StringSplitOptions.TrimEntries);
        Assert.Equal("NAME\tDIMENSION\tMETRIC\tNORMALIZED\tCREATED", lines[0]);
        Assert.Contains(lines, l => l.StartsWith("m@a\t8\tcosine\tno\t", StringComparison.Ordinal));

        // `models` alone and its old name `versions` list the same document.
        (_, string list, _) = await RunAsync("models", "list", "--json");
        (_, string bare, _) = await RunAsync("models", "--json");
        (_, string old, _) = await RunAsync("versions", "--json");
        Assert.Equal(list, bare);
        Assert.Equal(list, old);

        (code, output, errors) = await RunAsync("models", "show", "m@a");
        Assert.True(code == 0, errors);
        lines = output.Split('\n', StringSplitOptions.TrimEntries);
        Assert.Contains("dimension: 8", lines);
        Assert.Contains("docs\t200\t200\tyes", lines);

        (code, output, _) = await RunAsync("models", "show", "m@b", "--json");
        Assert.Equal(0, code);
        using JsonDocument shown = JsonDocument.Parse(output);
        JsonElement holding = shown.RootElement.GetProperty("collections")[0];
        Assert.Equal(("docs", 200, false), (holding.GetProperty("collection").GetString(), holding.GetProperty("vectors").GetInt64(), holding.GetProperty("serving").GetBoolean()));
    }

    [Fact]
    public async Task Models_Register_NewVersionListedThenImmutableShapeRefused()
    {
        (int code, string output, string errors) = await RunAsync("models", "register", "m@c", "--dimension", "4", "--metric", "dot", "--normalized");
        Assert.True(code == 0, errors);
        Assert.Equal("registered m@c: 4-d dot, normalized", output.Trim());
        (code, output, _) = await RunAsync("models", "show", "m@c", "--json");
        Assert.Equal(0, code);
        Assert.Equal(4, JsonDocument.Parse(output).RootElement.GetProperty("version").GetProperty("dimension").GetInt32());

        // m@a holds 200 vectors of 8 floats: another shape is refused by the server, in one line, exit 1.
        (code, output, errors) = await RunAsync("models", "register", "m@a", "--dimension", "4", "--metric", "cosine");
        Assert.Equal(1, code);
        Assert.Empty(output);
        Assert.Single(errors.Trim().Split('\n'));
        Assert.StartsWith("esadmin: 409 /problems/version-conflict: ", errors, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("models", "show", "m-a")]
    [InlineData("models", "show", "a@")]
    [InlineData("models", "register", "m@", "--dimension", "4", "--metric", "cosine")]
    public async Task Models_NameWithoutModelAndVersion_OneLineExitTwo(params string[] args)
    {
        (int code, string output, string errors) = await RunAsync(args);

        Assert.Equal(2, code);
        Assert.Empty(output);
        Assert.Single(errors.Trim().Split('\n'));
        Assert.Contains("is not a model version name; write model@version", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Models_RegisterWithoutDimension_UsageExitTwo()
    {
        (int code, string output, string errors) = await RunAsync("models", "register", "m@d", "--metric", "cosine");

        Assert.Equal(2, code);
        Assert.Empty(output);
        Assert.Contains("--dimension", errors, StringComparison.Ordinal);
        Assert.EndsWith("see esadmin models register --help", errors.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Collections_Show_VersionsCoverageIndexesAndAliases()
    {
        (int code, string output, string errors) = await RunAsync("collections", "show", "docs");

        Assert.True(code == 0, errors);
        string[] lines = output.Split('\n', StringSplitOptions.TrimEntries);
        Assert.Contains("serving: m@a", lines);
        Assert.Contains("items: 200", lines);
        Assert.Contains("aliases: live", lines);
        Assert.Contains("m@a\t200\t100.0 %\tyes", lines);
        Assert.Contains("m@b\t200\t100.0 %", lines);
        Assert.Contains("VERSION\tINDEX\tSTATE\tINDEXED\tMEMORY\tSETTINGS", lines);

        // Through the alias, the same collection; --json has the fractions and the server's own index entries.
        (code, output, _) = await RunAsync("collections", "show", "live", "--json");
        Assert.Equal(0, code);
        using JsonDocument view = JsonDocument.Parse(output);
        Assert.Equal("docs", view.RootElement.GetProperty("collection").GetProperty("name").GetString());
        Assert.Equal(["live"], view.RootElement.GetProperty("aliases").EnumerateArray().Select(a => a.GetString()));
        Assert.All(view.RootElement.GetProperty("versions").EnumerateArray(), v => Assert.Equal(1.0, v.GetProperty("coverage").GetDouble()));
        Assert.Equal(JsonValueKind.Array, view.RootElement.GetProperty("collection").GetProperty("indexes").ValueKind);
    }

    [Fact]
    public async Task Collections_ListAndBare_SameDocument()
    {
        (int code, string output, _) = await RunAsync("collections", "list");
        Assert.Equal(0, code);
        Assert.Contains("docs\tm@a\t200\tm@a=200, m@b=200\texact", output.Split('\n', StringSplitOptions.TrimEntries));
        (_, string list, _) = await RunAsync("collections", "list", "--json");
        (_, string bare, _) = await RunAsync("collections", "--json");
        Assert.Equal(list, bare);
    }

    [Fact]
    public async Task Collections_NoServingVersion_ListShowAndStatusPrintNone()
    {
        using (HttpClient http = _server.Factory.CreateClient())
        using (var body = new StringContent("{}", System.Text.Encoding.UTF8, "application/json"))
        using (HttpResponseMessage created = await http.PutAsync(new Uri("/v1/collections/waiting", UriKind.Relative), body, Ct))
        {
            Assert.Equal(System.Net.HttpStatusCode.Created, created.StatusCode);
        }

        (int code, string output, string errors) = await RunAsync("collections", "list");
        Assert.True(code == 0, errors);
        Assert.Contains("waiting\tnone\t0\t\texact", output.Split('\n', StringSplitOptions.TrimEntries));
        (code, output, errors) = await RunAsync("collections", "show", "waiting");
        Assert.True(code == 0, errors);
        Assert.Contains("serving: none", output.Split('\n', StringSplitOptions.TrimEntries));
        (code, output, errors) = await RunAsync("status");
        Assert.True(code == 0, errors);
        Assert.Contains("waiting\tnone\t0\t\texact", output.Split('\n', StringSplitOptions.TrimEntries));
    }

    [Theory]
    [InlineData("collections", "show", "nope")]
    [InlineData("collections", "show", "nope", "--json")]
    public async Task Collections_ShowUnknown_OneLineExitOneNothingOnStdout(params string[] args)
    {
        (int code, string output, string errors) = await RunAsync(args);

        Assert.Equal(1, code);
        Assert.Empty(output);
        Assert.Single(errors.Trim().Split('\n'));
        Assert.StartsWith("esadmin: 404 /problems/collection-not-found: Collection not found: ", errors, StringComparison.Ordinal);
        Assert.Contains("'nope'", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Links_FitShowListDelete_QualityTableMatchesTheJson()
    {
        (int code, string output, string errors) = await RunAsync("links", "fit", "--from", "m@a", "--to", "m@b", "--collection", "docs", "--kind", "procrustes", "--json");
        Assert.True(code == 0, errors);
        using JsonDocument fitted = JsonDocument.Parse(output);
        string id = fitted.RootElement.GetProperty("id").GetString()!;
        JsonElement quality = fitted.RootElement.GetProperty("quality");
        Assert.Equal(200, quality.GetProperty("fitPairs").GetInt32() + quality.GetProperty("holdoutPairs").GetInt32());

        // The plain report prints the figures the server measured, one row per figure.
        (code, output, errors) = await RunAsync("links", "show", id);
        Assert.True(code == 0, errors);
        string[] lines = output.Split('\n', StringSplitOptions.TrimEntries);
        Assert.Contains($"link: {id}", lines);
        Assert.Contains("HELD OUT\tm@a -> m@b", lines);
        Assert.Contains($"recall@10\t{quality.GetProperty("recallAt10").GetDouble().ToString("0.0000", CultureInfo.InvariantCulture)}", lines);
        Assert.Contains($"mean cosine (mapped vs true)\t{quality.GetProperty("meanCosine").GetDouble().ToString("0.0000", CultureInfo.InvariantCulture)}", lines);
        Assert.Contains($"held-out pairs\t{quality.GetProperty("holdoutPairs").GetInt32()}", lines);
        Assert.True(quality.GetProperty("recallAt10").GetDouble() > quality.GetProperty("noMapRecallAt10").GetDouble());

        (code, output, _) = await RunAsync("links", "list");
        Assert.Equal(0, code);
        Assert.Contains(output.Split('\n', StringSplitOptions.TrimEntries), l => l.StartsWith($"{id}\tm@a\tm@b\tprocrustes\t200\t", StringComparison.Ordinal));

        (code, output, _) = await RunAsync("links", "delete", id, "--json");
        Assert.Equal(0, code);
        Assert.Equal(id, JsonDocument.Parse(output).RootElement.GetProperty("id").GetString());
        (code, output, errors) = await RunAsync("links", "show", id);
        Assert.Equal(1, code);
        Assert.Empty(output);
        Assert.StartsWith("esadmin: 404 /problems/link-not-found: ", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Links_FitWithoutCollection_UsageExitTwoNothingSent()
    {
        (_, string before, _) = await RunAsync("links", "list", "--json");
        (int code, string output, string errors) = await RunAsync("links", "fit", "--from", "m@a", "--to", "m@b");

        Assert.Equal(2, code);
        Assert.Empty(output);
        Assert.Contains("--collection is required", errors, StringComparison.Ordinal);
        (_, string after, _) = await RunAsync("links", "list", "--json");
        Assert.Equal(before, after);
    }

    [Fact]
    public async Task Links_FitUnknownVersion_ServerRefusalOneLine()
    {
        (int code, string output, string errors) = await RunAsync("links", "fit", "--from", "m@a", "--to", "m@zz", "--collection", "docs");

        Assert.Equal(1, code);
        Assert.Empty(output);
        Assert.Single(errors.Trim().Split('\n'));
        Assert.StartsWith("esadmin: 404 /problems/model-version-not-found: ", errors, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("status")]
    [InlineData("health")]
    [InlineData("models")]
    [InlineData("models", "show", "m@a")]
    [InlineData("collections")]
    [InlineData("collections", "show", "docs")]
    [InlineData("links", "list")]
    [InlineData("aliases", "list")]
    [InlineData("jobs", "list")]
    [InlineData("verify")]
    public async Task Json_EveryReadCommand_ExactlyOneDocumentOnStdout(params string[] args)
    {
        (int code, string output, string errors) = await RunAsync([.. args, "--json"]);

        Assert.True(code == 0, errors);
        Assert.Empty(errors);
        Assert.Single(output.TrimEnd('\n').Split('\n'));
        using JsonDocument document = JsonDocument.Parse(output);
        Assert.Equal(JsonValueKind.Object, document.RootElement.ValueKind);
    }

    [Theory]
    [InlineData("status", "--bogus")]
    [InlineData("collections", "show", "docs", "--bogus")]
    [InlineData("links", "show")]
    public async Task BadFlagOrMissingArgument_UsageExitTwo(params string[] args)
    {
        (int code, string output, string errors) = await RunAsync(args);

        Assert.Equal(2, code);
        Assert.Empty(output);
        Assert.Single(errors.Trim().Split('\n'));
        Assert.Contains("see esadmin ", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Terminal_Table_DrawnWithBordersNotTabs()
    {
        (int code, string output, string errors) = await AdminRun.RunAsync(["collections", "show", "docs", "--server", Server], _server.Factory, terminal: true, Ct);

        Assert.True(code == 0, errors);
        Assert.Contains("╭", output, StringComparison.Ordinal);
        Assert.Contains("COVERAGE", output, StringComparison.Ordinal);
        Assert.Contains("100.0 %", output, StringComparison.Ordinal);
        Assert.DoesNotContain('\t', output);
    }

    private Task<(int Code, string Output, string Errors)> RunAsync(params string[] args) => AdminRun.RunAsync([.. args, "--server", Server], _server.Factory, cancellationToken: Ct);

    // One seeded server for the class: the tests only read, or write names no other test reads (m@c, their own link, the
    // collection 'waiting').
    public sealed class SeededServer : IAsyncLifetime
    {
        public ServerFactory Factory { get; } = new();

        public async ValueTask InitializeAsync() => await AdminRun.SeedAsync(Factory, 200, CancellationToken.None);

        public ValueTask DisposeAsync()
        {
            Factory.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
