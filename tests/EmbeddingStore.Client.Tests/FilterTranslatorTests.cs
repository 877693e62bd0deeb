// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Globalization;
using System.Linq.Expressions;
using EmbeddingStore.Client.Tests.TestSupport;
using EmbeddingStore.Client.VectorData;
using EmbeddingStore.Contracts;
using Microsoft.Extensions.VectorData;
using static EmbeddingStore.Client.PayloadFilters;

namespace EmbeddingStore.Client.Tests;

// The connector's LINQ filters and the SDK's typed filters against the real server. The oracle is the C# predicate
// itself, run over the same seeded records in memory: the server must select exactly the records it selects.
public sealed class FilterTranslatorTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private const int RowCount = 80;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public sealed class Row
    {
        [VectorStoreKey]
        public string Id { get; set; } = "";

        [VectorStoreData]
        public string Lang { get; set; } = "";

        [VectorStoreData(StorageName = "title")]
        public string? Title { get; set; }

        [VectorStoreData]
        public int Year { get; set; }

        [VectorStoreData]
        public double? Score { get; set; }

        [VectorStoreData]
        public bool Flag { get; set; }

        [VectorStoreData]
        public string[] Tags { get; set; } = [];

        [VectorStoreVector(4)]
        [EmbeddingVersion("ft-text@v1")]
        public ReadOnlyMemory<float> Text { get; set; }
    }

    public static TheoryData<string> Predicates() => [.. PredicateTable().Keys];

    // Named so that a failure says which one; captured values are evaluated once, as the translator does.
    private static Dictionary<string, Expression<Func<Row, bool>>> PredicateTable()
    {
        string en = "en";
        string[] langs = ["de", "fr"];
        List<string> wanted = ["b", "c"];
        int[] years = [2019, 2021];
        return new()
        {
            ["equal"] = r => r.Lang == en,
            ["not equal"] = r => r.Lang != "en",
            ["not equal on nullable"] = r => r.Title != "t1",
            ["less than"] = r => r.Year < 2021,
            ["less or equal"] = r => r.Year <= 2021,
            ["greater than, constant first"] = r => 2021 < r.Year,
            ["greater or equal on nullable double"] = r => r.Score >= 0.5,
            ["between"] = r => r.Year >= 2019 && r.Year < 2023,
            ["or"] = r => r.Lang == "de" || r.Year > 2022,
            ["not"] = r => !(r.Lang == "en" && r.Flag),
            ["not flag"] = r => !r.Flag,
            ["flag"] = r => r.Flag,
            ["flag equals false"] = r => r.Flag == false,
            ["is null"] = r => r.Title == null,
            ["is not null"] = r => r.Title != null,
            ["nullable double is null"] = r => r.Score == null,
            ["in list"] = r => langs.Contains(r.Lang),
            ["in int array"] = r => years.Contains(r.Year),
            ["array contains"] = r => r.Tags.Contains("a"),
            ["array any equal"] = r => r.Tags.Any(t => t == "b"),
            ["array any in list"] = r => r.Tags.Any(t => wanted.Contains(t)),
            ["array not empty"] = r => r.Tags.Any(),
            ["nested or and not"] = r => (r.Lang == "en" || r.Lang == "fr") && !(r.Year < 2020 || r.Tags.Contains("c")) && r.Title != null,
            ["true and"] = r => true && r.Year > 2020,
        };
    }

    [Theory]
    [MemberData(nameof(Predicates))]
    public async Task Search_TranslatedPredicate_SelectsExactlyWhatLinqSelects(string name)
    {
        Expression<Func<Row, bool>> predicate = PredicateTable()[name];
        (EmbeddingStoreClient client, VectorStoreCollection<string, Row> collection, Row[] rows) = await SeededAsync();
        using (client)
        {
            var expected = rows.Where(predicate.Compile()).Select(r => r.Id).Order(StringComparer.Ordinal).ToList();
            var hits = await collection.SearchAsync(new float[] { 1, 0.5f, 0.25f, 0 }, RowCount, new VectorSearchOptions<Row> { Filter = predicate }, Ct)
                .Select(h => h.Record.Id).ToListAsync(Ct);
            Assert.Equal(expected, hits.Order(StringComparer.Ordinal));
        }
    }

    [Theory]
    [InlineData(new string[0], true)]
    [InlineData(new[] { "a" }, true)]
    [InlineData(new[] { "a", "b" }, true)]
    [InlineData(new[] { "b", "a" }, false)]
    public async Task Search_ArrayEqualityFilter_SelectsRowsWithThatSequence(string[] tags, bool seeded)
    {
        // In C# `==` on arrays compares references; a vector-store filter means the contents, as the other connectors'
        // providers translate it, so the truth here is SequenceEqual.
        (EmbeddingStoreClient client, VectorStoreCollection<string, Row> collection, Row[] rows) = await SeededAsync();
        using (client)
        {
            var expected = rows.Where(r => r.Tags.SequenceEqual(tags)).Select(r => r.Id).Order(StringComparer.Ordinal).ToList();
            // The seeded rows hold tags in a-b-c-d order, so the reversed pair is held by none (while ["a", "b"] is held).
            Assert.Equal(seeded, expected.Count > 0);
            var options = new VectorSearchOptions<Row> { Filter = r => r.Tags == tags };
            var hits = await collection.SearchAsync(new float[] { 1, 0.5f, 0.25f, 0 }, RowCount, options, Ct).Select(h => h.Record.Id).ToListAsync(Ct);
            Assert.Equal(expected, hits.Order(StringComparer.Ordinal));

            var negated = new VectorSearchOptions<Row> { Filter = r => r.Tags != tags };
            var others = await collection.SearchAsync(new float[] { 1, 0.5f, 0.25f, 0 }, RowCount, negated, Ct).Select(h => h.Record.Id).ToListAsync(Ct);
            Assert.Equal(RowCount - expected.Count, others.Count);
            Assert.Empty(others.Intersect(expected));
        }
    }

    [Fact]
    public async Task Search_UntranslatablePredicate_ThrowsNotSupportedNamingThePart()
    {
        (EmbeddingStoreClient client, VectorStoreCollection<string, Row> collection, _) = await SeededAsync();
        using (client)
        {
            var options = new VectorSearchOptions<Row> { Filter = r => r.Year > 2000 && r.Title!.StartsWith('c') };
            NotSupportedException ex = await Assert.ThrowsAsync<NotSupportedException>(
                () => collection.SearchAsync(new float[] { 1, 0, 0, 0 }, 5, options, Ct).ToListAsync(Ct).AsTask());
            Assert.Contains("StartsWith", ex.Message, StringComparison.Ordinal);
            Assert.Contains("cannot be sent to EmbeddingStore", ex.Message, StringComparison.Ordinal);

            var ordered = new VectorSearchOptions<Row> { Filter = r => string.Compare(r.Lang, "d", StringComparison.Ordinal) > 0 };
            await Assert.ThrowsAsync<NotSupportedException>(() => collection.SearchAsync(new float[] { 1, 0, 0, 0 }, 5, ordered, Ct).ToListAsync(Ct).AsTask());
        }
    }

    [Fact]
    public async Task Client_TypedFilters_CountScrollAndDeleteSelectTheSameRows()
    {
        (EmbeddingStoreClient client, _, Row[] rows) = await SeededAsync("ft-typed");
        using (client)
        {
            FilterRequest filter = Where(
                Range("Year", gte: 2019, lt: 2024),
                Or(Match("Lang", "en"), Any("Tags", "c", "d")),
                Not(IsNull("title")));
            var expected = rows.Where(r => r.Year is >= 2019 and < 2024 && (r.Lang == "en" || r.Tags.Any(t => t is "c" or "d")) && r.Title is not null)
                .Select(r => r.Id).Order(StringComparer.Ordinal).ToList();
            Assert.InRange(expected.Count, 3, RowCount - 3);

            Assert.Equal(expected.Count, (await client.CountAsync("ft-typed", new CountRequest { Filter = filter }, Ct)).Count);
            var scrolled = new List<string>();
            string? cursor = null;
            do
            {
                ScrollResponse page = await client.ScrollAsync("ft-typed", new ScrollRequest { Limit = 7, Cursor = cursor, Filter = filter }, Ct);
                scrolled.AddRange(page.Items.Select(i => i.Id));
                cursor = page.NextCursor;
            }
            while (cursor is not null);

            Assert.Equal(expected, scrolled);
            Assert.Equal(expected.Count, (await client.DeleteItemsAsync("ft-typed", new DeleteItemsRequest { Filter = filter }, Ct)).Deleted);
            Assert.Equal(RowCount - expected.Count, (await client.CountAsync("ft-typed", cancellationToken: Ct)).Count);

            // A bad filter is a validation error naming the path, and deletes nothing.
            var bad = new FilterRequest { Must = [new FieldConditionRequest { Key = "Year", Range = new FilterRangeRequest { Gte = Match("x", "1").Match } }] };
            EmbeddingStoreValidationException error = await Assert.ThrowsAsync<EmbeddingStoreValidationException>(
                () => client.DeleteItemsAsync("ft-typed", new DeleteItemsRequest { Filter = bad }, Ct));
            Assert.Contains("filter.must[0].range.gte must be a number", error.Message, StringComparison.Ordinal);
            Assert.Equal(RowCount - expected.Count, (await client.CountAsync("ft-typed", cancellationToken: Ct)).Count);
        }
    }

    private async Task<(EmbeddingStoreClient, VectorStoreCollection<string, Row>, Row[])> SeededAsync(string name = "ft-rows")
    {
        var random = new Random(17);
        string[] langs = ["en", "de", "fr"];
        string[] tags = ["a", "b", "c", "d"];
        var rows = new Row[RowCount];
        for (int i = 0; i < RowCount; i++)
        {
            rows[i] = new Row
            {
                Id = "r" + i.ToString("D2", CultureInfo.InvariantCulture),
                Lang = langs[random.Next(langs.Length)],
                Title = random.Next(4) == 0 ? null : "t" + random.Next(3).ToString(CultureInfo.InvariantCulture),
                Year = 2017 + random.Next(8),
                Score = random.Next(4) == 0 ? null : Math.Round(random.NextDouble(), 2),
                Flag = random.Next(2) == 0,
                Tags = [.. tags.Where(_ => random.Next(3) == 0)],
                Text = new float[] { (float)random.NextDouble() + 0.1f, (float)random.NextDouble(), (float)random.NextDouble(), (float)random.NextDouble() },
            };
        }

        EmbeddingStoreClient client = server.CreateClient();
        VectorStoreCollection<string, Row> collection = new EmbeddingStoreVectorStore(client).GetCollection<string, Row>(name);
        await collection.EnsureCollectionExistsAsync(Ct);
        await collection.UpsertAsync(rows, Ct);
        return (client, collection, rows);
    }
}
