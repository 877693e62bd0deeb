// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using EmbeddingStore.Server.Tests.TestSupport;
using EmbeddingStore.Tests.Shared;
using Microsoft.Data.Sqlite;

namespace EmbeddingStore.Server.Tests.Endpoints;

// A real server process takes concurrent batch upserts and deletes from several clients and is killed with SIGKILL at a
// seeded random moment; after a restart on the same file every acknowledged write must be there, every batch whose
// answer never arrived must be present entirely or not at all, and SQLite's integrity check must pass.
// EMBEDDINGSTORE_CRASH_ROUNDS=N runs N rounds for a soak (README).
public sealed class CrashSafetyTests : IDisposable
{
    private const int Clients = 4;
    private const int BatchSize = 20;
    private const int Dimension = 16;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "es-crash-tests", Guid.NewGuid().ToString("N"));

    public CrashSafetyTests() => Directory.CreateDirectory(_directory);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task KillDuringConcurrentWrites_AcknowledgedWritesSurviveAndBatchesStayAtomic()
    {
        int rounds = int.TryParse(Environment.GetEnvironmentVariable("EMBEDDINGSTORE_CRASH_ROUNDS"), CultureInfo.InvariantCulture, out int r) ? r : 3;
        string database = Path.Combine(_directory, "crash.db");
        var ledger = new Ledger();
        int verifiedItems = 0;

        for (int round = 0; round < rounds; round++)
        {
            var random = new Random(1000 + round);
            using ServerProcess server = await ServerProcess.StartAsync(database, Ct);
            using HttpClient setup = server.CreateClient();
            if (round == 0)
            {
                Assert.Equal(HttpStatusCode.Created, (await Api.PutAsync(setup, "/v1/models/crash/versions/v1", $$"""{"dimension": {{Dimension}}, "metric": "dot"}""", Ct)).Status);
                Assert.Equal(HttpStatusCode.Created, (await Api.PutAsync(setup, "/v1/collections/crash", """{"servingVersion": "crash@v1"}""", Ct)).Status);
            }
            else
            {
                verifiedItems += await VerifyAsync(setup, ledger, database);
            }

            // Writers run until the kill; each records what the server acknowledged and what it never answered.
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            Task[] writers = [.. Enumerable.Range(0, Clients).Select(c => WriteAsync(server, ledger, round, c, random.Next(), stop.Token))];
            // The kill comes after a seeded number of acknowledgements in this round, not after a time window: on a
            // loaded machine a window can pass before the first write is answered.
            int killAfter = ledger.AcknowledgedCount + random.Next(1, 40);
            bool reached = await ledger.WaitForAcknowledgedAsync(killAfter, TimeSpan.FromSeconds(60), Ct);
            server.Kill();
            await stop.CancelAsync();
            await Task.WhenAll(writers);
            Assert.True(reached, $"round {round}: {ledger.AcknowledgedCount} of {killAfter} acknowledgements within 60 s before the kill");
        }

        using (ServerProcess last = await ServerProcess.StartAsync(database, Ct))
        using (HttpClient client = last.CreateClient())
        {
            verifiedItems += await VerifyAsync(client, ledger, database);
        }

        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{rounds} kill rounds, {ledger.AcknowledgedCount} acknowledged batches, {ledger.UnknownCount} unanswered, {verifiedItems} item checks");
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
            // Best effort.
        }
    }

    private static async Task WriteAsync(ServerProcess server, Ledger ledger, int round, int client, int seed, CancellationToken stop)
    {
        var random = new Random(seed);
        using HttpClient http = server.CreateClient();
        for (int n = 0; !stop.IsCancellationRequested; n++)
        {
            string? doomed = random.Next(4) == 0 ? ledger.PickLive(random) : null;
            if (doomed is not null)
            {
                string[] ids = ledger.Ids(doomed);
                string body = "{\"ids\": [" + string.Join(",", ids.Select(id => $"\"{id}\"")) + "]}";
                Outcome outcome = await TryAsync(http, "/v1/collections/crash/items/delete", body);
                ledger.RecordDelete(doomed, outcome);
                continue;
            }

            string batch = $"r{round}c{client}b{n}";
            var items = new StringBuilder("{\"items\": [");
            for (int i = 0; i < BatchSize; i++)
            {
                items.Append(CultureInfo.InvariantCulture, $"{(i == 0 ? string.Empty : ",")}{{\"id\": \"{batch}-{i}\", \"payload\": {{\"batch\": \"{batch}\"}}, \"vectors\": {{\"crash@v1\": [{string.Join(",", Vector(batch, i).Select(x => x.ToString("R", CultureInfo.InvariantCulture)))}]}}}}");
            }

            items.Append("]}");
            ledger.RecordUpsert(batch, await TryAsync(http, "/v1/collections/crash/items", items.ToString()));
        }
    }

    private static async Task<Outcome> TryAsync(HttpClient http, string path, string body)
    {
        try
        {
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            using HttpResponseMessage response = await http.PostAsync(new Uri(path, UriKind.Relative), content, CancellationToken.None);
            return response.IsSuccessStatusCode ? Outcome.Acknowledged : Outcome.Failed;
        }
        catch (HttpRequestException)
        {
            // The connection died with the server: the write may or may not have been committed.
            return Outcome.Unknown;
        }
    }

    private static async Task<int> VerifyAsync(HttpClient client, Ledger ledger, string database)
    {
        var stored = new Dictionary<string, JsonNode>(StringComparer.Ordinal);
        string? cursor = null;
        do
        {
            var page = await Api.GetAsync(client, "/v1/collections/crash/items?limit=1000&withVectors=true" + (cursor is null ? string.Empty : "&cursor=" + Uri.EscapeDataString(cursor)), Ct);
            Assert.Equal(HttpStatusCode.OK, page.Status);
            foreach (JsonNode? item in page.Body!["items"]!.AsArray())
            {
                stored[item!["id"]!.GetValue<string>()] = item;
            }

            cursor = page.Body!["nextCursor"]?.GetValue<string>();
        }
        while (cursor is not null);

        int checks = 0;
        foreach ((string batch, BatchState state) in ledger.Snapshot())
        {
            int present = Enumerable.Range(0, BatchSize).Count(i => stored.ContainsKey($"{batch}-{i}"));
            switch (state)
            {
                case BatchState.Live:
                    Assert.True(present == BatchSize, $"acknowledged batch {batch}: {present} of {BatchSize} items survived");
                    for (int i = 0; i < BatchSize; i++)
                    {
                        float[] expected = Vector(batch, i);
                        float[] actual = [.. stored[$"{batch}-{i}"]["vectors"]!["crash@v1"]!.AsArray().Select(v => v!.GetValue<float>())];
                        Assert.Equal(expected, actual);
                        Assert.Equal(batch, stored[$"{batch}-{i}"]["payload"]!["batch"]!.GetValue<string>());
                    }

                    break;
                case BatchState.Deleted:
                    Assert.True(present == 0, $"acknowledged delete of {batch}: {present} items still present");
                    break;
                case BatchState.Unknown:
                    Assert.True(present is 0 or BatchSize, $"unanswered write of {batch} is half-applied: {present} of {BatchSize}");
                    ledger.Resolve(batch, present == BatchSize);
                    break;
            }

            checks += BatchSize;
        }

        Assert.Equal(stored.Count, ledger.Snapshot().Count(b => b.Value == BatchState.Live) * BatchSize);
        using (var connection = new SqliteConnection($"Data Source={database};Mode=ReadOnly;Pooling=False"))
        {
            connection.Open();
            using SqliteCommand check = connection.CreateCommand();
            check.CommandText = "PRAGMA integrity_check;";
            Assert.Equal("ok", Convert.ToString(check.ExecuteScalar(), CultureInfo.InvariantCulture));
        }

        return checks;
    }

    private static float[] Vector(string batch, int i)
    {
        // A stable seed from the batch name (string.GetHashCode is randomised per process).
        int seed = batch.Aggregate(17, (h, c) => unchecked((h * 31) + c));
        var random = new Random(seed ^ (i * 7919));
        return [.. Enumerable.Range(0, Dimension).Select(_ => (float)Math.Round(random.NextDouble() - 0.5, 4))];
    }

    private enum Outcome
    {
        Acknowledged,
        Failed,
        Unknown,
    }

    private enum BatchState
    {
        Live,
        Deleted,
        Unknown,
    }

    // What the clients were told, shared across rounds.
    private sealed class Ledger
    {
        private readonly Lock _lock = new();
        private readonly Dictionary<string, BatchState> _batches = new(StringComparer.Ordinal);
        private readonly List<(int Count, TaskCompletionSource Reached)> _waiters = [];
        private int _acknowledged;

        public int AcknowledgedCount
        {
            get
            {
                lock (_lock)
                {
                    return _acknowledged;
                }
            }
        }

        public int UnknownCount { get; private set; }

        public void RecordUpsert(string batch, Outcome outcome)
        {
            lock (_lock)
            {
                if (outcome == Outcome.Acknowledged)
                {
                    _batches[batch] = BatchState.Live;
                    Acknowledge();
                }
                else if (outcome == Outcome.Unknown)
                {
                    _batches[batch] = BatchState.Unknown;
                    UnknownCount++;
                }
            }
        }

        public void RecordDelete(string batch, Outcome outcome)
        {
            lock (_lock)
            {
                if (outcome == Outcome.Acknowledged)
                {
                    _batches[batch] = BatchState.Deleted;
                    Acknowledge();
                }
                else if (outcome == Outcome.Unknown)
                {
                    _batches[batch] = BatchState.Unknown;
                    UnknownCount++;
                }
                else
                {
                    // Refused: nothing changed.
                    _batches[batch] = BatchState.Live;
                }
            }
        }

        // Completes once `count` writes have been acknowledged in all, or returns false when the deadline passes first.
        public async Task<bool> WaitForAcknowledgedAsync(int count, TimeSpan deadline, CancellationToken cancellationToken)
        {
            var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_lock)
            {
                if (_acknowledged >= count)
                {
                    return true;
                }

                _waiters.Add((count, reached));
            }

            try
            {
                await reached.Task.WaitAsync(deadline, cancellationToken);
                return true;
            }
            catch (TimeoutException)
            {
                return false;
            }
        }

        public void Resolve(string batch, bool present)
        {
            lock (_lock)
            {
                _batches[batch] = present ? BatchState.Live : BatchState.Deleted;
            }
        }

        public string? PickLive(Random random)
        {
            lock (_lock)
            {
                var live = _batches.Where(b => b.Value == BatchState.Live).Select(b => b.Key).Order(StringComparer.Ordinal).ToList();
                if (live.Count == 0)
                {
                    return null;
                }

                string chosen = live[random.Next(live.Count)];
                _batches[chosen] = BatchState.Unknown;   // in flight until the answer arrives
                return chosen;
            }
        }

        // Called under the lock.
        private void Acknowledge()
        {
            _acknowledged++;
            for (int i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Count <= _acknowledged)
                {
                    _waiters[i].Reached.TrySetResult();
                    _waiters.RemoveAt(i);
                }
            }
        }

        public string[] Ids(string batch) => [.. Enumerable.Range(0, BatchSize).Select(i => $"{batch}-{i}")];

        public List<KeyValuePair<string, BatchState>> Snapshot()
        {
            lock (_lock)
            {
                return [.. _batches];
            }
        }
    }
}
