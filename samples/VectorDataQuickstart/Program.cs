// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

// EmbeddingStore through Microsoft.Extensions.VectorData, the way Semantic Kernel and Microsoft.Extensions.AI code uses
// a vector store: dependency injection, a record class, EnsureCollectionExists, Upsert, Search with a filter. Each vector
// property names its model version, so a search with the new model's embedding queries the new version's vectors.
//
//   dotnet run --project src/EmbeddingStore.Server      (in another terminal)
//   dotnet run --project samples/VectorDataQuickstart -- [server-url]      default http://127.0.0.1:5080
using EmbeddingStore.Client;
using EmbeddingStore.Client.VectorData;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.VectorData;
using VectorDataQuickstart;

string server = args.Length > 0 ? args[0] : "http://127.0.0.1:5080";
if (!Uri.TryCreate(server, UriKind.Absolute, out Uri? address))
{
    Console.Error.WriteLine($"VectorDataQuickstart: '{server}' is not a URL.");
    return 2;
}

var services = new ServiceCollection();
services.AddEmbeddingStoreClient(o =>
{
    o.BaseAddress = address;
    o.MaxRetries = 1;
});
services.AddEmbeddingStoreVectorStore();
await using ServiceProvider provider = services.BuildServiceProvider();

VectorStore store = provider.GetRequiredService<VectorStore>();
using var oldModel = new HashingEmbeddingGenerator("notes-hash@v1", HashingEmbeddingGenerator.OldDimensions, salt: 2166136261);
using var newModel = new HashingEmbeddingGenerator("notes-hash@v2", HashingEmbeddingGenerator.NewDimensions, salt: 97);

try
{
    VectorStoreCollection<string, Note> notes = store.GetCollection<string, Note>("notes");

    // Registers notes-hash@v1 and @v2 if they are missing and serves v1, the first vector property.
    await notes.EnsureCollectionExistsAsync();

    (string Topic, string Text)[] texts =
    [
        ("pets", "Cats sleep most of the day and purr when content."),
        ("pets", "Dogs need a walk every day, rain or shine."),
        ("cars", "Electric cars need charging stations along the motorway."),
        ("cars", "A diesel engine is loud on a cold morning."),
        ("food", "Fresh bread and cheese make a good lunch."),
    ];
    GeneratedEmbeddings<Embedding<float>> oldEmbeddings = await oldModel.GenerateAsync(texts.Select(t => t.Text));
    GeneratedEmbeddings<Embedding<float>> newEmbeddings = await newModel.GenerateAsync(texts.Select(t => t.Text));
    await notes.UpsertAsync(texts.Select((t, i) => new Note
    {
        Id = $"note-{i}",
        Topic = t.Topic,
        Text = t.Text,
        Embedding = oldEmbeddings[i].Vector,
        EmbeddingV2 = newEmbeddings[i].Vector,
    }));

    string question = "which cars need charging";

    // Each vector property holds another model version, so a search names the one its query was embedded by: here the
    // old model's, searched as notes-hash@v1.
    ReadOnlyMemory<float> oldQuery = (await oldModel.GenerateAsync(question)).Vector;
    Console.WriteLine($"v1 search for \"{question}\":");
    var v1 = new VectorSearchOptions<Note> { VectorProperty = n => n.Embedding };
    await foreach (VectorSearchResult<Note> hit in notes.SearchAsync(oldQuery, 2, v1))
    {
        Console.WriteLine($"  {hit.Score:0.000}  [{hit.Record.Topic}] {hit.Record.Text}");
    }

    // The new model's embedding goes to the v2 property, with a filter on a data property.
    ReadOnlyMemory<float> newQuery = (await newModel.GenerateAsync(question)).Vector;
    Console.WriteLine($"v2 search for \"{question}\", topic = cars:");
    var options = new VectorSearchOptions<Note> { VectorProperty = n => n.EmbeddingV2, Filter = n => n.Topic == "cars" };
    await foreach (VectorSearchResult<Note> hit in notes.SearchAsync(newQuery, 2, options))
    {
        Console.WriteLine($"  {hit.Score:0.000}  [{hit.Record.Topic}] {hit.Record.Text}");
    }

    // A string query works when the collection is given an embedding generator: it embeds the text for the property
    // searched (the generator must be that property's model).
    var byText = new EmbeddingStoreCollection<string, Note>(
        provider.GetRequiredService<EmbeddingStoreClient>(), "notes", new EmbeddingStoreCollectionOptions { EmbeddingGenerator = oldModel });
    VectorSearchResult<Note> best = await byText.SearchAsync("a dog walk in the rain", 1, v1).FirstAsync();
    Console.WriteLine($"string search: {best.Record.Text}");
    return 0;
}
catch (Exception ex) when (ex is HttpRequestException or TimeoutException || ex.InnerException is HttpRequestException or TimeoutException)
{
    Console.Error.WriteLine($"VectorDataQuickstart: no EmbeddingStore server at {address} ({ex.Message}); start one with `dotnet run --project src/EmbeddingStore.Server`.");
    return 1;
}
catch (VectorStoreException ex)
{
    Console.Error.WriteLine($"VectorDataQuickstart: {ex.Message}");
    return 1;
}
