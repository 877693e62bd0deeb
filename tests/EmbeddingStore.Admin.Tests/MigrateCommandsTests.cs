// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Text.Json;
using EmbeddingStore.Client;
using EmbeddingStore.Contracts;
using EmbeddingStore.Tests.Shared;

namespace EmbeddingStore.Admin.Tests;

// `esadmin migrate` and `esadmin reembed` through the Client SDK against the real server in memory: a transform from
// plan to rollback, a re-embedding from export to completion (JSONL and .fvecs), a refused cut-over gate, and bad input
// that sends nothing. Every test has its own server: a collection holds one active migration at a time.
public sealed class MigrateCommandsTests : IDisposable
{
    private const string Server = "http://localhost/";

    private readonly ServerFactory _factory = new();
    private readonly string _files = Path.Combine(Path.GetTempPath(), "es-admin-migrate-" + Guid.NewGuid().ToString("N"));
    private UpgradeSeed? _seed;

    public MigrateCommandsTests() => Directory.CreateDirectory(_files);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        _factory.Dispose();
        try
        {
            Directory.Delete(_files, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task Transform_PlanStartWatchCutOverRollback_CountsEqualAtEveryStep()
    {
        string link = await SeedAsync("docs", 130);

        (int code, string output, string errors) = await RunAsync("migrate", "plan", "--collection", "docs", "--to", "m@b", "--strategy", "transform", "--link", link, "--json");
        Assert.True(code == 0, errors);
        using (JsonDocument planned = JsonDocument.Parse(output))
        {
            Assert.Equal(("planned", "transform", "m@a", link), (Str(planned, "state"), Str(planned, "strategy"), Str(planned, "from"), Str(planned, "link")));
        }

        // status and collections show list it while it is not cut over.
        (code, output, _) = await RunAsync("status", "--json");
        Assert.Equal(0, code);
        Assert.Equal(["planned"], JsonDocument.Parse(output).RootElement.GetProperty("migrations").EnumerateArray().Select(m => m.GetProperty("state").GetString()));
        (_, output, _) = await RunAsync("collections", "show", "docs");
        Assert.Contains("migrations:", output.Split('\n', StringSplitOptions.TrimEntries));

        (code, output, _) = await RunAsync("migrate", "list", "--collection", "docs");
        Assert.Equal(0, code);
        Assert.Contains(output.Split('\n', StringSplitOptions.TrimEntries), l => l.Contains("\tm@a\tm@b\ttransform\tplanned\t", StringComparison.Ordinal));

        (code, output, errors) = await RunAsync("migrate", "start", "--collection", "docs", "--to", "m@b");
        Assert.True(code == 0, errors);
        Assert.Matches("\t(running|completed)\t", output);

        // Redirected, watch prints one line per change and exits 0 once the job completed.
        (code, output, errors) = await RunAsync("migrate", "watch", "--collection", "docs", "--to", "m@b", "--interval", "0.05");
        Assert.True(code == 0, errors);
        string last = output.Trim().Split('\n')[^1];
        Assert.Contains("\tcompleted\t130/130 (100.0 %)", last, StringComparison.Ordinal);
        await AssertCollectionAsync("docs", serving: "m@a", items: 130, vectorsA: 130, vectorsB: 130);

        (code, output, errors) = await RunAsync("migrate", "cutover", "--collection", "docs", "--to", "m@b", "--json");
        Assert.True(code == 0, errors);
        Assert.Equal("cut-over", Str(JsonDocument.Parse(output), "state"));
        await AssertCollectionAsync("docs", serving: "m@b", items: 130, vectorsA: 130, vectorsB: 130);
        (_, output, _) = await RunAsync("status", "--json");
        Assert.Equal(0, JsonDocument.Parse(output).RootElement.GetProperty("migrations").GetArrayLength());

        (code, output, errors) = await RunAsync("migrate", "rollback", "--collection", "docs", "--to", "m@b");
        Assert.True(code == 0, errors);
        Assert.Contains("\trolled-back\t", output, StringComparison.Ordinal);
        await AssertCollectionAsync("docs", serving: "m@a", items: 130, vectorsA: 130, vectorsB: 130);

        // Purge only after a cut-over, and then no rollback: the old vectors are gone.
        (code, _, errors) = await RunAsync("migrate", "purge", "--collection", "docs", "--to", "m@b");
        Assert.Equal(1, code);
        Assert.Contains("migration-state-conflict", errors, StringComparison.Ordinal);
        Assert.Equal(0, (await RunAsync("migrate", "cutover", "--collection", "docs", "--to", "m@b")).Item1);
        (code, output, errors) = await RunAsync("migrate", "purge", "--collection", "docs", "--to", "m@b", "--json");
        Assert.True(code == 0, errors);
        Assert.Equal("purged", Str(JsonDocument.Parse(output), "state"));
        await AssertCollectionAsync("docs", serving: "m@b", items: 130, vectorsA: 0, vectorsB: 130);
        Assert.Equal(1, (await RunAsync("migrate", "rollback", "--collection", "docs", "--to", "m@b")).Item1);

        (code, _, errors) = await RunAsync("verify");
        Assert.True(code == 0, errors);
    }

    [Fact]
    public async Task Reembed_ExportImportJsonlThenFvecs_CompletesWithNativeVectors()
    {
        await SeedAsync("docs", 120);
        (int code, string output, string errors) = await RunAsync("migrate", "start", "--collection", "docs", "--to", "m@b", "--strategy", "reembed");
        Assert.True(code == 0, errors);
        Assert.Contains("\treembed\trunning\t", output, StringComparison.Ordinal);

        // The first 50 pending items into a file: id and payload per line, in the migration's order.
        string first = Path.Combine(_files, "first.jsonl");
        (code, output, errors) = await RunAsync("reembed", "export", "--collection", "docs", "--limit", "50", "--batch", "20", "--out", first, "--json");
        Assert.True(code == 0, errors);
        using (JsonDocument report = JsonDocument.Parse(output))
        {
            Assert.Equal(50, report.RootElement.GetProperty("exported").GetInt32());
            Assert.Equal(120, report.RootElement.GetProperty("remaining").GetInt64());
        }

        string[] firstIds = [.. File.ReadAllLines(first).Select(l => Str(JsonDocument.Parse(l), "id"))];
        Assert.Equal(50, firstIds.Distinct().Count());
        Assert.All(firstIds, id => Assert.True(NewVectors.ContainsKey(id)));
        Assert.All(File.ReadAllLines(first), l => Assert.Equal("doc", JsonDocument.Parse(l).RootElement.GetProperty("payload").GetProperty("kind").GetString()));

        // Their new vectors as JSONL.
        string vectors = Path.Combine(_files, "first-vectors.jsonl");
        await File.WriteAllLinesAsync(vectors, firstIds.Select(id => JsonSerializer.Serialize(new { id, vector = NewVectors[id] })), Ct);
        (code, output, errors) = await RunAsync("reembed", "import", "--collection", "docs", "--jsonl", vectors, "--batch", "20");
        Assert.True(code == 0, errors);
        Assert.StartsWith("imported 50 vectors into docs (mig-", output, StringComparison.Ordinal);
        Assert.Contains("native 41.7 % (50 of 120), running", output, StringComparison.Ordinal);

        // The rest, exported to stdout, come back as .fvecs with an ids file.
        (code, output, errors) = await RunAsync("reembed", "export", "--collection", "docs");
        Assert.True(code == 0, errors);
        string[] restIds = [.. output.Trim().Split('\n').Select(l => Str(JsonDocument.Parse(l), "id"))];
        Assert.Equal(70, restIds.Length);
        Assert.Empty(restIds.Intersect(firstIds));
        string fvecs = Path.Combine(_files, "rest.fvecs"), ids = Path.Combine(_files, "rest.ids");
        VecsFile.WriteFvecs(fvecs, restIds.SelectMany(id => NewVectors[id]).ToArray(), 8);
        await File.WriteAllLinesAsync(ids, restIds, Ct);
        (code, output, errors) = await RunAsync("reembed", "import", "--collection", "docs", "--fvecs", fvecs, "--ids", ids, "--batch", "50", "--json");
        Assert.True(code == 0, errors);
        using (JsonDocument imported = JsonDocument.Parse(output))
        {
            Assert.Equal(70, imported.RootElement.GetProperty("imported").GetInt32());
            JsonElement migration = imported.RootElement.GetProperty("migration");
            Assert.Equal(1.0, migration.GetProperty("nativeFraction").GetDouble());
            Assert.Equal("completed", migration.GetProperty("state").GetString());
        }

        (code, output, errors) = await RunAsync("migrate", "watch", "--collection", "docs", "--json");
        Assert.True(code == 0, errors);
        Assert.Equal("completed", Str(JsonDocument.Parse(output), "state"));
        await AssertCollectionAsync("docs", serving: "m@a", items: 120, vectorsA: 120, vectorsB: 120);
    }

    [Fact]
    public async Task Reembed_ImportFromStandardInput_StoresTheVectors()
    {
        await SeedAsync("docs", 30);
        Assert.Equal(0, (await RunAsync("migrate", "start", "--collection", "docs", "--to", "m@b", "--strategy", "reembed")).Code);
        string lines = string.Join('\n', NewVectors.Keys.Take(12).Select(id => JsonSerializer.Serialize(new { id, vector = NewVectors[id] }))) + "\n";

        (int code, string output, string errors) = await AdminRun.RunAsync(
            ["reembed", "import", "--collection", "docs", "--jsonl", "-", "--json", "--server", Server], _factory, cancellationToken: Ct, stdin: lines);

        Assert.True(code == 0, errors);
        using JsonDocument report = JsonDocument.Parse(output);
        Assert.Equal(12, report.RootElement.GetProperty("imported").GetInt32());
        Assert.Equal(12, report.RootElement.GetProperty("migration").GetProperty("nativeVectors").GetInt64());
    }

    [Fact]
    public async Task Reembed_BadInput_ExitTwoAndNothingStored()
    {
        await SeedAsync("docs", 60);
        Assert.Equal(0, (await RunAsync("migrate", "start", "--collection", "docs", "--to", "m@b", "--strategy", "reembed")).Code);
        string good = JsonSerializer.Serialize(new { id = "item-0001", vector = NewVectors["item-0001"] });
        string fvecs = Path.Combine(_files, "two.fvecs"), ids = Path.Combine(_files, "one.ids");
        VecsFile.WriteFvecs(fvecs, [.. NewVectors["item-0001"], .. NewVectors["item-0002"]], 8);
        await File.WriteAllTextAsync(ids, "item-0001\n", Ct);
        foreach ((string content, string expected) in new[]
        {
            (good + "\n{\"id\": \"item-0002\", \"vector\": [1, 2,\n", "line 2"),
            (good + "\n" + good + "\n", "id 'item-0001' appears twice"),
            (good + "\n{\"id\": \"item-0003\", \"vector\": [1, 2, 3]}\n", "3 floats where the first vector has 8"),
            ("{\"id\": \"item-0001\", \"vector\": [1, 2], \"extra\": 1}\n", "line 1"),
            (string.Empty, "holds no vectors"),
        })
        {
            string file = Path.Combine(_files, "bad.jsonl");
            await File.WriteAllTextAsync(file, content, Ct);
            (int code, string output, string errors) = await RunAsync("reembed", "import", "--collection", "docs", "--jsonl", file);
            Assert.Equal(2, code);
            Assert.Empty(output);
            Assert.Single(errors.Trim().Split('\n'));
            Assert.Contains(expected, errors, StringComparison.Ordinal);
        }

        foreach (string[] args in new[]
        {
            new[] { "reembed", "import", "--collection", "docs", "--fvecs", fvecs, "--ids", ids },
            ["reembed", "import", "--collection", "docs", "--fvecs", fvecs],
            ["reembed", "import", "--collection", "docs"],
            ["reembed", "export", "--collection", "docs", "--json"],
        })
        {
            (int code, string output, string errors) = await RunAsync(args);
            Assert.Equal(2, code);
            Assert.Empty(output);
            Assert.Single(errors.Trim().Split('\n'));
        }

        (_, string shown, _) = await RunAsync("migrate", "show", "--collection", "docs", "--json");
        Assert.Equal(0, JsonDocument.Parse(shown).RootElement.GetProperty("nativeVectors").GetInt64());
    }

    [Fact]
    public async Task CutOver_GateNotMet_RefusedInOneLineServingUnchanged()
    {
        string link = await SeedAsync("docs", 40);
        (int code, string output, string errors) = await RunAsync(
            "migrate", "start", "--collection", "docs", "--to", "m@b", "--strategy", "bridge", "--link", link, "--min-native-fraction", "0.5");
        Assert.True(code == 0, errors);
        Assert.Contains("\tbridge\tcompleted\t", output, StringComparison.Ordinal);

        (code, output, errors) = await RunAsync("migrate", "cutover", "--collection", "docs", "--to", "m@b");
        Assert.Equal(1, code);
        Assert.Empty(output);
        Assert.Single(errors.Trim().Split('\n'));
        Assert.StartsWith("esadmin: 409 /problems/migration-gate-failed: ", errors, StringComparison.Ordinal);
        await AssertCollectionAsync("docs", serving: "m@a", items: 40, vectorsA: 40, vectorsB: 0);
    }

    [Fact]
    public async Task Migrate_NothingToFindOrCancelled_ExitOneWithOneLine()
    {
        string link = await SeedAsync("docs", 20);
        (int code, string output, string errors) = await RunAsync("migrate", "show", "--collection", "docs", "--to", "m@b");
        Assert.Equal((1, string.Empty), (code, output));
        Assert.Equal("esadmin: collection 'docs' has no migration to m@b", errors.Trim());

        (code, _, errors) = await RunAsync("migrate", "show", "--collection", "nope");
        Assert.Equal(1, code);
        Assert.StartsWith("esadmin: 404 /problems/collection-not-found: ", errors, StringComparison.Ordinal);

        (code, _, errors) = await RunAsync("migrate", "plan", "--collection", "docs");
        Assert.Equal(2, code);
        Assert.Contains("--to", errors, StringComparison.Ordinal);

        // A cancelled migration is settled but not done: watch exits 1 and says why.
        Assert.Equal(0, (await RunAsync("migrate", "plan", "--collection", "docs", "--to", "m@b", "--strategy", "transform", "--link", link)).Code);
        (code, output, _) = await RunAsync("migrate", "cancel", "--collection", "docs", "--to", "m@b");
        Assert.Equal(0, code);
        Assert.Contains("\tcancelled\t", output, StringComparison.Ordinal);
        (code, output, errors) = await RunAsync("migrate", "watch", "--collection", "docs", "--to", "m@b");
        Assert.Equal(1, code);
        Assert.Contains("\tcancelled\t", output, StringComparison.Ordinal);
        Assert.Contains("cancelled", errors, StringComparison.Ordinal);
    }

    private IReadOnlyDictionary<string, float[]> NewVectors => _seed!.NewVectors;

    private static string Str(JsonDocument document, string name) => document.RootElement.GetProperty(name).GetString()!;

    private async Task AssertCollectionAsync(string name, string serving, long items, long vectorsA, long vectorsB)
    {
        (int code, string output, string errors) = await RunAsync("collections", "show", name, "--json");
        Assert.True(code == 0, errors);
        using JsonDocument view = JsonDocument.Parse(output);
        JsonElement collection = view.RootElement.GetProperty("collection");
        JsonElement counts = collection.GetProperty("vectorCounts");
        Assert.Equal(
            (serving, items, vectorsA, vectorsB),
            (collection.GetProperty("servingVersion").GetString(), collection.GetProperty("itemCount").GetInt64(),
             counts.TryGetProperty("m@a", out JsonElement a) ? a.GetInt64() : 0, counts.TryGetProperty("m@b", out JsonElement b) ? b.GetInt64() : 0));
    }

    // The upgrade seed (UpgradeSeed) and a procrustes link m@a -> m@b fitted on "pairs" through esadmin; returns its id.
    private async Task<string> SeedAsync(string collection, int items)
    {
        using (var client = new EmbeddingStoreClient(_factory.CreateClient()))
        {
            _seed = await UpgradeSeed.CreateAsync(client, collection, items, Ct);
        }

        (int code, string output, string errors) = await RunAsync("links", "fit", "--from", "m@a", "--to", "m@b", "--collection", "pairs", "--kind", "procrustes", "--json");
        Assert.True(code == 0, errors);
        return Str(JsonDocument.Parse(output), "id");
    }

    private Task<(int Code, string Output, string Errors)> RunAsync(params string[] args) => AdminRun.RunAsync([.. args, "--server", Server], _factory, cancellationToken: Ct);
}
