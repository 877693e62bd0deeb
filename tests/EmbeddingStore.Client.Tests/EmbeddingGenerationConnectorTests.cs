// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Client.Tests.TestSupport;
using EmbeddingStore.Client.VectorData;
using EmbeddingStore.Contracts;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData;

namespace EmbeddingStore.Client.Tests;

// String-typed vector properties embedded by an IEmbeddingGenerator at upsert and search, with the abstractions'
// precedence (property, then collection, then store) and refusals, against the real server.
public sealed class EmbeddingGenerationConnectorTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public sealed class Passage
    {
        [VectorStoreKey]
        public string Id { get; set; } = "";

        [VectorStoreData]
        public string? Source { get; set; }

        [VectorStoreVector(3)]
        [EmbeddingVersion("gen-text@v1")]
        public string? Text { get; set; }
    }

    // Reads "[a, b, c]" as the vector (a, b, c) and overwrites the last element with its marker (when it has one), so a
    // test can tell which of several generators embedded a text.
    private sealed class MarkingGenerator(float? marker) : IEmbeddingGenerator<string, Embedding<float>>
    {
        public int Calls { get; private set; }

        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            Calls++;
            var result = new GeneratedEmbeddings<Embedding<float>>();
            foreach (string value in values)
            {
                float[] vector = [.. value.Trim('[', ']').Split(',').Select(p => float.Parse(p, System.Globalization.CultureInfo.InvariantCulture))];
                vector[^1] = marker ?? vector[^1];
                result.Add(new Embedding<float>(vector));
            }

            return Task.FromResult(result);
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }

    [Fact]
    public async Task Upsert_StringVectorProperty_EmbedsOncePerBatchAndStoresUnderItsVersion()
    {
        using EmbeddingStoreClient client = server.CreateClient();
        var generator = new MarkingGenerator(5);
        VectorStoreCollection<string, Passage> passages = new EmbeddingStoreVectorStore(client, new() { EmbeddingGenerator = generator }).GetCollection<string, Passage>("gen-upsert");
        await passages.EnsureCollectionExistsAsync(Ct);
        await passages.UpsertAsync([new Passage { Id = "p1", Text = "[1, 0, 0]" }, new Passage { Id = "p2", Text = "[0, 2, 0]" }], Ct);

        // One generator call for the whole batch; the generated vector (last element replaced by the marker) is stored.
        Assert.Equal(1, generator.Calls);
        ItemResponse p2 = await client.GetItemAsync("gen-upsert", "p2", withVectors: true, Ct);
        float norm = MathF.Sqrt((2 * 2) + (5 * 5));
        Assert.Equal(new[] { 0, 2 / norm, 5 / norm }, p2.Vectors!["gen-text@v1"], new FloatTolerance(1e-6f));

        // Reading vectors back is refused, since the record would hold the input, not the vector.
        // The generator's input is not stored: a vector property is a vector, not a payload field.
        Assert.False((await client.GetItemAsync("gen-upsert", "p2", withVectors: false, Ct)).Payload!.Value.TryGetProperty("Text", out _));
        NotSupportedException include = await Assert.ThrowsAsync<NotSupportedException>(() => passages.GetAsync("p1", new RecordRetrievalOptions { IncludeVectors = true }, Ct));
        Assert.Contains("Include Vectors", include.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<NotSupportedException>(() => passages.SearchAsync("[1, 0, 0]", 1, new() { IncludeVectors = true }, Ct).ToListAsync(Ct).AsTask());
    }

    [Fact]
    public async Task Upsert_NullGeneratorInput_StoredWithoutThatVectorAndGeneratorSeesOnlyRealInputs()
    {
        using EmbeddingStoreClient client = server.CreateClient();
        var generator = new MarkingGenerator(null);
        VectorStoreCollection<string, Passage> passages = new EmbeddingStoreVectorStore(client, new() { EmbeddingGenerator = generator }).GetCollection<string, Passage>("gen-null");
        await passages.EnsureCollectionExistsAsync(Ct);
        await passages.UpsertAsync(
            [new Passage { Id = "empty", Source = "a", Text = null }, new Passage { Id = "full", Source = "b", Text = "[0, 0, 1]" }, new Passage { Id = "none", Source = "c" }], Ct);

        // MarkingGenerator would throw on a null input; it was called once, with the one real text.
        Assert.Equal(1, generator.Calls);
        Assert.Empty((await client.GetItemAsync("gen-null", "empty", withVectors: true, Ct)).Vectors!);
        Assert.Equal(["gen-text@v1"], (await client.GetItemAsync("gen-null", "full", withVectors: true, Ct)).Vectors!.Keys);

        // Vectorless items are found by key, never by a search.
        Assert.Equal("a", (await passages.GetAsync("empty", cancellationToken: Ct))!.Source);
        Assert.Equal(["full"], await passages.SearchAsync("[0, 0, 1]", 3, cancellationToken: Ct).Select(h => h.Record.Id).ToListAsync(Ct));

        // A batch with no input at all does not call the generator (the search above was its second call).
        await passages.UpsertAsync([new Passage { Id = "none2", Source = "d" }], Ct);
        Assert.Equal(2, generator.Calls);
    }

    [Fact]
    public async Task Search_GeneratorsAtEveryLevel_PropertyThenCollectionThenStoreWins()
    {
        using EmbeddingStoreClient client = server.CreateClient();
        VectorStoreCollectionDefinition Definition(IEmbeddingGenerator? property, IEmbeddingGenerator? collection) => new()
        {
            EmbeddingGenerator = collection,
            Properties =
            [
                new VectorStoreKeyProperty(nameof(Passage.Id), typeof(string)),
                new VectorStoreDataProperty(nameof(Passage.Source), typeof(string)),
                new VectorStoreVectorProperty(nameof(Passage.Text), typeof(string), 3) { StorageName = "gen-text@v1", EmbeddingGenerator = property },
            ],
        };

        // Three stored vectors, each what one generator makes of "[1, 1, 0]".
        var seed = new EmbeddingStoreVectorStore(client, new() { EmbeddingGenerator = new MarkingGenerator(null) }).GetCollection<string, Passage>("gen-levels");
        await seed.EnsureCollectionExistsAsync(Ct);
        await seed.UpsertAsync(
        [
            new Passage { Id = "store", Source = "store", Text = "[1, 1, 1]" },
            new Passage { Id = "collection", Source = "collection", Text = "[1, 1, 2]" },
            new Passage { Id = "property", Source = "property", Text = "[1, 1, 3]" },
        ], Ct);

        var store = new EmbeddingStoreVectorStore(client, new() { EmbeddingGenerator = new MarkingGenerator(1) });
        async Task<string> TopAsync(VectorStoreCollectionDefinition definition) =>
            (await store.GetCollection<string, Passage>("gen-levels", definition).SearchAsync("[1, 1, 0]", 1, cancellationToken: Ct).SingleAsync(Ct)).Record.Source!;

        Assert.Equal("property", await TopAsync(Definition(new MarkingGenerator(3), new MarkingGenerator(2))));
        Assert.Equal("collection", await TopAsync(Definition(null, new MarkingGenerator(2))));
        Assert.Equal("store", await TopAsync(Definition(null, null)));
    }

    [Fact]
    public async Task Search_StringWithoutGenerator_NotSupportedWithTheStandardMessage()
    {
        using EmbeddingStoreClient client = server.CreateClient();
        var definition = new VectorStoreCollectionDefinition
        {
            Properties =
            [
                new VectorStoreKeyProperty(nameof(Passage.Id), typeof(string)),
                new VectorStoreVectorProperty("Vector", typeof(ReadOnlyMemory<float>), 3) { StorageName = "gen-text@v1" },
            ],
        };
        VectorStoreCollection<object, Dictionary<string, object?>> raw = new EmbeddingStoreVectorStore(client).GetDynamicCollection("gen-raw", definition);
        NotSupportedException ex = await Assert.ThrowsAsync<NotSupportedException>(() => raw.SearchAsync("text", 1, cancellationToken: Ct).ToListAsync(Ct).AsTask());
        Assert.StartsWith("A value of type 'string' was passed to 'SearchAsync', but that isn't a supported vector type", ex.Message, StringComparison.Ordinal);

        // A string vector property with no generator anywhere cannot be mapped at all.
        Assert.Throws<InvalidOperationException>(() => new EmbeddingStoreVectorStore(client).GetCollection<string, Passage>("gen-none"));
    }

    private sealed class FloatTolerance(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => MathF.Abs(x - y) <= tolerance;

        public int GetHashCode(float obj) => 0;
    }
}
