// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Net;
using System.Text.Json.Nodes;
using EmbeddingStore.Contracts;
using EmbeddingStore.Server.Tests.TestSupport;
using EmbeddingStore.Tests.Shared;
using Microsoft.Data.Sqlite;

namespace EmbeddingStore.Server.Tests.Endpoints;

// Migrations over real HTTP: the contract names, the re-embedding loop, the problems, and a transform that survives a
// killed server process.
public sealed class MigrationEndpointsTests : IDisposable
{
    private const int Dimension = 16;

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "es-migrations-" + Guid.NewGuid().ToString("N"));

    public MigrationEndpointsTests() => Directory.CreateDirectory(_directory);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task Reembed_PendingThenVectorsThenCutOver_FollowsTheContract()
    {
        using var factory = new ServerFactory();
        HttpClient client = factory.CreateClient();
        await SeedAsync(client, items: 60);

        var created = await Api.PostAsync(
            client, "/v1/collections/docs/migrations", """{"to": "text@v2", "strategy": "reembed", "gates": {"minNativeFraction": 0.5}, "order": "random", "seed": 4}""", Ct);
        Assert.Equal(HttpStatusCode.Accepted, created.Status);
        JsonNode migration = created.Body!;
        string id = (string)migration["id"]!;
        Assert.StartsWith("mig-", id, StringComparison.Ordinal);
        Assert.Equal(("docs", "text@v1", "text@v2", "reembed", "running"), ((string)migration["collection"]!, (string)migration["from"]!, (string)migration["to"]!, (string)migration["strategy"]!, (string)migration["state"]!));
        Assert.Equal((0L, 60L), ((long)migration["progress"]!["done"]!, (long)migration["progress"]!["total"]!));
        Assert.Equal(0.5, (double)migration["gates"]!["minNativeFraction"]!);
        Assert.Null(migration["link"]);

        var listed = await Api.GetAsync(client, "/v1/collections/docs/migrations", Ct);
        Assert.Equal(id, (string)listed.Body!["migrations"]![0]!["id"]!);

        // Pending pages: 25, 25, 10, each with its payload, no item twice.
        var pending = new List<string>();
        string? cursor = null;
        do
        {
            var page = await Api.GetAsync(client, $"/v1/collections/docs/migrations/{id}/pending?limit=25" + (cursor is null ? string.Empty : "&cursor=" + cursor), Ct);
            Assert.Equal(HttpStatusCode.OK, page.Status);
            Assert.Equal(60, (long)page.Body!["remaining"]!);
            foreach (JsonNode? item in page.Body["items"]!.AsArray())
            {
                Assert.Equal((string)item!["id"]!, (string)item["payload"]!["name"]!);
                pending.Add((string)item["id"]!);
            }

            cursor = (string?)page.Body["nextCursor"];
        }
        while (cursor is not null);
        Assert.Equal(60, pending.Distinct().Count());

        // Re-embed the first 30 (base64 on the wire, as the SDK sends): 0.5 native, the gate passes.
        var random = new Random(8);
        string batch = string.Join(",", pending.Take(30).Select(i => $$"""{"id": "{{i}}", "vector": "{{Base64(Vector(random, Dimension))}}"}"""));
        var uploaded = await Api.PostAsync(client, $"/v1/collections/docs/migrations/{id}/vectors", $$"""{"items": [{{batch}}]}""", Ct);
        Assert.Equal(HttpStatusCode.OK, uploaded.Status);
        Assert.Equal(30, (long)uploaded.Body!["stored"]!);
        Assert.Equal(30, (long)uploaded.Body["migration"]!["nativeVectors"]!);
        Assert.Equal(0.5, (double)uploaded.Body["migration"]!["nativeFraction"]!);
        var item0 = await Api.GetAsync(client, $"/v1/collections/docs/items/{pending[0]}?withVectors=true", Ct);
        Assert.Equal("native", (string)item0.Body!["lineage"]!["text@v2"]!);
        Assert.NotNull(item0.Body["vectors"]!["text@v1"]);
        Assert.Equal(pending[0], (string)item0.Body["payload"]!["name"]!);

        var cut = await Api.PostAsync(client, $"/v1/collections/docs/migrations/{id}/cutover", "{}", Ct);
        Assert.Equal(HttpStatusCode.OK, cut.Status);
        Assert.Equal("cut-over", (string)cut.Body!["state"]!);
        Assert.Equal("text@v2", (string)(await Api.GetAsync(client, "/v1/collections/docs", Ct)).Body!["servingVersion"]!);

        var rollback = await Api.PostAsync(client, $"/v1/collections/docs/migrations/{id}/rollback", "{}", Ct);
        Assert.Equal("rolled-back", (string)rollback.Body!["state"]!);
        Assert.Equal("text@v1", (string)(await Api.GetAsync(client, "/v1/collections/docs", Ct)).Body!["servingVersion"]!);
    }

    [Fact]
    public async Task Migrations_BadRequests_AreProblemsNamingTheCause()
    {
        using var factory = new ServerFactory();
        HttpClient client = factory.CreateClient();
        await SeedAsync(client, items: 10);

        await AssertProblemAsync(client, "/v1/collections/docs/migrations", """{"to": "text@v2", "strategy": "teleport"}""", HttpStatusCode.BadRequest, ProblemTypes.InvalidArgument, "strategy");
        await AssertProblemAsync(client, "/v1/collections/docs/migrations", """{"to": "text@v2", "strategy": "transform"}""", HttpStatusCode.BadRequest, ProblemTypes.InvalidArgument, "No link maps text@v1 to text@v2");
        await AssertProblemAsync(client, "/v1/collections/docs/migrations", """{"to": "text@v2", "strategy": "reembed", "gates": {"minNativeFraction": 2}}""", HttpStatusCode.BadRequest, ProblemTypes.InvalidArgument, "gates.minNativeFraction");
        await AssertProblemAsync(client, "/v1/collections/docs/migrations", """{"to": "text@v2", "strategy": "reembed", "speed": 3}""", HttpStatusCode.BadRequest, ProblemTypes.MalformedRequest, null);
        await AssertProblemAsync(client, "/v1/collections/nope/migrations", """{"to": "text@v2", "strategy": "reembed"}""", HttpStatusCode.NotFound, ProblemTypes.CollectionNotFound, null);

        string id = (string)(await Api.PostAsync(client, "/v1/collections/docs/migrations", """{"to": "text@v2", "strategy": "reembed", "start": false}""", Ct)).Body!["id"]!;
        await AssertProblemAsync(client, "/v1/collections/docs/migrations", """{"to": "text@v2", "strategy": "reembed"}""", HttpStatusCode.Conflict, ProblemTypes.MigrationConflict, id);
        await AssertProblemAsync(client, $"/v1/collections/docs/migrations/{id}/cutover", "{}", HttpStatusCode.Conflict, ProblemTypes.MigrationStateConflict, "planned");
        Assert.Equal(HttpStatusCode.Conflict, (await Api.GetAsync(client, $"/v1/collections/docs/migrations/{id}/pending", Ct)).Status);
        Assert.Equal("running", (string)(await Api.PostAsync(client, $"/v1/collections/docs/migrations/{id}/start", "{}", Ct)).Body!["state"]!);
        await AssertProblemAsync(client, $"/v1/collections/docs/migrations/{id}/vectors", """{"items": [{"id": "ghost", "vector": [1,2,3]}]}""", HttpStatusCode.NotFound, ProblemTypes.ItemNotFound, "ghost");
        await AssertProblemAsync(client, $"/v1/collections/docs/migrations/{id}/refit", "{}", HttpStatusCode.BadRequest, ProblemTypes.InvalidArgument, "at least 100 pairs");

        var missing = await Api.GetAsync(client, "/v1/collections/docs/migrations/mig-nope", Ct);
        Assert.Equal(HttpStatusCode.NotFound, missing.Status);
        Assert.Equal(ProblemTypes.MigrationNotFound, (string)missing.Body!["type"]!);
        Assert.Equal("application/problem+json", missing.MediaType);
    }

    [Fact]
    public async Task Transform_ServerKilledMidJob_ResumesAfterRestartAndCutsOverDurably()
    {
        const int Items = 3_000;
        string database = Path.Combine(_directory, "store.db");
        string[] slowJobs = ["--Jobs:ChunkSize", "100", "--Jobs:PauseBetweenChunksMs", "200"];
        string id;
        long seenDone;
        using (ServerProcess server = await ServerProcess.StartAsync(database, Ct, settings: slowJobs))
        {
            using HttpClient client = server.CreateClient();
            await SeedAsync(client, Items);
            await Api.PostAsync(client, "/v1/links", """{"from": "text@v1", "to": "text@v2", "kind": "identity"}""", Ct);
            var created = await Api.PostAsync(client, "/v1/collections/docs/migrations", """{"to": "text@v2", "strategy": "transform"}""", Ct);
            Assert.Equal(HttpStatusCode.Accepted, created.Status);
            id = (string)created.Body!["id"]!;

            // Wait (bounded) until at least two chunks are committed, then kill the process without warning.
            JsonNode partway = await WaitAsync(client, id, m => (long)m["progress"]!["done"]! >= 200);
            seenDone = (long)partway["progress"]!["done"]!;
            server.Kill();
        }

        using (ServerProcess server = await ServerProcess.StartAsync(database, Ct, settings: slowJobs))
        {
            using HttpClient client = server.CreateClient();
            JsonNode resumed = (await Api.GetAsync(client, $"/v1/collections/docs/migrations/{id}", Ct)).Body!;
            Assert.True((long)resumed["progress"]!["done"]! >= seenDone, resumed.ToJsonString());
            Assert.Contains((string)resumed["state"]!, new[] { "running", "completed" });

            JsonNode completed = await WaitAsync(client, id, m => (string)m["state"]! == "completed");
            Assert.Equal(Items, (long)completed["derivedVectors"]!);
            Assert.Equal(Items, (long)completed["items"]!);
            Assert.Equal(Items, (long)completed["progress"]!["done"]!);
            JsonNode counts = (await Api.GetAsync(client, "/v1/collections/docs", Ct)).Body!;
            Assert.Equal(Items, (long)counts["itemCount"]!);
            Assert.Equal(Items, (long)counts["vectorCounts"]!["text@v1"]!);
            Assert.Equal(Items, (long)counts["vectorCounts"]!["text@v2"]!);

            Assert.Equal("cut-over", (string)(await Api.PostAsync(client, $"/v1/collections/docs/migrations/{id}/cutover", "{}", Ct)).Body!["state"]!);
            server.Kill();
        }

        using (ServerProcess server = await ServerProcess.StartAsync(database, Ct))
        {
            using HttpClient client = server.CreateClient();
            Assert.Equal("text@v2", (string)(await Api.GetAsync(client, "/v1/collections/docs", Ct)).Body!["servingVersion"]!);
            string probe = (await Api.GetAsync(client, "/v1/collections/docs/items/d00042?withVectors=true", Ct)).Body!["vectors"]!["text@v2"]!.ToJsonString();
            JsonNode hit = (await Api.PostAsync(client, "/v1/collections/docs/search", $$"""{"vector": {{probe}}, "k": 1}""", Ct)).Body!["hits"]![0]!;
            Assert.Equal(("d00042", "text@v2"), ((string)hit["id"]!, (string)hit["version"]!));

            Assert.Equal("rolled-back", (string)(await Api.PostAsync(client, $"/v1/collections/docs/migrations/{id}/rollback", "{}", Ct)).Body!["state"]!);
            JsonNode verify = (await Api.GetAsync(client, "/v1/admin/verify", Ct)).Body!;
            Assert.True((bool)verify["ok"]!, verify.ToJsonString());
            Assert.Equal(Items, (long)verify["collections"]![0]!["storedVectors"]!["text@v2"]!);
        }
    }

    private static async Task<JsonNode> WaitAsync(HttpClient client, string id, Func<JsonNode, bool> done)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(120));
        while (true)
        {
            JsonNode migration = (await Api.GetAsync(client, $"/v1/collections/docs/migrations/{id}", deadline.Token)).Body!;
            if (done(migration))
            {
                return migration;
            }

            Assert.NotEqual("failed", (string)migration["state"]!);
            await Task.Delay(20, deadline.Token);
        }
    }

    private static async Task AssertProblemAsync(HttpClient client, string path, string body, HttpStatusCode status, string type, string? detailContains)
    {
        var response = await Api.PostAsync(client, path, body, Ct);
        Assert.Equal(status, response.Status);
        Assert.Equal("application/problem+json", response.MediaType);
        Assert.Equal(type, (string)response.Body!["type"]!);
        if (detailContains is not null)
        {
            Assert.Contains(detailContains, (string)response.Body["detail"]!, StringComparison.Ordinal);
        }
    }

    private static async Task SeedAsync(HttpClient client, int items)
    {
        Assert.Equal(HttpStatusCode.Created, (await Api.PutAsync(client, "/v1/models/text/versions/v1", $$"""{"dimension": {{Dimension}}, "metric": "cosine"}""", Ct)).Status);
        Assert.Equal(HttpStatusCode.Created, (await Api.PutAsync(client, "/v1/models/text/versions/v2", $$"""{"dimension": {{Dimension}}, "metric": "cosine"}""", Ct)).Status);
        Assert.Equal(HttpStatusCode.Created, (await Api.PutAsync(client, "/v1/collections/docs", """{"servingVersion": "text@v1"}""", Ct)).Status);
        var random = new Random(4);
        // Batches of 50: the in-memory factory lowers the batch limit to 50.
        for (int first = 0; first < items; first += 50)
        {
            string batch = string.Join(",", Enumerable.Range(first, Math.Min(50, items - first)).Select(i =>
                $$$"""{"id": "d{{{i:D5}}}", "payload": {"name": "d{{{i:D5}}}"}, "vectors": {"text@v1": {{{Api.Vector(Vector(random, Dimension))}}}}}"""));
            Assert.Equal(HttpStatusCode.OK, (await Api.PostAsync(client, "/v1/collections/docs/items", $$"""{"items": [{{batch}}]}""", Ct)).Status);
        }
    }

    private static float[] Vector(Random random, int dimension) => [.. Enumerable.Range(0, dimension).Select(_ => (float)random.NextDouble() + 0.01f)];

    private static string Base64(float[] vector) => Convert.ToBase64String(System.Runtime.InteropServices.MemoryMarshal.AsBytes(vector.AsSpan()));
}
