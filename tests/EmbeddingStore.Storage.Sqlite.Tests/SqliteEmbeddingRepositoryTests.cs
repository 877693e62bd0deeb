// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Globalization;
using System.Text.Json;
using EmbeddingStore.Core;
using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Jobs;
using EmbeddingStore.Core.Persistence;
using EmbeddingStore.Core.Indexes;
using EmbeddingStore.Core.Vectors;
using EmbeddingStore.Core.Versioning;
using Microsoft.Data.Sqlite;

namespace EmbeddingStore.Storage.Sqlite.Tests;

public sealed class SqliteEmbeddingRepositoryTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void Open_NewFile_AppliesSchemaInWalMode()
    {
        using var db = new TempDatabase();
        using (SqliteEmbeddingRepository repository = SqliteEmbeddingRepository.Open(db.FilePath))
        {
            Assert.Equal(db.FilePath, repository.Path);
        }

        using var connection = new SqliteConnection($"Data Source={db.FilePath};Pooling=False");
        connection.Open();
        Assert.Equal("wal", Scalar(connection, "PRAGMA journal_mode;"));
        Assert.Equal(SqliteSchema.LatestVersion.ToString(CultureInfo.InvariantCulture), Scalar(connection, "PRAGMA user_version;"));
        Assert.Equal("0001_initial.sql", Scalar(connection, "SELECT name FROM schema_migrations WHERE number = 1;"));
    }

    [Fact]
    public async Task Open_ExistingFile_DoesNotReapplyMigrations()
    {
        using var db = new TempDatabase();
        SqliteEmbeddingRepository.Open(db.FilePath).Dispose();
        using (SqliteEmbeddingRepository again = SqliteEmbeddingRepository.Open(db.FilePath))
        {
            using var engine = new EmbeddingEngine(again);
            await engine.LoadAsync(Ct);
            Assert.Empty(engine.ListModelVersions());
        }

        using var connection = new SqliteConnection($"Data Source={db.FilePath};Pooling=False");
        connection.Open();
        Assert.Equal(SqliteSchema.LatestVersion.ToString(CultureInfo.InvariantCulture), Scalar(connection, "SELECT count(*) FROM schema_migrations;"));
    }

    [Fact]
    public async Task Engine_ReopenedOnSameFile_ReturnsIdenticalResults()
    {
        using var db = new TempDatabase();
        var random = new Random(42);
        float[] query = RandomVector(random, 16);
        (string Id, float Score, string Version)[] before;
        string payloadBefore;
        using (SqliteEmbeddingRepository repository = SqliteEmbeddingRepository.Open(db.FilePath))
        using (var engine = new EmbeddingEngine(repository))
        {
            await engine.LoadAsync(Ct);
            Assert.True((await engine.RegisterModelVersionAsync("text", "v1", 16, DistanceMetric.CosineSimilarity, false, Ct)).IsSuccess);
            Assert.True((await engine.RegisterModelVersionAsync("text", "v2", 16, DistanceMetric.Euclidean, false, Ct)).IsSuccess);
            Assert.True((await engine.PutCollectionAsync("docs", "text@v1", Ct)).IsSuccess);
            var items = new List<ItemUpsert>();
            for (int i = 0; i < 500; i++)
            {
                var vectors = new Dictionary<string, float[]> { ["text@v1"] = RandomVector(random, 16) };
                if (i % 2 == 0)
                {
                    vectors["text@v2"] = RandomVector(random, 16);
                }

                JsonElement payload = JsonDocument.Parse($$"""{"n":{{i}},"s":"é\u2603 {{i}}"}""").RootElement.Clone();
                items.Add(new ItemUpsert("item-" + i.ToString(CultureInfo.InvariantCulture), payload, vectors));
            }

            foreach (ItemUpsert[] chunk in items.Chunk(100))
            {
                Assert.True((await engine.UpsertItemsAsync("docs", chunk, Ct)).IsSuccess);
            }

            Assert.Equal(50, (await engine.DeleteItemsAsync("docs", [.. Enumerable.Range(0, 50).Select(i => "item-" + (i * 3).ToString(CultureInfo.InvariantCulture))], Ct)).Value);
            before = await Snapshot(engine, query);
            payloadBefore = engine.GetItem("docs", "item-1", false).Value!.Payload!.Value.GetRawText();
        }

        using (SqliteEmbeddingRepository repository = SqliteEmbeddingRepository.Open(db.FilePath))
        using (var engine = new EmbeddingEngine(repository))
        {
            await engine.LoadAsync(Ct);
            CollectionInfo info = engine.GetCollection("docs").Value!;
            Assert.Equal(450, info.ItemCount);
            Assert.Equal(450, info.VectorCounts["text@v1"]);
            Assert.Equal(225, info.VectorCounts["text@v2"]);
            Assert.Equal(before, await Snapshot(engine, query));
            Assert.Equal(payloadBefore, engine.GetItem("docs", "item-1", false).Value!.Payload!.Value.GetRawText());
        }

        using var connection = new SqliteConnection($"Data Source={db.FilePath};Pooling=False");
        connection.Open();
        Assert.Equal("ok", Scalar(connection, "PRAGMA integrity_check;"));
        Assert.Equal("native", Scalar(connection, "SELECT DISTINCT origin FROM vectors;"));
    }

    [Fact]
    public async Task Links_ReopenedOnSameFile_ServeIdenticalBridgedSearches()
    {
        using var db = new TempDatabase();
        var random = new Random(9);
        float[] query = RandomVector(random, 8);
        string before;
        string linkId;
        using (SqliteEmbeddingRepository repository = SqliteEmbeddingRepository.Open(db.FilePath))
        using (var engine = new EmbeddingEngine(repository))
        {
            await engine.LoadAsync(Ct);
            await engine.RegisterModelVersionAsync("text", "v1", 8, DistanceMetric.CosineSimilarity, false, Ct);
            await engine.RegisterModelVersionAsync("text", "v2", 8, DistanceMetric.CosineSimilarity, false, Ct);
            await engine.PutCollectionAsync("docs", "text@v1", Ct);
            var items = Enumerable.Range(0, 300).Select(i =>
            {
                float[] a = RandomVector(random, 8);
                var vectors = new Dictionary<string, float[]> { ["text@v1"] = a };
                if (i < 200)
                {
                    vectors["text@v2"] = [.. a.Select((x, j) => (x * 2) + (j * 0.1f))];
                }

                return new ItemUpsert("i" + i.ToString(CultureInfo.InvariantCulture), null, vectors);
            }).ToList();
            await engine.UpsertItemsAsync("docs", items, Ct);
            var fitted = await engine.FitLinkAsync(new LinkFitRequest("text@v2", "text@v1", "auto", Collection: "docs", Seed: 3), Ct);
            Assert.True(fitted.IsSuccess, fitted.Error?.Message);
            linkId = fitted.Value!.Value.Id;
            before = string.Join(';', (await engine.SearchAsync("docs", new SearchQuery(query, "text@v2", 20), TestContext.Current.CancellationToken)).Value!.Hits.Select(h => $"{h.Id}:{h.Score}:{h.Version}:{h.Via}"));
        }

        using (SqliteEmbeddingRepository repository = SqliteEmbeddingRepository.Open(db.FilePath))
        using (var engine = new EmbeddingEngine(repository))
        {
            await engine.LoadAsync(Ct);
            HarmonicLink link = Assert.Single(engine.ListLinks());
            Assert.Equal(linkId, link.Id);
            Assert.NotNull(link.Quality);
            Assert.NotNull(link.Fit);
            Assert.Equal(200, link.Fit.Pairs);
            string after = string.Join(';', (await engine.SearchAsync("docs", new SearchQuery(query, "text@v2", 20), TestContext.Current.CancellationToken)).Value!.Hits.Select(h => $"{h.Id}:{h.Score}:{h.Version}:{h.Via}"));
            Assert.Equal(before, after);
            Assert.Contains(linkId, after, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task DerivedVectors_Lineage_SurvivesRestartAndYieldsToNativeUpserts()
    {
        using var db = new TempDatabase();
        var random = new Random(12);
        string linkId;
        using (SqliteEmbeddingRepository repository = SqliteEmbeddingRepository.Open(db.FilePath))
        using (var engine = new EmbeddingEngine(repository))
        {
            await engine.LoadAsync(Ct);
            await engine.RegisterModelVersionAsync("face", "v1", 6, DistanceMetric.CosineSimilarity, false, Ct);
            await engine.RegisterModelVersionAsync("face", "v2", 6, DistanceMetric.CosineSimilarity, false, Ct);
            await engine.PutCollectionAsync("docs", "face@v1", Ct);
            var items = Enumerable.Range(0, 2500).Select(i => new ItemUpsert(
                "i" + i.ToString(CultureInfo.InvariantCulture), null, new Dictionary<string, float[]> { ["face@v1"] = RandomVector(random, 6) })).ToList();
            foreach (ItemUpsert[] chunk in items.Chunk(1000))
            {
                await engine.UpsertItemsAsync("docs", chunk, Ct);
            }

            linkId = (await engine.DeclareIdentityLinkAsync("face@v1", "face@v2", Ct)).Value!.Value.Id;

            // One item is re-embedded natively first; the derive run must leave it alone.
            await engine.UpsertItemsAsync("docs", [new ItemUpsert("i7", null, new Dictionary<string, float[]> { ["face@v1"] = RandomVector(random, 6), ["face@v2"] = RandomVector(random, 6) })], Ct);
            Assert.Equal(2499, await DeriveAsync(engine, linkId, "docs"));
            Assert.Equal(0, await DeriveAsync(engine, linkId, "docs"));
        }

        using (SqliteEmbeddingRepository repository = SqliteEmbeddingRepository.Open(db.FilePath))
        using (var engine = new EmbeddingEngine(repository))
        {
            await engine.LoadAsync(Ct);
            Assert.Equal(2500, engine.GetCollection("docs").Value!.VectorCounts["face@v2"]);
            Assert.Equal("derived:" + linkId, engine.GetItem("docs", "i1", withVectors: true).Value!.Lineage!["face@v2"]);
            Assert.Equal("native", engine.GetItem("docs", "i1", withVectors: true).Value!.Lineage!["face@v1"]);
            Assert.Equal("native", engine.GetItem("docs", "i7", withVectors: true).Value!.Lineage!["face@v2"]);

            // Derived vectors answer v2 queries natively in the segment, and the hit names the link it came through.
            IReadOnlyList<SearchHit> hits = (await engine.SearchAsync("docs", new SearchQuery(RandomVector(random, 6), "face@v2", 20, SearchVersions: ["face@v2"]), TestContext.Current.CancellationToken)).Value!.Hits;
            Assert.All(hits.Where(h => h.Id != "i7"), h => Assert.Equal(linkId, h.Via));

            // A native upsert replaces the derived vector and its lineage.
            await engine.UpsertItemsAsync("docs", [new ItemUpsert("i1", null, new Dictionary<string, float[]> { ["face@v2"] = RandomVector(random, 6) })], Ct);
            Assert.Equal("native", engine.GetItem("docs", "i1", withVectors: true).Value!.Lineage!["face@v2"]);
        }

        using var connection = new SqliteConnection($"Data Source={db.FilePath};Pooling=False");
        connection.Open();
        Assert.Equal("2498", Scalar(connection, "SELECT count(*) FROM vectors WHERE origin = 'derived';"));
    }

    [Fact]
    public async Task UpsertItems_ExistingItemsAcrossInterleavedCollections_ReplaceVectorsAndReloadInOrder()
    {
        using var db = new TempDatabase();
        using (SqliteEmbeddingRepository repository = SqliteEmbeddingRepository.Open(db.FilePath))
        using (var engine = new EmbeddingEngine(repository))
        {
            await engine.LoadAsync(Ct);
            await engine.RegisterModelVersionAsync("text", "v1", 2, DistanceMetric.DotProduct, false, Ct);
            await engine.RegisterModelVersionAsync("text", "v2", 2, DistanceMetric.DotProduct, false, Ct);
            await engine.PutCollectionAsync("a", "text@v1", Ct);
            await engine.PutCollectionAsync("b", "text@v1", Ct);
            for (int i = 0; i < 20; i++)
            {
                // Items of both collections interleave in the items table, so each collection's rows are not contiguous.
                string collection = i % 2 == 0 ? "a" : "b";
                Assert.True((await engine.UpsertItemsAsync(collection, [Item($"i{i:D2}", null, ("text@v1", [i, 1]), ("text@v2", [i, 2]))], Ct)).IsSuccess);
            }

            // Replace: a new payload, only v1 (so the v2 vector goes) with new values, and one new item in the same batch.
            Assert.True((await engine.UpsertItemsAsync("a", [Item("i04", """{"k": 4}""", ("text@v1", [40, 4])), Item("new", null, ("text@v2", [7, 7]))], Ct)).IsSuccess);
        }

        using (SqliteEmbeddingRepository repository = SqliteEmbeddingRepository.Open(db.FilePath))
        {
            var a = new List<StoredItem>();
            await foreach (StoredItem item in repository.ReadItemsAsync("a", Ct))
            {
                // Valid only until the next item (the repository reuses its vector buffers): keep a copy.
                a.Add(item with { Vectors = [.. item.Vectors.Select(v => v with { Values = [.. v.Values] })] });
            }

            Assert.Equal(["i00", "i02", "i04", "i06", "i08", "i10", "i12", "i14", "i16", "i18", "new"], a.Select(i => i.Id));
            StoredItem replaced = a.Single(i => i.Id == "i04");
            Assert.Equal("""{"k": 4}""", replaced.PayloadJson);
            Assert.Equal([40f, 4f], Assert.Single(replaced.Vectors).Values);
            StoredItem kept = a.Single(i => i.Id == "i06");
            Assert.Equal([[6f, 1f], [6f, 2f]], kept.Vectors.Select(v => v.Values));
            Assert.Equal([7f, 7f], Assert.Single(a.Single(i => i.Id == "new").Vectors).Values);
        }

        using var connection = new SqliteConnection($"Data Source={db.FilePath};Pooling=False");
        connection.Open();
        Assert.Equal("21", Scalar(connection, "SELECT count(*) FROM items;"));
        Assert.Equal("40", Scalar(connection, "SELECT count(*) FROM vectors;"));

        static ItemUpsert Item(string id, string? payload, params (string Version, float[] Values)[] vectors) =>
            new(id, payload is null ? null : JsonDocument.Parse(payload).RootElement.Clone(), vectors.ToDictionary(v => v.Version, v => v.Values));
    }

    [Fact]
    public async Task UpsertItems_TextOfEveryUtf8WidthLongShortAndNull_StoredExactly()
    {
        // The insert binds text through a reused UTF-8 buffer: a long payload grows it, a shorter one after it must not
        // carry the longer one's tail, a null after a value must bind NULL, and every character width must survive.
        using var db = new TempDatabase();
        string longText = string.Concat(Enumerable.Range(0, 400).Select(i => (char)('a' + (i % 26))));
        (string Id, string? Payload)[] rows =
        [
            ("ascii", """{"s": "plain"}"""),
            ("é-two-bytes", "{\"s\": \"" + longText + "é\u2603\"}"),
            ("☃-three-bytes", """{"s": "x"}"""),
            ("𝄞-four-bytes", null),
            ("mixed-é☃𝄞", """{"s": "é☃𝄞"}"""),
        ];
        var random = new Random(17);
        float[][] vectors = [.. rows.Select(_ => RandomVector(random, 8))];
        using (SqliteEmbeddingRepository repository = SqliteEmbeddingRepository.Open(db.FilePath))
        using (EmbeddingEngine engine = await DocsCollectionAsync(repository, 8))
        {
            ItemUpsert[] batch = [.. rows.Select((r, i) => new ItemUpsert(
                r.Id, r.Payload is null ? null : JsonDocument.Parse(r.Payload).RootElement.Clone(), new Dictionary<string, float[]> { ["text@v1"] = vectors[i] }))];
            Assert.True((await engine.UpsertItemsAsync("docs", batch, Ct)).IsSuccess);
        }

        using var connection = new SqliteConnection($"Data Source={db.FilePath};Pooling=False");
        connection.Open();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = "SELECT i.item_id, i.payload, v.data, v.origin, v.link_id FROM items i JOIN vectors v ON v.item_rowid = i.id ORDER BY i.id;";
        using SqliteDataReader reader = command.ExecuteReader();
        int n = 0;
        while (reader.Read())
        {
            Assert.Equal(rows[n].Id, reader.GetString(0));
            Assert.Equal(rows[n].Payload, reader.IsDBNull(1) ? null : reader.GetString(1));
            Assert.Equal(vectors[n], Floats((byte[])reader.GetValue(2)));
            Assert.Equal("native", reader.GetString(3));
            Assert.True(reader.IsDBNull(4));
            n++;
        }

        Assert.Equal(rows.Length, n);

        static float[] Floats(byte[] bytes) => [.. System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes)];
    }

    [Fact]
    public async Task UpsertItems_EmptyStrings_StoredAsEmptyNotNull()
    {
        // The inserts bind text as UTF-8 spans; an empty one must arrive as '', not as NULL (SQLite binds a null pointer as NULL).
        using var db = new TempDatabase();
        using (SqliteEmbeddingRepository repository = SqliteEmbeddingRepository.Open(db.FilePath))
        using (EmbeddingEngine engine = await DocsCollectionAsync(repository, 2))
        {
            StoredVector vector = new(ModelVersionId.Create("text", "v1"), [1f, 2f], VectorOrigin.Derived, string.Empty);
            await repository.UpsertItemsAsync("docs", [new StoredItem("e", string.Empty, [vector])], Ct);
        }

        using var connection = new SqliteConnection($"Data Source={db.FilePath};Pooling=False");
        connection.Open();
        Assert.Equal("0|0|derived", Scalar(connection, "SELECT (i.payload IS NULL) || '|' || (v.link_id IS NULL) || '|' || v.origin FROM items i JOIN vectors v ON v.item_rowid = i.id;"));
        Assert.Equal("0|0", Scalar(connection, "SELECT length(i.payload) || '|' || length(v.link_id) FROM items i JOIN vectors v ON v.item_rowid = i.id;"));
    }

    [Fact]
    public async Task DeleteCollection_RemovesItemsAndVectorsFromFile()
    {
        using var db = new TempDatabase();
        using (SqliteEmbeddingRepository repository = SqliteEmbeddingRepository.Open(db.FilePath))
        using (var engine = new EmbeddingEngine(repository))
        {
            await engine.LoadAsync(Ct);
            await engine.RegisterModelVersionAsync("text", "v1", 2, DistanceMetric.DotProduct, false, Ct);
            await engine.PutCollectionAsync("docs", "text@v1", Ct);
            await engine.UpsertItemsAsync("docs", [new ItemUpsert("a", null, new Dictionary<string, float[]> { ["text@v1"] = [1, 2] })], Ct);
            Assert.True((await engine.DeleteCollectionAsync("docs", Ct)).IsSuccess);
            await engine.PutCollectionAsync("docs", "text@v1", IndexKind.Int8, Ct);
        }

        using (SqliteEmbeddingRepository repository = SqliteEmbeddingRepository.Open(db.FilePath))
        using (var engine = new EmbeddingEngine(repository))
        {
            await engine.LoadAsync(Ct);
            Assert.Equal(IndexKind.Int8, engine.GetCollection("docs").Value!.DefaultIndex);
        }

        using var connection = new SqliteConnection($"Data Source={db.FilePath};Pooling=False");
        connection.Open();
        Assert.Equal("0", Scalar(connection, "SELECT count(*) FROM items;"));
        Assert.Equal("0", Scalar(connection, "SELECT count(*) FROM vectors;"));
        Assert.Equal("1", Scalar(connection, "SELECT count(*) FROM collections;"));
    }

    [Fact]
    public async Task Load_IdsStoredOutOfOrder_ScrollsInOrdinalOrderAndKeepsOrderForNewIds()
    {
        // Start-up collects the ids in storage order and sorts them once; a scroll must not be able to tell.
        using var db = new TempDatabase();
        var random = new Random(41);
        string[] ids = [.. Enumerable.Range(0, 300).Select(i => "k" + i.ToString("D3", CultureInfo.InvariantCulture)).OrderBy(_ => random.Next())];
        using (SqliteEmbeddingRepository repository = SqliteEmbeddingRepository.Open(db.FilePath))
        using (var engine = new EmbeddingEngine(repository))
        {
            await engine.LoadAsync(Ct);
            await engine.RegisterModelVersionAsync("m", "v1", 3, DistanceMetric.DotProduct, normalized: false, Ct);
            await engine.PutCollectionAsync("c", "m@v1", Ct);
            foreach (string[] chunk in ids.Chunk(64))
            {
                var items = chunk.Select(id => new ItemUpsert(id, null, new Dictionary<string, float[]> { ["m@v1"] = RandomVector(random, 3) })).ToList();
                Assert.True((await engine.UpsertItemsAsync("c", items, Ct)).IsSuccess);
            }
        }

        using (SqliteEmbeddingRepository repository = SqliteEmbeddingRepository.Open(db.FilePath))
        using (var engine = new EmbeddingEngine(repository))
        {
            await engine.LoadAsync(Ct);
            Assert.True((await engine.UpsertItemsAsync("c", [new ItemUpsert("k150x", null, new Dictionary<string, float[]> { ["m@v1"] = [1, 2, 3] })], Ct)).IsSuccess);

            var seen = new List<string>();
            string? cursor = null;
            do
            {
                ScrollPage page = engine.Scroll("c", cursor, 70, withVectors: false).Value!;
                seen.AddRange(page.Items.Select(i => i.Id));
                cursor = page.NextCursor;
            }
            while (cursor is not null);

            Assert.Equal([.. ids.Append("k150x").Order(StringComparer.Ordinal)], seen);
        }
    }

    [Fact]
    public async Task ReadItems_VectorBlobOfWrongLength_ThrowsNamingItemAndSizes()
    {
        using var db = new TempDatabase();
        using (SqliteEmbeddingRepository repository = SqliteEmbeddingRepository.Open(db.FilePath))
        using (var engine = new EmbeddingEngine(repository))
        {
            await engine.LoadAsync(Ct);
            await engine.RegisterModelVersionAsync("m", "v1", 3, DistanceMetric.DotProduct, normalized: false, Ct);
            await engine.PutCollectionAsync("c", "m@v1", Ct);
            Assert.True((await engine.UpsertItemsAsync("c", [new ItemUpsert("bad", null, new Dictionary<string, float[]> { ["m@v1"] = [1, 2, 3] })], Ct)).IsSuccess);
        }

        using (var connection = new SqliteConnection($"Data Source={db.FilePath};Pooling=False"))
        {
            connection.Open();
            Scalar(connection, "UPDATE vectors SET data = X'0000803F';");
        }

        using (SqliteEmbeddingRepository repository = SqliteEmbeddingRepository.Open(db.FilePath))
        {
            var error = await Assert.ThrowsAsync<InvalidDataException>(async () =>
            {
                await foreach (StoredItem item in repository.ReadItemsAsync("c", Ct))
                {
                    Assert.Fail($"item {item.Id} was read with a 4-byte vector");
                }
            });
            Assert.Equal("Item 'bad': the stored m@v1 vector has 4 bytes; 3 dimensions need 12.", error.Message);
        }
    }

    [Fact]
    public async Task Open_FileAtSchemaVersion1_UpgradesAndKeepsData()
    {
        using var db = new TempDatabase();
        using (var connection = new SqliteConnection($"Data Source={db.FilePath};Pooling=False"))
        {
            // A database as the first release wrote it: only migration 0001, with one item.
            connection.Open();
            using SqliteCommand command = connection.CreateCommand();
            command.CommandText = SqliteSchema.Migrations[0].Sql + """
                CREATE TABLE schema_migrations (number INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL);
                INSERT INTO schema_migrations VALUES (1, '0001_initial.sql', '2026-01-01T00:00:00Z');
                INSERT INTO model_versions (model, version, dimension, metric, normalized, created_at) VALUES ('text', 'v1', 2, 'dot', 0, '2026-01-01T00:00:00Z');
                INSERT INTO collections (name, serving_version_id, created_at) VALUES ('docs', 1, '2026-01-01T00:00:00Z');
                INSERT INTO items (collection_id, item_id, payload) VALUES (1, 'a', '{"k":1}');
                INSERT INTO vectors (item_rowid, version_id, data) VALUES (1, 1, X'0000803F00000040');
                PRAGMA user_version = 1;
                """;
            command.ExecuteNonQuery();
        }

        using (SqliteEmbeddingRepository repository = SqliteEmbeddingRepository.Open(db.FilePath))
        using (var engine = new EmbeddingEngine(repository))
        {
            await engine.LoadAsync(Ct);
            Assert.Equal([1f, 2f], engine.GetItem("docs", "a", withVectors: true).Value!.Vectors!["text@v1"]);
        }

        using var check = new SqliteConnection($"Data Source={db.FilePath};Pooling=False");
        check.Open();
        Assert.Equal(SqliteSchema.LatestVersion.ToString(CultureInfo.InvariantCulture), Scalar(check, "PRAGMA user_version;"));
        Assert.Equal(SqliteSchema.LatestVersion.ToString(CultureInfo.InvariantCulture), Scalar(check, "SELECT count(*) FROM schema_migrations;"));
    }

    [Fact]
    public void Open_NewerSchemaVersion_RefusesAndLeavesFileUnchanged()
    {
        using var db = new TempDatabase();
        SqliteEmbeddingRepository.Open(db.FilePath).Dispose();
        using (var connection = new SqliteConnection($"Data Source={db.FilePath};Pooling=False"))
        {
            connection.Open();
            using SqliteCommand command = connection.CreateCommand();
            command.CommandText = $"PRAGMA user_version = {SqliteSchema.LatestVersion + 1}; PRAGMA wal_checkpoint(TRUNCATE);";
            command.ExecuteNonQuery();
        }

        byte[] before = File.ReadAllBytes(db.FilePath);
        SqliteStoreOpenException ex = Assert.Throws<SqliteStoreOpenException>(() => SqliteEmbeddingRepository.Open(db.FilePath));
        Assert.Contains("newer than this server supports", ex.Message, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(db.FilePath));
    }

    [Fact]
    public void Open_NotADatabase_RefusesAndLeavesFileUnchanged()
    {
        using var db = new TempDatabase();
        byte[] garbage = new byte[8192];
        new Random(1).NextBytes(garbage);
        File.WriteAllBytes(db.FilePath, garbage);

        SqliteStoreOpenException ex = Assert.Throws<SqliteStoreOpenException>(() => SqliteEmbeddingRepository.Open(db.FilePath));
        Assert.Contains(db.FilePath, ex.Message, StringComparison.Ordinal);
        Assert.Equal(garbage, File.ReadAllBytes(db.FilePath));
    }

    private static async Task<(string Id, float Score, string Version)[]> Snapshot(EmbeddingEngine engine, float[] query) =>
    [
        .. (await engine.SearchAsync("docs", new SearchQuery(query, "text@v1", 1000), TestContext.Current.CancellationToken)).Value!.Hits.Select(h => (h.Id, h.Score, h.Version)),
        .. (await engine.SearchAsync("docs", new SearchQuery(query, "text@v2", 1000, AllowPartial: true), TestContext.Current.CancellationToken)).Value!.Hits.Select(h => (h.Id, h.Score, h.Version)),
    ];

    // Starts a derive job and runs the queue to the end, as the server's runner would; returns the vectors derived.
    private static async Task<long> DeriveAsync(EmbeddingEngine engine, string linkId, string collection)
    {
        JobRecord job = (await engine.StartDeriveAsync(linkId, collection, reverse: false, Ct)).Value!;
        await engine.Jobs.RunUntilIdleAsync(Ct);
        JobRecord done = engine.Jobs.Get(job.Id).Value!;
        Assert.Equal(JobState.Completed, done.State);
        return done.Counters!["derived"];
    }

    // An engine over the repository with text@v1 (dot product, `dimension`) registered and a collection "docs" serving it.
    private static async Task<EmbeddingEngine> DocsCollectionAsync(SqliteEmbeddingRepository repository, int dimension)
    {
        var engine = new EmbeddingEngine(repository);
        await engine.LoadAsync(Ct);
        Assert.True((await engine.RegisterModelVersionAsync("text", "v1", dimension, DistanceMetric.DotProduct, false, Ct)).IsSuccess);
        Assert.True((await engine.PutCollectionAsync("docs", "text@v1", Ct)).IsSuccess);
        return engine;
    }

    private static float[] RandomVector(Random random, int dimension) =>
        [.. Enumerable.Range(0, dimension).Select(_ => (float)((random.NextDouble() * 2) - 1))];

    private static string Scalar(SqliteConnection connection, string sql)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToString(command.ExecuteScalar(), CultureInfo.InvariantCulture)!;
    }
}
