// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

// From zero to a search with the .NET SDK: register a model version, create a collection, bulk-upsert items, search
// with a filter, and see a query from another model version refused instead of silently compared.
//
//   dotnet run --project src/EmbeddingStore.Server      (in another terminal)
//   dotnet run --project samples/SdkQuickstart -- [server-url]      default http://127.0.0.1:5080
using System.Globalization;
using System.Text.Json;
using EmbeddingStore.Client;
using EmbeddingStore.Contracts;

string server = args.Length > 0 ? args[0] : "http://127.0.0.1:5080";
if (!Uri.TryCreate(server, UriKind.Absolute, out Uri? address))
{
    Console.Error.WriteLine($"SdkQuickstart: '{server}' is not a URL.");
    return 2;
}

using var client = new EmbeddingStoreClient(new EmbeddingStoreClientOptions { BaseAddress = address, MaxRetries = 1 });
try
{
    await client.GetHealthAsync();
}
catch (Exception ex) when (ex is HttpRequestException or TimeoutException or EmbeddingStoreException)
{
    Console.Error.WriteLine($"SdkQuickstart: no EmbeddingStore server at {address} ({ex.Message}); start one with `dotnet run --project src/EmbeddingStore.Server`.");
    return 1;
}

try
{
    // 1. A model version is registered once; its dimension and metric are immutable once vectors use it.
    await client.RegisterModelVersionAsync("text", "v1", new ModelVersionRequest { Dimension = 3, Metric = "cosine" });

    // 2. A collection serves one version by default.
    await client.PutCollectionAsync("quickstart", new CollectionRequest { ServingVersion = "text@v1" });

    // 3. Any number of items: the helper splits them into atomic batches and reports each acknowledged one.
    string[] langs = ["en", "de", "fr"];
    var random = new Random(7);
    IEnumerable<ItemRequest> items = Enumerable.Range(0, 2_000).Select(i => new ItemRequest
    {
        Id = $"doc-{i:D4}",
        Payload = JsonSerializer.SerializeToElement(new Dictionary<string, object> { ["lang"] = langs[i % 3], ["n"] = i }),
        Vectors = new() { ["text@v1"] = [(float)random.NextDouble(), (float)random.NextDouble(), (float)random.NextDouble()] },
    });
    var progress = new Progress<BulkUpsertProgress>(p => Console.WriteLine($"  batch {p.Batch.Index} acknowledged ({p.ItemsAcknowledged} items so far)"));
    long written = await client.BulkUpsertAsync("quickstart", items, new BulkUpsertOptions { BatchSize = 500 }, progress);
    Console.WriteLine($"upserted {written} items");

    // 4. Search with the query's version and a payload filter.
    SearchResponse result = await client.SearchAsync("quickstart", new SearchRequest
    {
        Vector = [1f, 0.2f, 0f],
        Version = "text@v1",
        K = 3,
        Filter = new FilterRequest { Must = [new FieldConditionRequest { Key = "lang", Match = JsonSerializer.SerializeToElement("en") }] },
    });
    foreach (SearchHitResponse hit in result.Hits)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {hit.Id}  score {hit.Score:0.0000}  version {hit.Version}  {hit.Payload}"));
    }

    // 5. A query embedded by another model version is refused, not compared across spaces.
    await client.RegisterModelVersionAsync("text", "v2", new ModelVersionRequest { Dimension = 3, Metric = "cosine" });
    try
    {
        await client.SearchAsync("quickstart", new SearchRequest { Vector = [1f, 0.2f, 0f], Version = "text@v2" });
    }
    catch (IncompatibleVersionsException ex)
    {
        Console.WriteLine($"refused as expected: query {ex.QueryVersion} vs stored {string.Join(", ", ex.StoredVersions)}");
    }

    return 0;
}
catch (EmbeddingStoreException ex)
{
    Console.Error.WriteLine($"SdkQuickstart: {(int)ex.Status} {ex.ProblemType}: {ex.Message}");
    return 1;
}
