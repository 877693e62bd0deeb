// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using EmbeddingStore.Server.Tests.TestSupport;
using EmbeddingStore.Tests.Shared;
using Microsoft.Data.Sqlite;

namespace EmbeddingStore.Server.Tests.Endpoints;

// HNSW graphs saved beside the database (<db>.indexes/<collection>/<model>@<version>.hnsw) and loaded by a real server
// process after a restart: a valid file is loaded, not rebuilt (the start-up log says Loaded, no index-build job is
// created and nothing is saved during the start); a torn, flipped or truncated file is refused and rebuilt to the same answers (a
// single-threaded build of the same rows in the same order is the same graph); writes after the last save survive a
// SIGKILL (the load inserts the new rows and drops the deleted ones); a temporary file an interrupted save left is
// never read. Builds run as index-build jobs; the tests wait for the job (GET /v1/jobs) before comparing graph answers.
public sealed class IndexPersistenceTests : IDisposable
{
    private const int Dimension = 16;
    private const int Items = 1_500;
    private const string FileName = "vec@v1.hnsw";
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "es-index-files", Guid.NewGuid().ToString("N"));

    public IndexPersistenceTests() => Directory.CreateDirectory(_directory);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Database => Path.Combine(_directory, "graphs.db");

    private string GraphFile => Path.Combine(Database + ".indexes", "docs", FileName);

    [Fact]
    public async Task Restart_ValidGraphFile_LoadedNotRebuiltAndAnswersEqual()
    {
        List<string> before;
        using (ServerProcess server = await ServerProcess.StartAsync(Database, Ct))
        using (HttpClient client = server.CreateClient())
        {
            await SeedAsync(client, new Random(1));
            await BuildAsync(client);
            before = await AnswersAsync(client, new Random(2));
            Assert.True(File.Exists(GraphFile), "the build job did not save its graph");
            Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(60)));
        }

        using (ServerProcess server = await ServerProcess.StartAsync(Database, Ct, settings: ["--Startup:WaitForLoad", "true"]))
        using (HttpClient client = server.CreateClient())
        {
            IReadOnlyList<string> log = server.Output();
            Assert.Contains(log, line => line.Contains($"docs/vec@v1/hnsw Loaded: {GraphFile}: {Items} nodes matched, 0 dropped, 0 rows inserted", StringComparison.Ordinal));
            Assert.DoesNotContain(log, line => line.Contains("hnsw Refused", StringComparison.Ordinal) || line.Contains("hnsw Saved", StringComparison.Ordinal));
            Assert.Equal("ready", (await HnswInfoAsync(client))["state"]!.GetValue<string>());
            Assert.Equal(before, await AnswersAsync(client, new Random(2)));

            // Only the first run's build job exists: the restart built nothing.
            JsonNode job = Assert.Single(await BuildJobsAsync(client));
            Assert.Equal("completed", job["state"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task Restart_TornFlippedOrEmptyGraphFile_RefusedRebuiltToTheSameAnswers()
    {
        List<string> before;
        using (ServerProcess server = await ServerProcess.StartAsync(Database, Ct))
        using (HttpClient client = server.CreateClient())
        {
            await SeedAsync(client, new Random(3));
            await BuildAsync(client);
            before = await AnswersAsync(client, new Random(4));
            Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(60)));
        }

        var damages = new (string Name, Func<byte[], byte[]> Damage)[]
        {
            ("cut in half", bytes => bytes[..(bytes.Length / 2)]),
            ("one byte flipped", bytes => { byte[] copy = [.. bytes]; copy[copy.Length / 3] ^= 0x20; return copy; }),
            ("empty", _ => []),
        };
        foreach ((string name, Func<byte[], byte[]> damage) in damages)
        {
            File.WriteAllBytes(GraphFile, damage(File.ReadAllBytes(GraphFile)));
            using ServerProcess server = await ServerProcess.StartAsync(Database, Ct, settings: ["--Startup:WaitForLoad", "true"]);
            using HttpClient client = server.CreateClient();
            IReadOnlyList<string> log = server.Output();
            Assert.True(log.Any(line => line.Contains("docs/vec@v1/hnsw Refused", StringComparison.Ordinal)), $"a graph file {name} was not refused");

            // Rebuilt by a job the start requested, then saved again: the next start (next damage) has a whole file.
            JsonNode rebuilt = await BuildAsync(client);
            Assert.Equal(Items, rebuilt["progress"]!["done"]!.GetValue<long>());
            Assert.Equal(before, await AnswersAsync(client, new Random(4)));
            Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(60)));
        }
    }

    [Fact]
    public async Task KillAfterWritesSinceTheSave_RestartInsertsNewRowsDropsDeletedAndNeverReturnsThem()
    {
        var random = new Random(5);
        var added = new List<(string Id, float[] Vector)>();
        var deleted = new List<(string Id, float[] Vector)>();
        using (ServerProcess server = await ServerProcess.StartAsync(Database, Ct))
        using (HttpClient client = server.CreateClient())
        {
            List<float[]> vectors = await SeedAsync(client, random);
            await BuildAsync(client);
            Assert.True(File.Exists(GraphFile));

            // After the save: 100 new items, 50 deleted; then SIGKILL, so no shutdown save runs.
            for (int i = 0; i < 100; i++)
            {
                added.Add(($"new-{i:D3}", Clustered(random)));
            }

            await UpsertAsync(client, added);
            for (int i = 0; i < 50; i++)
            {
                deleted.Add((Id(i * 7), vectors[i * 7]));
            }

            string ids = string.Join(",", deleted.Select(d => $"\"{d.Id}\""));
            Assert.Equal(HttpStatusCode.OK, (await Api.PostAsync(client, "/v1/collections/docs/items/delete", $$"""{"ids": [{{ids}}]}""", Ct)).Status);
            server.Kill();
        }

        using (ServerProcess server = await ServerProcess.StartAsync(Database, Ct, settings: ["--Startup:WaitForLoad", "true"]))
        using (HttpClient client = server.CreateClient())
        {
            Assert.Contains(server.Output(), line => line.Contains($"docs/vec@v1/hnsw Loaded: {GraphFile}: {Items - 50} nodes matched, 50 dropped, 100 rows inserted", StringComparison.Ordinal));
            foreach ((string id, float[] vector) in added)
            {
                Assert.Equal(id, (await SearchAsync(client, vector, 1))[0]);
            }

            var gone = deleted.Select(d => d.Id).ToHashSet(StringComparer.Ordinal);
            foreach ((_, float[] vector) in deleted)
            {
                Assert.DoesNotContain(await SearchAsync(client, vector, 10), gone.Contains);
            }

            Assert.Equal(Items + 50, (await HnswInfoAsync(client))["vectorsIndexed"]!.GetValue<long>());
            Assert.Single(await BuildJobsAsync(client));
        }
    }

    [Fact]
    public async Task Restart_TornTemporaryFileOfAnInterruptedSave_NeverReadAndRemoved()
    {
        List<string> before;
        using (ServerProcess server = await ServerProcess.StartAsync(Database, Ct))
        using (HttpClient client = server.CreateClient())
        {
            await SeedAsync(client, new Random(7));
            await BuildAsync(client);
            before = await AnswersAsync(client, new Random(8));
            Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(60)));
        }

        // What a kill in the middle of a save leaves: the new bytes half-written under the temporary name, the previous
        // whole file under the real one (the rename had not happened).
        byte[] whole = File.ReadAllBytes(GraphFile);
        string temporary = GraphFile + ".tmp";
        File.WriteAllBytes(temporary, whole[..(whole.Length / 2)]);

        using (ServerProcess server = await ServerProcess.StartAsync(Database, Ct, settings: ["--Startup:WaitForLoad", "true"]))
        using (HttpClient client = server.CreateClient())
        {
            Assert.Contains(server.Output(), line => line.Contains("docs/vec@v1/hnsw Loaded", StringComparison.Ordinal));
            Assert.False(File.Exists(temporary), "the interrupted save's temporary file was left behind");
            Assert.Equal(before, await AnswersAsync(client, new Random(8)));
        }
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A server still releasing the file; the temp directory is reclaimed by the OS.
        }
    }

    private static string Id(int i) => "item-" + i.ToString("D5", CultureInfo.InvariantCulture);

    // Twelve seeded centres and Gaussian noise around them: real embeddings cluster.
    private static float[] Clustered(Random random)
    {
        int centre = random.Next(12);
        var centres = new Random(99);
        var vector = new float[Dimension];
        for (int c = 0; c <= centre; c++)
        {
            for (int j = 0; j < Dimension; j++)
            {
                vector[j] = (float)((centres.NextDouble() * 2) - 1);
            }
        }

        for (int j = 0; j < Dimension; j++)
        {
            vector[j] += (float)((random.NextDouble() - 0.5) * 0.6);
        }

        return vector;
    }

    private static string Json(float[] vector) => "[" + string.Join(",", vector.Select(x => x.ToString("R", CultureInfo.InvariantCulture))) + "]";

    // The model, a collection searched with hnsw by default, and Items seeded vectors in batches; returns the vectors.
    private static async Task<List<float[]>> SeedAsync(HttpClient client, Random random)
    {
        Assert.Equal(HttpStatusCode.Created, (await Api.PutAsync(client, "/v1/models/vec/versions/v1", $$"""{"dimension": {{Dimension}}, "metric": "cosine"}""", Ct)).Status);
        Assert.Equal(HttpStatusCode.Created, (await Api.PutAsync(client, "/v1/collections/docs", """{"servingVersion": "vec@v1", "defaultIndex": "hnsw"}""", Ct)).Status);
        var items = Enumerable.Range(0, Items).Select(i => (Id(i), Clustered(random))).ToList();
        await UpsertAsync(client, items);
        return [.. items.Select(i => i.Item2)];
    }

    private static async Task UpsertAsync(HttpClient client, List<(string Id, float[] Vector)> items)
    {
        foreach ((string Id, float[] Vector)[] chunk in items.Chunk(500))
        {
            var body = new StringBuilder("{\"items\": [");
            body.AppendJoin(",", chunk.Select(i => $"{{\"id\": \"{i.Id}\", \"vectors\": {{\"vec@v1\": {Json(i.Vector)}}}}}"));
            body.Append("]}");
            var response = await Api.PostAsync(client, "/v1/collections/docs/items", body.ToString(), Ct);
            Assert.True(response.Status is HttpStatusCode.OK or HttpStatusCode.Created, $"upsert answered {response.Status}");
        }
    }

    private static async Task<List<string>> SearchAsync(HttpClient client, float[] vector, int k)
    {
        var response = await Api.PostAsync(client, "/v1/collections/docs/search", $$"""{"vector": {{Json(vector)}}, "k": {{k}}, "ef": 32}""", Ct);
        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal("hnsw", response.Body!["index"]!.GetValue<string>());
        return [.. response.Body["hits"]!.AsArray().Select(h => h!["id"]!.GetValue<string>())];
    }

    // Twenty seeded queries' top 10 (ids and scores), one line each: equal lists mean equal answers.
    private static async Task<List<string>> AnswersAsync(HttpClient client, Random random)
    {
        var answers = new List<string>();
        for (int q = 0; q < 20; q++)
        {
            var response = await Api.PostAsync(client, "/v1/collections/docs/search", $$"""{"vector": {{Json(Clustered(random))}}, "k": 10, "ef": 32}""", Ct);
            Assert.Equal(HttpStatusCode.OK, response.Status);
            answers.Add(string.Join(' ', response.Body!["hits"]!.AsArray().Select(h => $"{h!["id"]}:{h["score"]}")));
        }

        return answers;
    }

    // One hnsw search starts the build (answered by the exact scan meanwhile); then the newest index-build job is awaited
    // until it completes, polling the job route (bounded, as the crash tests wait for acknowledgements).
    private static async Task<JsonNode> BuildAsync(HttpClient client)
    {
        await SearchAsync(client, new float[Dimension].Select((_, j) => j == 0 ? 1f : 0f).ToArray(), 1);
        for (int attempt = 0; attempt < 3000; attempt++)
        {
            List<JsonNode> jobs = await BuildJobsAsync(client);
            if (jobs.Count > 0 && jobs[0]["state"]!.GetValue<string>() is "completed")
            {
                Assert.Equal("ready", (await HnswInfoAsync(client))["state"]!.GetValue<string>());
                return jobs[0];
            }

            Assert.True(jobs.Count == 0 || jobs[0]["state"]!.GetValue<string>() is "queued" or "running", $"the build job is {jobs[0]["state"]}");
            await Task.Delay(100, Ct);
        }

        throw new InvalidOperationException("The index-build job did not complete within 300 s.");
    }

    // Index-build jobs, newest first.
    private static async Task<List<JsonNode>> BuildJobsAsync(HttpClient client)
    {
        var response = await Api.GetAsync(client, "/v1/jobs", Ct);
        Assert.Equal(HttpStatusCode.OK, response.Status);
        return [.. response.Body!["jobs"]!.AsArray().Where(j => j!["kind"]!.GetValue<string>() == "index-build").Select(j => j!)];
    }

    private static async Task<JsonNode> HnswInfoAsync(HttpClient client) =>
        (await Api.GetAsync(client, "/v1/collections/docs", Ct)).Body!["indexes"]!.AsArray().Single(i => i!["index"]!.GetValue<string>() == "hnsw")!;
}
