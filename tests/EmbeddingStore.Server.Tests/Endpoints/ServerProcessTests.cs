// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using EmbeddingStore.Server.Tests.TestSupport;
using EmbeddingStore.Tests.Shared;

namespace EmbeddingStore.Server.Tests.Endpoints;

// End to end against the real server process over real HTTP on 127.0.0.1.
public sealed class ServerProcessTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "es-process-tests", Guid.NewGuid().ToString("N"));

    public ServerProcessTests() => Directory.CreateDirectory(_directory);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Restart_AfterKill_SameFileGivesIdenticalAnswers()
    {
        string database = Path.Combine(_directory, "data", "store.db");
        var random = new Random(2024);
        string[] queries = [.. Enumerable.Range(0, 5).Select(_ => Vector(random, 32))];
        var before = new List<string>();

        using (ServerProcess server = await ServerProcess.StartAsync(database, Ct))
        using (HttpClient client = server.CreateClient())
        {
            Assert.Equal(HttpStatusCode.Created, (await Api.PutAsync(client, "/v1/models/text/versions/v1", """{"dimension": 32, "metric": "cosine"}""", Ct)).Status);
            Assert.Equal(HttpStatusCode.Created, (await Api.PutAsync(client, "/v1/models/text/versions/v2", """{"dimension": 32, "metric": "l2"}""", Ct)).Status);
            Assert.Equal(HttpStatusCode.Created, (await Api.PutAsync(client, "/v1/collections/docs", """{"servingVersion": "text@v1"}""", Ct)).Status);
            for (int batch = 0; batch < 4; batch++)
            {
                var items = new StringBuilder("{\"items\": [");
                for (int i = 0; i < 250; i++)
                {
                    int n = (batch * 250) + i;
                    string v2 = n % 3 == 0 ? $", \"text@v2\": {Vector(random, 32)}" : string.Empty;
                    items.Append(CultureInfo.InvariantCulture, $"{(i == 0 ? string.Empty : ",")}{{\"id\": \"doc-{n}\", \"payload\": {{\"n\": {n}, \"even\": {(n % 2 == 0 ? "true" : "false")}}}, \"vectors\": {{\"text@v1\": {Vector(random, 32)}{v2}}}}}");
                }

                items.Append("]}");
                var upsert = await Api.PostAsync(client, "/v1/collections/docs/items", items.ToString(), Ct);
                Assert.Equal(HttpStatusCode.OK, upsert.Status);
            }

            Assert.Equal(HttpStatusCode.OK, (await Api.PostAsync(client, "/v1/collections/docs/items/delete", """{"ids": ["doc-1", "doc-2", "doc-3"]}""", Ct)).Status);
            before.AddRange(await AnswersAsync(client, queries));
            server.Kill();
        }

        using (ServerProcess restarted = await ServerProcess.StartAsync(database, Ct))
        using (HttpClient client = restarted.CreateClient())
        {
            List<string> after = await AnswersAsync(client, queries);
            Assert.Equal(before, after);
            JsonNode collection = (await Api.GetAsync(client, "/v1/collections/docs", Ct)).Body!;
            Assert.Equal(997, collection["itemCount"]!.GetValue<long>());
            Assert.Equal(333, collection["vectorCounts"]!["text@v2"]!.GetValue<long>());
        }
    }

    [Fact]
    public async Task Sigterm_DuringWrites_FinishesInFlightAndCheckpointsWal()
    {
        string database = Path.Combine(_directory, "term.db");
        var random = new Random(77);
        int acknowledged = 0;
        using (ServerProcess server = await ServerProcess.StartAsync(database, Ct))
        using (HttpClient client = server.CreateClient())
        {
            await Api.PutAsync(client, "/v1/models/t/versions/v1", """{"dimension": 8, "metric": "dot"}""", Ct);
            await Api.PutAsync(client, "/v1/collections/c", """{"servingVersion": "t@v1"}""", Ct);
            using var stop = new CancellationTokenSource();
            Task writer = Task.Run(
                async () =>
                {
                    for (int n = 0; !stop.IsCancellationRequested; n++)
                    {
                        try
                        {
                            var response = await Api.PostAsync(client, "/v1/collections/c/items", $"{{\"items\": [{{\"id\": \"n{n}\", \"vectors\": {{\"t@v1\": {Vector(random, 8)}}}}}]}}", CancellationToken.None);
                            if (response.Status == HttpStatusCode.OK)
                            {
                                Interlocked.Increment(ref acknowledged);
                            }
                        }
                        catch (HttpRequestException)
                        {
                            return;
                        }
                    }
                },
                Ct);
            // SIGTERM once writes are flowing (a condition, not a sleep), with a bounded wait for it.
            long waitStarted = Stopwatch.GetTimestamp();
            while (Volatile.Read(ref acknowledged) < 20 && !writer.IsCompleted && Stopwatch.GetElapsedTime(waitStarted) < TimeSpan.FromSeconds(60))
            {
                await Task.Delay(10, Ct);
            }

            Assert.True(Volatile.Read(ref acknowledged) >= 20, $"only {acknowledged} writes acknowledged before SIGTERM");
            int exitCode = await server.TerminateAsync(TimeSpan.FromSeconds(30));
            await stop.CancelAsync();
            await writer;
            Assert.Equal(0, exitCode);
        }

        // The WAL was folded into the main file on the way out.
        string wal = database + "-wal";
        long walBytes = File.Exists(wal) ? new FileInfo(wal).Length : 0;
        Assert.True(walBytes == 0, $"WAL left with {walBytes} bytes");
        Assert.True(acknowledged > 0);
        using ServerProcess restarted = await ServerProcess.StartAsync(database, Ct);
        using HttpClient check = restarted.CreateClient();
        long items = (await Api.GetAsync(check, "/v1/collections/c", Ct)).Body!["itemCount"]!.GetValue<long>();
        Assert.True(items >= acknowledged, $"{acknowledged} acknowledged, {items} present");
    }

    [Fact]
    public async Task Start_DatabaseFromNewerSchema_FailsWithClearMessage()
    {
        string database = Path.Combine(_directory, "newer.db");
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={database};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA user_version = 999;";
            command.ExecuteNonQuery();
        }

        byte[] original = await File.ReadAllBytesAsync(database, Ct);
        InvalidOperationException ex = await Assert.ThrowsAsync<InvalidOperationException>(() => ServerProcess.StartAsync(database, Ct));
        Assert.Contains("newer than this server supports", ex.Message, StringComparison.Ordinal);
        Assert.Equal(original, await File.ReadAllBytesAsync(database, Ct));
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }

    private static async Task<List<string>> AnswersAsync(HttpClient client, string[] queries)
    {
        var answers = new List<string>();
        foreach (string query in queries)
        {
            // text@v2 vectors are held by a third of the items and no link joins the versions: a partial answer, asked for.
            foreach (string version in new[] { "text@v1", "text@v2" })
            {
                var search = await Api.PostAsync(client, "/v1/collections/docs/search", $"{{\"vector\": {query}, \"version\": \"{version}\", \"k\": 20, \"withVectors\": true, \"allowPartial\": true}}", Ct);
                Assert.Equal(HttpStatusCode.OK, search.Status);
                answers.Add(search.Body!["hits"]!.ToJsonString());
            }

            var filtered = await Api.PostAsync(client, "/v1/collections/docs/search", $"{{\"vector\": {query}, \"k\": 5, \"filter\": {{\"must\": [{{\"key\": \"even\", \"match\": true}}]}}}}", Ct);
            answers.Add(filtered.Body!["hits"]!.ToJsonString());
        }

        return answers;
    }

    private static string Vector(Random random, int dimension) =>
        "[" + string.Join(", ", Enumerable.Range(0, dimension).Select(_ => ((random.NextDouble() * 2) - 1).ToString("R", CultureInfo.InvariantCulture))) + "]";
}
