// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Text.Json;
using System.Text.Json.Nodes;
using EmbeddingStore.Server.Infrastructure;
using EmbeddingStore.Tests.Shared;

namespace EmbeddingStore.Server.Tests.Endpoints;

public sealed class OpenApiDocumentTests
{
    // Set to 1 to rewrite schema/openapi/v1.json from the running server after an intended API change.
    private const string UpdateVariable = "EMBEDDINGSTORE_UPDATE_OPENAPI";

    // The document states the configured limits; the snapshot is taken with the shipped defaults, not the test factory's lowered ones.
    internal static IReadOnlyDictionary<string, string?> DefaultLimits()
    {
        var defaults = new LimitsOptions();
        return new Dictionary<string, string?>
        {
            ["Limits:MaxBatchItems"] = Invariant(defaults.MaxBatchItems),
            ["Limits:MaxK"] = Invariant(defaults.MaxK),
            ["Limits:MaxBatchQueries"] = Invariant(defaults.MaxBatchQueries),
            ["Limits:MaxIdLength"] = Invariant(defaults.MaxIdLength),
            ["Limits:MaxPayloadBytes"] = Invariant(defaults.MaxPayloadBytes),
            ["Limits:MaxRequestBodyBytes"] = Invariant(defaults.MaxRequestBodyBytes),
        };

        static string Invariant(long value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task OpenApiDocument_Served_MatchesCommittedSnapshot()
    {
        using var factory = new ServerFactory(DefaultLimits());
        string served = await factory.CreateClient().GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative), TestContext.Current.CancellationToken);
        JsonNode servedNode = JsonNode.Parse(served)!;
        string snapshotPath = Path.Combine(RepositoryRoot.Path, "schema", "openapi", "v1.json");
        string pretty = servedNode.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";

        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            await File.WriteAllTextAsync(snapshotPath, pretty, TestContext.Current.CancellationToken);
        }

        Assert.True(File.Exists(snapshotPath), $"{snapshotPath} is missing; run the tests once with {UpdateVariable}=1 and commit it.");
        JsonNode committed = JsonNode.Parse(await File.ReadAllTextAsync(snapshotPath, TestContext.Current.CancellationToken))!;
        Assert.True(
            JsonNode.DeepEquals(committed, servedNode),
            $"The served OpenAPI document differs from schema/openapi/v1.json. If the API change is intended, run `{UpdateVariable}=1 dotnet test` and commit the file.");
    }

    [Fact]
    public async Task OpenApiDocument_ProblemTypeEnum_IsProblemTypesAndProblemsMd()
    {
        // One list: the ProblemTypes constants. The document's enum and schema/problems.md must both say exactly it.
        string[] constants = [.. typeof(EmbeddingStore.Contracts.ProblemTypes).GetFields()
            .Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).Order(StringComparer.Ordinal)];
        using var factory = new ServerFactory();
        string served = await factory.CreateClient().GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative), TestContext.Current.CancellationToken);
        string[] documented = [.. JsonNode.Parse(served)!["components"]!["schemas"]!["ProblemDetails"]!["properties"]!["type"]!["enum"]!.AsArray()
            .Select(v => v!.GetValue<string>()).Order(StringComparer.Ordinal)];
        string table = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot.Path, "schema", "problems.md"), TestContext.Current.CancellationToken);
        string[] listed = [.. System.Text.RegularExpressions.Regex.Matches(table, @"^\| `(/problems/[a-z-]+)` \|", System.Text.RegularExpressions.RegexOptions.Multiline)
            .Select(m => m.Groups[1].Value).Order(StringComparer.Ordinal)];

        Assert.Equal(constants, documented);
        Assert.Equal(constants, listed);
    }

    [Fact]
    public async Task OpenApiDocument_EveryOperation_HasNameAndSummary()
    {
        using var factory = new ServerFactory();
        string served = await factory.CreateClient().GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative), TestContext.Current.CancellationToken);
        JsonObject paths = JsonNode.Parse(served)!["paths"]!.AsObject();
        int operations = 0;
        foreach ((string path, JsonNode? item) in paths)
        {
            foreach ((string method, JsonNode? operation) in item!.AsObject())
            {
                operations++;
                Assert.False(string.IsNullOrEmpty(operation!["operationId"]?.GetValue<string>()), $"{method} {path} has no operationId");
                Assert.False(string.IsNullOrEmpty(operation["summary"]?.GetValue<string>()), $"{method} {path} has no summary");
                Assert.False(operation["operationId"]!.GetValue<string>().EndsWith("Async", StringComparison.Ordinal), $"{method} {path}: operationId ends in Async");
            }
        }

        Assert.True(operations >= 13, $"only {operations} operations documented");
    }
}
