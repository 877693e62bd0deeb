// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Filters;
using EmbeddingStore.Core.Hybrid;
using EmbeddingStore.Core.Tests.TestSupport;
using EmbeddingStore.Core.Vectors;

namespace EmbeddingStore.Core.Tests.Filters;

// The text index: tokenisation, the `text` filter condition (identical with and without an index, equal to an independent
// regex reference, before and after overwrites and deletes, and after a restart), and BM25 scores on a corpus small enough
// to count by hand.
public sealed partial class TextIndexTests
{
    private const int Dimension = 4;

    private static readonly string[] s_vocabulary = ["apple", "Banana", "cherry", "DATE", "elder", "fig", "grape", "kiwi", "lime", "mango", "Über", "naïve", "x42"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void Tokenize_MixedText_LetterAndDigitRunsLowerCased()
    {
        List<string> tokens = TextTokenizer.Tokenize("Hello, WORLD! naïve 42x über_cool ÉCOLE don't 😀 a-b  ");
        Assert.Equal(["hello", "world", "naïve", "42x", "über", "cool", "école", "don", "t", "a", "b"], tokens);
        Assert.Empty(TextTokenizer.Tokenize("  ,.;!? 😀 "));
        Assert.Equal(["the", "cat"], TextTokenizer.DistinctTokens("The cat THE cat"));
    }

    [Fact]
    public async Task KeywordScores_SmallCorpus_EqualBm25ComputedByHand()
    {
        // d1 "the cat sat on the mat" (6 tokens), d2 "the dog chased the cat and the cat ran" (9), d3 "a dog barked" (3),
        // d4 "birds sing" (2): N = 4, average length 20 / 4 = 5. "cat" is in d1, d2 and "dog" in d2, d3: n = 2 each.
        using EmbeddingEngine engine = await CreateAsync(
            ("d1", "The cat sat on the mat."), ("d2", "The dog chased the cat, and the cat ran!"), ("d3", "A dog barked"), ("d4", "Birds sing"));
        Assert.True((await engine.PutPayloadIndexAsync("docs", "body", "text", Ct)).IsSuccess);
        await engine.Jobs.RunUntilIdleAsync(Ct);

        HybridSearchResult result = (await engine.HybridSearchAsync("docs", Query("cat dog", vectorWeight: 0), Ct)).Value!;

        const double K1 = 1.2, B = 0.75, N = 4, AverageLength = 5;
        double idf = Math.Log(1 + ((N - 2 + 0.5) / (2 + 0.5)));
        double Term(int tf, int length) => idf * tf * (K1 + 1) / (tf + (K1 * (1 - B + (B * length / AverageLength))));
        (string Id, double Score)[] expected = [("d2", Term(2, 9) + Term(1, 9)), ("d3", Term(1, 3)), ("d1", Term(1, 6))];
        List<HybridSearchHit> keywordHits = [.. result.Hits.Where(h => h.KeywordRank is not null).OrderBy(h => h.KeywordRank)];
        Assert.Equal(expected.Select(e => e.Id), keywordHits.Select(h => h.Id));
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i].Score, keywordHits[i].KeywordScore!.Value, 12);
        }

        // With the vector list weighted 0 the fused order is the keyword order, and d4 (no query term) scores 0.
        Assert.Equal(["d2", "d3", "d1", "d4"], result.Hits.Select(h => h.Id));
        Assert.Equal(0, result.Hits[3].Score);

        // The same figures without the index: the payloads are tokenised for the query.
        using EmbeddingEngine plain = await CreateAsync(
            ("d1", "The cat sat on the mat."), ("d2", "The dog chased the cat, and the cat ran!"), ("d3", "A dog barked"), ("d4", "Birds sing"));
        HybridSearchResult unindexed = (await plain.HybridSearchAsync("docs", Query("cat dog", vectorWeight: 0), Ct)).Value!;
        Assert.Equal(result.Hits.Select(h => (h.Id, h.KeywordScore)), unindexed.Hits.Select(h => (h.Id, h.KeywordScore)));
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    public async Task TextFilter_WithAndWithoutIndex_IdenticalAndEqualReferenceAcrossWritesAndRestart(int seed)
    {
        var random = new Random(seed);
        var payloads = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < 400; i++)
        {
            payloads["i" + i.ToString("D4", CultureInfo.InvariantCulture)] = RandomPayload(random);
        }

        var repository = new InMemoryRepository();
        using EmbeddingEngine plain = await CreateAsync(random, payloads);
        EmbeddingEngine indexed = await CreateAsync(random, payloads, repository);
        Assert.True((await indexed.PutPayloadIndexAsync("docs", "body", "text", Ct)).IsSuccess);
        await indexed.Jobs.RunUntilIdleAsync(Ct);
        PayloadIndexInfo info = indexed.GetPayloadIndex("docs", "body").Value!;
        Assert.Equal(PayloadIndexState.Ready, info.State);
        Assert.Equal(PayloadIndexType.Text, info.Type);

        int nonEmpty = Compare(plain, indexed, payloads, random);

        // Overwrites and deletes reach the index.
        var upserts = new List<ItemUpsert>();
        var deletes = new List<string>();
        foreach (string id in payloads.Keys.Where(_ => random.Next(4) == 0).ToList())
        {
            if (random.Next(2) == 0)
            {
                deletes.Add(id);
                payloads.Remove(id);
            }
            else
            {
                payloads[id] = RandomPayload(random);
                upserts.Add(EngineFactory.Item(id, "text@v1", TestData.RandomVector(random, Dimension), payloads[id]));
            }
        }

        foreach (EmbeddingEngine engine in new[] { plain, indexed })
        {
            Assert.True((await engine.UpsertItemsAsync("docs", upserts, Ct)).IsSuccess);
            Assert.True((await engine.DeleteItemsAsync("docs", deletes, Ct)).IsSuccess);
        }

        nonEmpty += Compare(plain, indexed, payloads, random);

        // A restart rebuilds the index from the items, ready at once.
        indexed.Dispose();
        using EmbeddingEngine reopened = await EngineFactory.CreateAsync(repository, cancellationToken: Ct);
        Assert.Equal(PayloadIndexState.Ready, reopened.GetPayloadIndex("docs", "body").Value!.State);
        Assert.Equal(payloads.Count(p => BodyWords(p.Value).Count > 0), reopened.GetPayloadIndex("docs", "body").Value!.IndexedItems);
        nonEmpty += Compare(plain, reopened, payloads, random);

        // The comparison means something only if many queries matched some items.
        Assert.InRange(nonEmpty, 30, int.MaxValue);
    }

    [Theory]
    [InlineData("""{"key": "body", "text": 3}""", "filter.must[0].text must be a string")]
    [InlineData("""{"key": "body", "text": " ?! "}""", "filter.must[0].text has no words")]
    [InlineData("""{"key": "body", "text": "a", "match": "a"}""", "filter.must[0] has both match and text")]
    public void Validate_BadTextCondition_ErrorNamesPath(string condition, string message)
    {
        FilterCondition parsed = JsonSerializer.Deserialize<FilterCondition>(condition, new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        StoreError error = new PayloadFilter(must: [parsed]).Validate()!;
        Assert.Equal(StoreErrorCode.InvalidArgument, error.Code);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    // Random `text` conditions (1-3 words, some absent from the vocabulary, case varied), in must and nested in should and
    // mustNot; counts and scrolls must agree between the engines and with the reference. Returns how many matched anything.
    private static int Compare(EmbeddingEngine plain, EmbeddingEngine indexed, Dictionary<string, string> payloads, Random random)
    {
        int nonEmpty = 0;
        for (int q = 0; q < 40; q++)
        {
            string words = string.Join(random.Next(2) == 0 ? " " : ", ", Enumerable.Range(0, random.Next(1, 4)).Select(_ => RandomWord(random, upper: random.Next(3) == 0)));
            FilterCondition text = new() { Key = "body", Text = JsonSerializer.SerializeToElement(words) };
            bool negate = random.Next(4) == 0;
            PayloadFilter filter = negate ? new PayloadFilter(mustNot: [text]) : new PayloadFilter(should: [text, new FilterCondition { Key = "n", Match = JsonSerializer.SerializeToElement(-1) }]);
            string[] asked = [.. Words(words).Distinct()];
            string[] expected = [.. payloads.Where(p => Reference(p.Value, asked) != negate).Select(p => p.Key).Order(StringComparer.Ordinal)];
            Assert.Equal(expected.Length, plain.Count("docs", filter).Value);
            Assert.Equal(expected.Length, indexed.Count("docs", filter).Value);
            Assert.Equal(expected, plain.Scroll("docs", null, 1_000, withVectors: false, filter).Value!.Items.Select(i => i.Id));
            Assert.Equal(expected, indexed.Scroll("docs", null, 1_000, withVectors: false, filter).Value!.Items.Select(i => i.Id));
            nonEmpty += !negate && expected.Length > 0 ? 1 : 0;
        }

        return nonEmpty;
    }

    // The reference: a regex over the JSON, independent of TextTokenizer and of the evaluator.
    private static bool Reference(string payloadJson, string[] asked)
    {
        HashSet<string> held = BodyWords(payloadJson);
        return held.Count > 0 && asked.All(held.Contains);
    }

    private static HashSet<string> BodyWords(string payloadJson)
    {
        using var document = JsonDocument.Parse(payloadJson);
        if (!document.RootElement.TryGetProperty("body", out JsonElement body))
        {
            return [];
        }

        IEnumerable<string> texts = body.ValueKind switch
        {
            JsonValueKind.String => [body.GetString()!],
            JsonValueKind.Array => [.. body.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!)],
            _ => [],
        };
        return texts.SelectMany(Words).ToHashSet(StringComparer.Ordinal);
    }

    private static List<string> Words(string text) => [.. WordPattern().Matches(text).Select(m => m.Value.ToLowerInvariant())];

    [GeneratedRegex(@"[\p{L}\p{Nd}\p{Nl}\p{No}]+")]
    private static partial Regex WordPattern();

    private static string RandomWord(Random random, bool upper)
    {
        string word = random.Next(10) == 0 ? "zzz" : s_vocabulary[random.Next(s_vocabulary.Length)];
        return upper ? word.ToUpperInvariant() : word;
    }

    private static string RandomSentence(Random random) =>
        string.Join(random.Next(2) == 0 ? " " : "; ", Enumerable.Range(0, random.Next(0, 6)).Select(_ => RandomWord(random, upper: random.Next(4) == 0)));

    // A body that is a sentence, an array of sentences (with a non-string element), a number, null, or missing.
    private static string RandomPayload(Random random) => random.Next(8) switch
    {
        0 => """{"n": 1}""",
        1 => """{"body": 17}""",
        2 => """{"body": null}""",
        3 or 4 => JsonSerializer.Serialize(new { body = new object[] { RandomSentence(random), 5, RandomSentence(random) } }),
        _ => JsonSerializer.Serialize(new { body = RandomSentence(random) }),
    };

    private static HybridSearchQuery Query(string text, double vectorWeight) =>
        new(new SearchQuery([1, 0, 0, 0], null, 10), "body", text, 10, VectorWeight: vectorWeight);

    private static async Task<EmbeddingEngine> CreateAsync(params (string Id, string Body)[] items)
    {
        EmbeddingEngine engine = await EngineFactory.CreateWithCollectionAsync("text@v1", Dimension, DistanceMetric.DotProduct, cancellationToken: Ct);
        ItemUpsert[] upserts = [.. items.Select(i => EngineFactory.Item(i.Id, "text@v1", [1, 0, 0, 0], JsonSerializer.Serialize(new { body = i.Body })))];
        Assert.True((await engine.UpsertItemsAsync("docs", upserts, Ct)).IsSuccess);
        return engine;
    }

    private static async Task<EmbeddingEngine> CreateAsync(Random random, Dictionary<string, string> payloads, InMemoryRepository? repository = null)
    {
        EmbeddingEngine engine = await EngineFactory.CreateWithCollectionAsync("text@v1", Dimension, DistanceMetric.DotProduct, repository: repository, cancellationToken: Ct);
        var seeded = new Random(random.Next());
        foreach (ItemUpsert[] chunk in payloads.Select(p => EngineFactory.Item(p.Key, "text@v1", TestData.RandomVector(seeded, Dimension), p.Value)).Chunk(500))
        {
            Assert.True((await engine.UpsertItemsAsync("docs", chunk, Ct)).IsSuccess);
        }

        return engine;
    }
}
