// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using EmbeddingStore.Core.Filters;
using EmbeddingStore.Core.Indexes;
using EmbeddingStore.Core.Jobs;
using EmbeddingStore.Core.Migrations;
using EmbeddingStore.Core.Persistence;
using EmbeddingStore.Core.Vectors;
using EmbeddingStore.Core.Versioning;
using EmbeddingStore.Storage.Sqlite.Internal;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace EmbeddingStore.Storage.Sqlite;

/// <summary>
/// The SQLite source of truth: one file in WAL mode with <c>synchronous=FULL</c>, so a write is on disk when its task
/// completes. Holds one connection; the engine serialises writes, and WAL lets other processes (backups, inspection)
/// read while the server runs. Writes of different collections may arrive at once; they are serialised here, on the
/// one connection, which is what SQLite's single writer would do anyway.
/// </summary>
public sealed partial class SqliteEmbeddingRepository : IEmbeddingRepository, IIdempotencyStore, IStorageMaintenance, IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly Dictionary<ModelVersionId, long> _versionIds = [];
    private readonly Dictionary<long, ModelVersionId> _versionsById = [];
    private readonly Dictionary<long, int> _dimensionsById = [];
    private readonly Dictionary<string, long> _collectionIds = new(StringComparer.Ordinal);

    // Guards the connection for writes, checkpoints and disposal: a checkpoint at shutdown must not interleave with a
    // late write, and hosting may stop (and checkpoint) after it has already disposed the repository.
    private readonly Lock _gate = new();
    private bool _disposed;

    // Completes when the file passed SQLite's quick_check (at once when Open ran it itself); every write waits for it.
    private readonly Task _integrity;

    private SqliteEmbeddingRepository(SqliteConnection connection, string path, Task integrity)
    {
        _connection = connection;
        Path = path;
        _integrity = integrity;
    }

    /// <summary>The full path of the database file.</summary>
    public string Path { get; }

    /// <summary>
    /// Completes when the file has passed SQLite's <c>quick_check</c>, and faults with
    /// <see cref="SqliteStoreOpenException"/> when it has not. A server that overlaps the check with its start-up awaits
    /// this before it reports itself ready, so it never serves from a file it could not trust.
    /// </summary>
    public Task IntegrityChecked => _integrity;

    /// <summary>
    /// Opens (or creates) the database file, refuses files it cannot trust before writing to them, and brings the
    /// schema up to date.
    /// </summary>
    /// <param name="path">The database file.</param>
    /// <param name="timeProvider">Clock for migration records.</param>
    /// <param name="maxSizeBytes">
    /// Optional cap on the file's size (SQLite's <c>max_page_count</c>). Writes that would grow it further fail like on a
    /// full disk: refused cleanly, nothing half-written, reads unaffected.
    /// </param>
    /// <param name="overlapIntegrityCheck">
    /// Run SQLite's <c>quick_check</c> on a connection of its own while the caller goes on reading, instead of before
    /// Open returns: on a large file the check is a full read of it (0.7-0.9 s of a 640 MB file here), and start-up can
    /// read its rows into memory meanwhile. Only when the open itself writes nothing (the schema is current and the file
    /// already in WAL mode); otherwise the check runs first, as without this flag. The outcome is
    /// <see cref="IntegrityChecked"/>, and every write waits for it, so an untrusted file is still never written.
    /// </param>
    /// <exception cref="SqliteStoreOpenException">The file is corrupt, not a database, from a newer schema, or inaccessible.</exception>
    public static SqliteEmbeddingRepository Open(string path, TimeProvider? timeProvider = null, long? maxSizeBytes = null, bool overlapIntegrityCheck = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("Vectors are stored as little-endian float32; big-endian hosts are not supported.");
        }

        string fullPath = System.IO.Path.GetFullPath(path);
        SqliteConnection? connection = null;
        try
        {
            string? directory = System.IO.Path.GetDirectoryName(fullPath);
            if (!string.IsNullOrEmpty(directory))
            {
                Directory.CreateDirectory(directory);
            }

            connection = new SqliteConnection(new SqliteConnectionStringBuilder
            {
                DataSource = fullPath,
                Mode = SqliteOpenMode.ReadWriteCreate,
                Pooling = false,
                DefaultTimeout = 30,
            }.ToString());
            connection.Open();

            // Read-only checks first: a file we must refuse is never modified.
            int version = SqliteSchema.ReadVersion(connection);
            if (version > SqliteSchema.LatestVersion)
            {
                throw new SqliteStoreOpenException(
                    $"The database '{fullPath}' has schema version {version}, newer than this server supports ({SqliteSchema.LatestVersion}). Upgrade the server; the file was not changed.");
            }

            Task integrity = Task.CompletedTask;
            if (version > 0)
            {
                if (overlapIntegrityCheck && version == SqliteSchema.LatestVersion
                    && string.Equals(SqliteCommandBuilder.ScalarText(connection, "PRAGMA journal_mode;"), "wal", StringComparison.OrdinalIgnoreCase))
                {
                    integrity = Task.Run(() => QuickCheckOnOwnConnection(fullPath));
                }
                else
                {
                    QuickCheck(connection, fullPath);
                }
            }

            SqliteCommandBuilder.Execute(connection, "PRAGMA journal_mode = WAL;");
            SqliteCommandBuilder.Execute(connection, "PRAGMA synchronous = FULL;");
            SqliteCommandBuilder.Execute(connection, "PRAGMA foreign_keys = ON;");
            SqliteSchema.Apply(connection, timeProvider ?? TimeProvider.System);
            if (maxSizeBytes is > 0)
            {
                long pageSize = long.Parse(SqliteCommandBuilder.ScalarText(connection, "PRAGMA page_size;"), CultureInfo.InvariantCulture);
                long pages = Math.Max(1, maxSizeBytes.Value / pageSize);
                SqliteCommandBuilder.Execute(connection, $"PRAGMA max_page_count = {pages.ToString(CultureInfo.InvariantCulture)};");
            }

            var repository = new SqliteEmbeddingRepository(connection, fullPath, integrity);
            repository.LoadIds();
            return repository;
        }
        catch (SqliteException ex)
        {
            connection?.Dispose();
            throw new SqliteStoreOpenException($"The database '{fullPath}' cannot be opened: {ex.Message} The file was not changed.", ex);
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            connection?.Dispose();
            throw new SqliteStoreOpenException($"The database '{fullPath}' cannot be opened: {ex.Message}", ex);
        }
        catch
        {
            connection?.Dispose();
            throw;
        }
    }

    private static void QuickCheck(SqliteConnection connection, string fullPath)
    {
        string check = SqliteCommandBuilder.ScalarText(connection, "PRAGMA quick_check;");
        if (!string.Equals(check, "ok", StringComparison.Ordinal))
        {
            // One page lost can list every page it orphaned, one per line; the operator's one line names the first.
            // (SQLite heads the list with a "*** in database main ***" line.)
            string[] problems = [.. check.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(p => !p.StartsWith("***", StringComparison.Ordinal))];
            string first = problems.Length == 0 ? check : problems[0];
            string more = problems.Length > 1 ? string.Create(CultureInfo.InvariantCulture, $" and {problems.Length - 1} more") : string.Empty;
            throw new SqliteStoreOpenException($"The database '{fullPath}' failed SQLite's integrity check ({first}{more}); the file was not changed. Restore it from a backup.");
        }
    }

    // The overlapped check: a read-only connection of its own, so in WAL mode it reads one consistent snapshot beside the
    // start-up reads on the main connection, and writes wait for it.
    private static void QuickCheckOnOwnConnection(string fullPath)
    {
        try
        {
            using SqliteConnection reader = SqliteBackup.OpenReadOnly(fullPath);
            QuickCheck(reader, fullPath);
        }
        catch (SqliteException ex)
        {
            throw new SqliteStoreOpenException($"The database '{fullPath}' cannot be checked: {ex.Message} The file was not changed.", ex);
        }
    }

    // Writes wait for an overlapped integrity check and are refused, nothing written, if the file failed it.
    private void WaitUntilTrusted()
    {
        if (!_integrity.IsCompletedSuccessfully)
        {
            _integrity.GetAwaiter().GetResult();
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ModelVersion> ReadModelVersionsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using SqliteCommand command = _connection.CreateCommand();
        command.CommandText = SqliteCommandBuilder.SelectModelVersions;
        using SqliteDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!ScoreMapping.TryParseWireName(reader.GetString(4), out DistanceMetric metric))
            {
                throw new InvalidDataException($"Model version {reader.GetString(1)}@{reader.GetString(2)} has an unknown metric '{reader.GetString(4)}'.");
            }

            yield return new ModelVersion(
                ModelVersionId.Create(reader.GetString(1), reader.GetString(2)),
                reader.GetInt32(3),
                metric,
                reader.GetInt64(5) != 0,
                DateTimeOffset.Parse(reader.GetString(6), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind));
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<CollectionRecord> ReadCollectionsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using SqliteCommand command = _connection.CreateCommand();
        command.CommandText = SqliteCommandBuilder.SelectCollections;
        using SqliteDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return new CollectionRecord(
                reader.GetString(1),
                reader.IsDBNull(2) ? null : _versionsById[reader.GetInt64(2)],
                DateTimeOffset.Parse(reader.GetString(3), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
                new IndexKind(reader.GetString(4)),
                IndexSettingsJson.Read(reader.IsDBNull(5) ? null : reader.GetString(5)));
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<StoredItem> ReadItemsAsync(string collection, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Start-up reads every row of a collection once, so this loop steps SQLite's statement directly (SQLitePCL, the
        // library under Microsoft.Data.Sqlite): each vector is copied once, from SQLite's page cache into its float[],
        // where the data reader would first materialise a byte[] per BLOB and box every column on the way. Measured on
        // 100,000 × 384: 3.3-3.4 µs per item through SqliteDataReader, 2.8-2.9 this way, Open included (docs/bench/issue-13.md).
        long collectionId = CollectionId(collection);
        sqlite3 db = _connection.Handle!;
        Check(raw.sqlite3_prepare_v2(db, SqliteCommandBuilder.SelectItemsWithVectors, out sqlite3_stmt statement), db);
        try
        {
            Check(raw.sqlite3_bind_int64(statement, raw.sqlite3_bind_parameter_index(statement, "$collection"), collectionId), db);
            long currentRow = -1;
            string? currentId = null;
            string? currentPayload = null;
            // One vector list and one array per version, reused for every item (the interface allows it): start-up copies
            // each vector into its segment, and a fresh 1.5 KB array per item was three quarters of the bytes start-up
            // allocated. Measured on 300,000 × 384: GC pauses 1.3 s -> 0.6 s, the load 20 % faster (docs/bench/issue-13.md).
            var vectors = new List<StoredVector>(1);
            var buffers = new Dictionary<long, float[]>();
            int step;
            long rows = 0;
            while ((step = raw.sqlite3_step(statement)) == raw.SQLITE_ROW)
            {
                if ((++rows & 4095) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                long row = raw.sqlite3_column_int64(statement, 0);
                if (row != currentRow)
                {
                    if (currentId is not null)
                    {
                        yield return new StoredItem(currentId, currentPayload, vectors);
                        vectors.Clear();
                    }

                    currentRow = row;
                    currentId = raw.sqlite3_column_text(statement, 1).utf8_to_string();
                    currentPayload = raw.sqlite3_column_type(statement, 2) == raw.SQLITE_NULL ? null : raw.sqlite3_column_text(statement, 2).utf8_to_string();
                }

                if (raw.sqlite3_column_type(statement, 3) != raw.SQLITE_NULL)
                {
                    vectors.Add(ReadVector(statement, currentId!, buffers));
                }
            }

            if (step != raw.SQLITE_DONE)
            {
                Check(step, db);
            }

            if (currentId is not null)
            {
                yield return new StoredItem(currentId, currentPayload, vectors);
            }
        }
        finally
        {
            raw.sqlite3_finalize(statement);
        }
    }

    private static void Check(int resultCode, sqlite3 db)
    {
        if (resultCode != raw.SQLITE_OK)
        {
            throw new SqliteException($"SQLite Error {resultCode}: '{raw.sqlite3_errmsg(db).utf8_to_string()}'.", resultCode);
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<ModelVersionId, long>> CountVectorsAsync(string collection, CancellationToken cancellationToken)
    {
        long collectionId = CollectionId(collection);
        using SqliteCommand command = _connection.CreateCommand();
        command.CommandText = SqliteCommandBuilder.CountVectorsByVersion;
        command.Parameters.AddWithValue("$collection", collectionId);
        var counts = new Dictionary<ModelVersionId, long>();
        using SqliteDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            counts[_versionsById[reader.GetInt64(0)]] = reader.GetInt64(1);
        }

        return counts;
    }

    /// <inheritdoc />
    public Task SaveModelVersionAsync(ModelVersion version, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(version);
        return WriteAsync(
            transaction =>
            {
                using SqliteCommand command = _connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandText = SqliteCommandBuilder.UpsertModelVersion;
                command.Parameters.AddWithValue("$model", version.Id.Model);
                command.Parameters.AddWithValue("$version", version.Id.Version);
                command.Parameters.AddWithValue("$dimension", version.Dimension);
                command.Parameters.AddWithValue("$metric", ScoreMapping.ToWireName(version.Metric));
                command.Parameters.AddWithValue("$normalized", version.Normalized ? 1 : 0);
                command.Parameters.AddWithValue("$createdAt", version.CreatedAt.ToString("O", CultureInfo.InvariantCulture));
                long id = Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
                return () =>
                {
                    _versionIds[version.Id] = id;
                    _versionsById[id] = version.Id;
                    _dimensionsById[id] = version.Dimension;
                };
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task SaveCollectionAsync(CollectionRecord collection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(collection);
        return WriteAsync(
            transaction =>
            {
                long id = WriteCollection(transaction, collection);
                return () => _collectionIds[collection.Name] = id;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task DeleteCollectionAsync(string collection, CancellationToken cancellationToken)
    {
        return WriteAsync(
            transaction =>
            {
                long collectionId = _collectionIds[collection];
                using SqliteCommand command = _connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandText = SqliteCommandBuilder.DeleteCollection;
                command.Parameters.AddWithValue("$collection", collectionId);
                command.ExecuteNonQuery();
                return () => _collectionIds.Remove(collection);
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task UpsertItemsAsync(string collection, IReadOnlyList<StoredItem> items, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        return WriteAsync(
            transaction =>
            {
                long collectionId = _collectionIds[collection];
                // The per-item statements are stepped directly (SQLitePCL), as start-up's read is: a bulk load is two
                // inserts per item, and through SqliteCommand each execution builds a data reader, boxes its parameters and
                // copies the vector into a byte[] first. The replace path of an existing item, rarer, stays on SqliteCommand.
                // Measured on 100,000 x 384 (docs/bench/issue-13.md, step 7).
                sqlite3 db = _connection.Handle!;
                sqlite3_stmt insertItem = PrepareRaw(db, SqliteCommandBuilder.InsertNewItem);
                sqlite3_stmt? insertVector = null;
                SqliteCommand? upsertItem = null, deleteVectors = null;
                byte[] text = new byte[256];
                try
                {
                    insertVector = PrepareRaw(db, SqliteCommandBuilder.InsertVector);
                    int itemCollection = raw.sqlite3_bind_parameter_index(insertItem, "$collection");
                    int itemId = raw.sqlite3_bind_parameter_index(insertItem, "$itemId");
                    int itemPayload = raw.sqlite3_bind_parameter_index(insertItem, "$payload");
                    int vectorRow = raw.sqlite3_bind_parameter_index(insertVector, "$row");
                    int vectorVersion = raw.sqlite3_bind_parameter_index(insertVector, "$version");
                    int vectorOrigin = raw.sqlite3_bind_parameter_index(insertVector, "$origin");
                    int vectorLink = raw.sqlite3_bind_parameter_index(insertVector, "$linkId");
                    int vectorData = raw.sqlite3_bind_parameter_index(insertVector, "$data");
                    Check(raw.sqlite3_bind_int64(insertItem, itemCollection, collectionId), db);
                    foreach (StoredItem item in items)
                    {
                        BindText(insertItem, itemId, item.Id, ref text, db);
                        BindText(insertItem, itemPayload, item.PayloadJson, ref text, db);
                        StepDone(insertItem, db);
                        long row;
                        if (raw.sqlite3_changes(db) == 1)
                        {
                            // A new item has no vectors to replace; the statement's own insert is the connection's last one.
                            row = raw.sqlite3_last_insert_rowid(db);
                        }
                        else
                        {
                            upsertItem ??= SqliteCommandBuilder.Prepare(_connection, transaction, SqliteCommandBuilder.UpsertItem, "$collection", "$itemId", "$payload");
                            deleteVectors ??= SqliteCommandBuilder.Prepare(_connection, transaction, SqliteCommandBuilder.DeleteItemVectors, "$row");
                            upsertItem.Parameters["$collection"].Value = collectionId;
                            upsertItem.Parameters["$itemId"].Value = item.Id;
                            upsertItem.Parameters["$payload"].Value = (object?)item.PayloadJson ?? DBNull.Value;
                            row = Convert.ToInt64(upsertItem.ExecuteScalar(), CultureInfo.InvariantCulture);
                            deleteVectors.Parameters["$row"].Value = row;
                            deleteVectors.ExecuteNonQuery();
                        }

                        Check(raw.sqlite3_bind_int64(insertVector, vectorRow, row), db);
                        foreach (StoredVector vector in item.Vectors)
                        {
                            Check(raw.sqlite3_bind_int64(insertVector, vectorVersion, _versionIds[vector.Version]), db);
                            BindText(insertVector, vectorOrigin, vector.Origin == VectorOrigin.Derived ? "derived" : "native", ref text, db);
                            BindText(insertVector, vectorLink, vector.LinkId, ref text, db);
                            Check(raw.sqlite3_bind_blob(insertVector, vectorData, MemoryMarshal.AsBytes(vector.Values.AsSpan())), db);
                            StepDone(insertVector, db);
                        }
                    }
                }
                finally
                {
                    raw.sqlite3_finalize(insertItem);
                    if (insertVector is not null)
                    {
                        raw.sqlite3_finalize(insertVector);
                    }

                    upsertItem?.Dispose();
                    deleteVectors?.Dispose();
                }

                return null;
            },
            cancellationToken);
    }

    private static sqlite3_stmt PrepareRaw(sqlite3 db, string sql)
    {
        int rc = raw.sqlite3_prepare_v2(db, sql, out sqlite3_stmt statement);
        if (rc != raw.SQLITE_OK)
        {
            statement?.Dispose();
            SqliteException.ThrowExceptionForRC(rc, db);
        }

        return statement!;
    }

    // Binds a string (or NULL) with its UTF-8 length, as SqliteCommand does, so a string is never cut at an embedded NUL;
    // `buffer` is reused across calls and grows to the longest string bound.
    private static void BindText(sqlite3_stmt statement, int index, string? value, ref byte[] buffer, sqlite3 db)
    {
        if (value is null)
        {
            Check(raw.sqlite3_bind_null(statement, index), db);
            return;
        }

        int most = Encoding.UTF8.GetMaxByteCount(value.Length);
        if (most > buffer.Length)
        {
            buffer = new byte[Math.Max(most, buffer.Length * 2)];
        }

        int length = Encoding.UTF8.GetBytes(value, buffer);
        Check(raw.sqlite3_bind_text(statement, index, buffer.AsSpan(0, length)), db);
    }

    // One step of a statement that returns no rows, then a reset so it can be bound again. SQLite's error (a full disk, an
    // I/O error, a constraint) is thrown as the SqliteException SqliteCommand would have thrown, so WriteAsync maps it the
    // same way; the caller finalizes the statement.
    private static void StepDone(sqlite3_stmt statement, sqlite3 db)
    {
        int rc = raw.sqlite3_step(statement);
        if (rc != raw.SQLITE_DONE)
        {
            SqliteException.ThrowExceptionForRC(rc, db);
        }

        raw.sqlite3_reset(statement);
    }

    /// <inheritdoc />
    public Task DeleteItemsAsync(string collection, IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ids);
        return WriteAsync(
            transaction =>
            {
                long collectionId = _collectionIds[collection];
                using SqliteCommand delete = SqliteCommandBuilder.Prepare(_connection, transaction, SqliteCommandBuilder.DeleteItem, "$collection", "$itemId");
                delete.Parameters["$collection"].Value = collectionId;
                foreach (string id in ids)
                {
                    delete.Parameters["$itemId"].Value = id;
                    delete.ExecuteNonQuery();
                }

                return null;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task AddVectorsAsync(
        string collection, IReadOnlyList<(string ItemId, StoredVector Vector)> vectors, JobRecord? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        return WriteAsync(
            transaction =>
            {
                long collectionId = _collectionIds[collection];
                using SqliteCommand find = SqliteCommandBuilder.Prepare(_connection, transaction, SqliteCommandBuilder.SelectItemRow, "$collection", "$itemId");
                using SqliteCommand insert = SqliteCommandBuilder.Prepare(
                    _connection, transaction, SqliteCommandBuilder.ReplaceVector, "$row", "$version", "$origin", "$linkId", "$data");
                find.Parameters["$collection"].Value = collectionId;
                foreach ((string itemId, StoredVector vector) in vectors)
                {
                    find.Parameters["$itemId"].Value = itemId;
                    if (find.ExecuteScalar() is not long row)
                    {
                        continue;
                    }

                    insert.Parameters["$row"].Value = row;
                    insert.Parameters["$version"].Value = _versionIds[vector.Version];
                    insert.Parameters["$origin"].Value = vector.Origin == VectorOrigin.Derived ? "derived" : "native";
                    insert.Parameters["$linkId"].Value = (object?)vector.LinkId ?? DBNull.Value;
                    insert.Parameters["$data"].Value = MemoryMarshal.AsBytes(vector.Values.AsSpan()).ToArray();
                    insert.ExecuteNonQuery();
                }

                if (progress is not null)
                {
                    WriteJob(transaction, progress);
                }

                return null;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<StoredLink> ReadLinksAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using SqliteCommand command = _connection.CreateCommand();
        command.CommandText = SqliteCommandBuilder.SelectLinks;
        using SqliteDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return new StoredLink(
                reader.GetString(0),
                _versionsById[reader.GetInt64(1)],
                _versionsById[reader.GetInt64(2)],
                reader.GetString(3),
                (byte[])reader.GetValue(4),
                reader.IsDBNull(5) ? null : (byte[])reader.GetValue(5),
                reader.IsDBNull(6) ? null : reader.GetString(6),
                reader.IsDBNull(7) ? null : reader.GetString(7),
                DateTimeOffset.Parse(reader.GetString(8), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind));
        }
    }

    /// <inheritdoc />
    public Task SaveLinkAsync(StoredLink link, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(link);
        return WriteAsync(
            transaction =>
            {
                using SqliteCommand command = _connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandText = SqliteCommandBuilder.InsertLink;
                command.Parameters.AddWithValue("$id", link.Id);
                command.Parameters.AddWithValue("$from", _versionIds[link.From]);
                command.Parameters.AddWithValue("$to", _versionIds[link.To]);
                command.Parameters.AddWithValue("$kind", link.Kind);
                command.Parameters.AddWithValue("$bridge", link.Bridge);
                command.Parameters.AddWithValue("$reverse", (object?)link.ReverseBridge ?? DBNull.Value);
                command.Parameters.AddWithValue("$quality", (object?)link.QualityJson ?? DBNull.Value);
                command.Parameters.AddWithValue("$fit", (object?)link.FitJson ?? DBNull.Value);
                command.Parameters.AddWithValue("$createdAt", link.CreatedAt.ToString("O", CultureInfo.InvariantCulture));
                command.ExecuteNonQuery();
                return null;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task DeleteLinkAsync(string id, CancellationToken cancellationToken) =>
        WriteAsync(
            transaction =>
            {
                using SqliteCommand command = _connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandText = SqliteCommandBuilder.DeleteLink;
                command.Parameters.AddWithValue("$id", id);
                command.ExecuteNonQuery();
                return null;
            },
            cancellationToken);

    /// <inheritdoc />
    public IdempotentResponse? Find(string key, DateTimeOffset since)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using SqliteCommand command = _connection.CreateCommand();
            command.CommandText = SqliteCommandBuilder.SelectIdempotent;
            command.Parameters.AddWithValue("$key", key);
            command.Parameters.AddWithValue("$since", since.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));
            using SqliteDataReader reader = command.ExecuteReader();
            return reader.Read()
                ? new IdempotentResponse((byte[])reader.GetValue(0), reader.GetInt32(1), reader.IsDBNull(2) ? null : reader.GetString(2), (byte[])reader.GetValue(3))
                : null;
        }
    }

    /// <inheritdoc />
    public Task SaveAnswerAsync(string key, IdempotentResponse response, DateTimeOffset now, DateTimeOffset expiresBefore, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        return WriteAsync(
            transaction =>
            {
                using SqliteCommand purge = _connection.CreateCommand();
                purge.Transaction = transaction;
                purge.CommandText = SqliteCommandBuilder.PurgeIdempotent;
                purge.Parameters.AddWithValue("$since", expiresBefore.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));
                purge.ExecuteNonQuery();
                WriteIdempotent(transaction, key, response, now);
                return null;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<Core.Collections.CollectionAlias> ReadAliasesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using SqliteCommand command = _connection.CreateCommand();
        command.CommandText = SqliteCommandBuilder.SelectAliases;
        using SqliteDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return new Core.Collections.CollectionAlias(
                reader.GetString(0), reader.GetString(1), DateTimeOffset.Parse(reader.GetString(2), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind));
        }
    }

    /// <inheritdoc />
    public Task SaveAliasAsync(Core.Collections.CollectionAlias alias, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(alias);
        return WriteAsync(
            transaction =>
            {
                using SqliteCommand command = _connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandText = SqliteCommandBuilder.UpsertAlias;
                command.Parameters.AddWithValue("$alias", alias.Alias);
                command.Parameters.AddWithValue("$collection", _collectionIds[alias.Collection]);
                command.Parameters.AddWithValue("$updatedAt", alias.UpdatedAt.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));
                command.ExecuteNonQuery();
                return null;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task DeleteAliasAsync(string alias, CancellationToken cancellationToken) =>
        WriteAsync(
            transaction =>
            {
                using SqliteCommand command = _connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandText = SqliteCommandBuilder.DeleteAlias;
                command.Parameters.AddWithValue("$alias", alias);
                command.ExecuteNonQuery();
                return null;
            },
            cancellationToken);

    /// <inheritdoc />
    public async IAsyncEnumerable<MigrationRecord> ReadMigrationsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using SqliteCommand command = _connection.CreateCommand();
        command.CommandText = SqliteCommandBuilder.SelectMigrations;
        using SqliteDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            string id = reader.GetString(0);
            if (!MigrationStrategyNames.TryParse(reader.GetString(4), out MigrationStrategy strategy)
                || !MigrationStateNames.TryParse(reader.GetString(5), out MigrationState state)
                || !PendingOrderNames.TryParse(reader.GetString(9), out PendingOrder order))
            {
                throw new InvalidDataException($"Migration {id} has an unknown strategy '{reader.GetString(4)}', state '{reader.GetString(5)}' or order '{reader.GetString(9)}'.");
            }

            yield return new MigrationRecord(
                id,
                reader.GetString(1),
                ParseVersion(id, reader.GetString(2)),
                ParseVersion(id, reader.GetString(3)),
                strategy,
                state,
                reader.IsDBNull(6) ? null : reader.GetString(6),
                reader.IsDBNull(7) ? null : reader.GetString(7),
                JsonSerializer.Deserialize<MigrationGates>(reader.GetString(8)) ?? MigrationGates.None,
                order,
                reader.GetInt32(10),
                JsonSerializer.Deserialize<List<LinkQualityPoint>>(reader.GetString(11)) ?? [],
                DateTimeOffset.Parse(reader.GetString(13), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
                DateTimeOffset.Parse(reader.GetString(14), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
                reader.IsDBNull(12) ? null : reader.GetString(12))
            {
                RefitEveryPercent = reader.GetInt32(15),
            };
        }
    }

    /// <inheritdoc />
    public Task SaveMigrationAsync(MigrationRecord migration, CollectionRecord? serving, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(migration);
        return WriteAsync(
            transaction =>
            {
                if (serving is not null)
                {
                    WriteCollection(transaction, serving);
                }

                WriteMigration(transaction, migration);
                return null;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<JobRecord> ReadJobsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using SqliteCommand command = _connection.CreateCommand();
        command.CommandText = SqliteCommandBuilder.SelectJobs;
        using SqliteDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!JobStateNames.TryParse(reader.GetString(3), out JobState state))
            {
                throw new InvalidDataException($"Job {reader.GetString(0)} has an unknown state '{reader.GetString(3)}'.");
            }

            yield return new JobRecord(
                reader.GetString(0),
                reader.GetString(1),
                reader.IsDBNull(2) ? null : reader.GetString(2),
                state,
                reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetString(5),
                reader.GetInt64(6),
                reader.GetInt64(7),
                DateTimeOffset.Parse(reader.GetString(10), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
                DateTimeOffset.Parse(reader.GetString(11), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
                reader.IsDBNull(9) ? null : reader.GetString(9),
                reader.IsDBNull(8) ? null : JsonSerializer.Deserialize<Dictionary<string, long>>(reader.GetString(8)));
        }
    }

    /// <inheritdoc />
    public Task SaveJobAsync(JobRecord job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        return WriteAsync(
            transaction =>
            {
                WriteJob(transaction, job);
                return null;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<StoredPayloadIndex> ReadPayloadIndexesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using SqliteCommand command = _connection.CreateCommand();
        command.CommandText = SqliteCommandBuilder.SelectPayloadIndexes;
        using SqliteDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!PayloadIndexNames.TryParseType(reader.GetString(2), out PayloadIndexType type)
                || !PayloadIndexNames.TryParseState(reader.GetString(3), out PayloadIndexState state))
            {
                throw new InvalidDataException(
                    $"Payload index '{reader.GetString(1)}' of collection '{reader.GetString(0)}' has an unknown type '{reader.GetString(2)}' or state '{reader.GetString(3)}'.");
            }

            yield return new StoredPayloadIndex(
                reader.GetString(0),
                reader.GetString(1),
                type,
                state,
                reader.IsDBNull(4) ? null : reader.GetString(4),
                DateTimeOffset.Parse(reader.GetString(5), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind));
        }
    }

    /// <inheritdoc />
    public Task SavePayloadIndexAsync(StoredPayloadIndex index, JobRecord? job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(index);
        return WriteAsync(
            transaction =>
            {
                using SqliteCommand command = _connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandText = SqliteCommandBuilder.UpsertPayloadIndex;
                command.Parameters.AddWithValue("$collection", _collectionIds[index.Collection]);
                command.Parameters.AddWithValue("$field", index.Field);
                command.Parameters.AddWithValue("$type", PayloadIndexNames.ToWireName(index.Type));
                command.Parameters.AddWithValue("$state", PayloadIndexNames.ToWireName(index.State));
                command.Parameters.AddWithValue("$jobId", (object?)index.JobId ?? DBNull.Value);
                command.Parameters.AddWithValue("$createdAt", index.CreatedAt.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));
                command.ExecuteNonQuery();
                if (job is not null)
                {
                    WriteJob(transaction, job);
                }

                return null;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task DeletePayloadIndexAsync(string collection, string field, CancellationToken cancellationToken) =>
        WriteAsync(
            transaction =>
            {
                using SqliteCommand command = _connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandText = SqliteCommandBuilder.DeletePayloadIndex;
                command.Parameters.AddWithValue("$collection", _collectionIds[collection]);
                command.Parameters.AddWithValue("$field", field);
                command.ExecuteNonQuery();
                return null;
            },
            cancellationToken);

    /// <summary>Runs <c>PRAGMA wal_checkpoint(TRUNCATE)</c>, folding the WAL into the main file (used at shutdown and before backups).</summary>
    public void Checkpoint()
    {
        // A file that failed its integrity check is left exactly as it was found.
        try
        {
            WaitUntilTrusted();
        }
        catch (SqliteStoreOpenException)
        {
            return;
        }

        lock (_gate)
        {
            if (!_disposed)
            {
                SqliteCommandBuilder.Execute(_connection, "PRAGMA wal_checkpoint(TRUNCATE);");
            }
        }
    }

    /// <summary>Closes the connection; later checkpoints are no-ops and later writes fail.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _connection.Dispose();
        }
    }

    // Runs one write transaction. The callback returns what to change in the id caches, applied only after the
    // commit succeeded, so a rolled-back write leaves the caches matching the file. The request's idempotency claim, if
    // it has one not yet written, goes into the same transaction (before the write, so an answer written by the same
    // transaction replaces it).
    private Task WriteAsync(Func<SqliteTransaction, Action?> write, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        WaitUntilTrusted();
        IdempotencyClaim? claim = IdempotencyClaim.Current is { IsCommitted: false } pending ? pending : null;
        try
        {
            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                Action? onCommit;
                using (SqliteTransaction transaction = _connection.BeginTransaction())
                {
                    if (claim is not null)
                    {
                        WriteIdempotent(transaction, claim.Key, new IdempotentResponse(claim.Fingerprint, 0, null, []), claim.At);
                    }

                    onCommit = write(transaction);
                    long commitStarted = System.Diagnostics.Stopwatch.GetTimestamp();
                    transaction.Commit();
                    SqliteMetrics.RecordCommit(commitStarted);
                }

                claim?.MarkCommitted();
                onCommit?.Invoke();
                return Task.CompletedTask;
            }
        }
        catch (SqliteException ex) when (SqliteCommandBuilder.IsUnavailable(ex))
        {
            throw new StorageUnavailableException($"The database refused the write ({SqliteCommandBuilder.Describe(ex)}); nothing was changed.", ex);
        }
    }

    private long CollectionId(string collection)
    {
        lock (_gate)
        {
            return _collectionIds[collection];
        }
    }

    private void WriteIdempotent(SqliteTransaction transaction, string key, IdempotentResponse response, DateTimeOffset at)
    {
        using SqliteCommand command = _connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = SqliteCommandBuilder.UpsertIdempotent;
        command.Parameters.AddWithValue("$key", key);
        command.Parameters.AddWithValue("$fingerprint", response.Fingerprint);
        command.Parameters.AddWithValue("$status", response.Status);
        command.Parameters.AddWithValue("$contentType", (object?)response.ContentType ?? DBNull.Value);
        command.Parameters.AddWithValue("$body", response.Body);
        command.Parameters.AddWithValue("$createdAt", at.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));
        command.ExecuteNonQuery();
    }

    private static ModelVersionId ParseVersion(string migration, string text) =>
        ModelVersionId.TryParse(text, out ModelVersionId id) ? id : throw new InvalidDataException($"Migration {migration} names an invalid version '{text}'.");

    /// <inheritdoc />
    public Task DeleteVectorsAsync(
        string collection, ModelVersionId version, IReadOnlyList<string> itemIds, MigrationRecord migration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(itemIds);
        ArgumentNullException.ThrowIfNull(migration);
        return WriteAsync(
            transaction =>
            {
                using SqliteCommand delete = SqliteCommandBuilder.Prepare(_connection, transaction, SqliteCommandBuilder.DeleteItemVector, "$collection", "$itemId", "$version");
                delete.Parameters["$collection"].Value = _collectionIds[collection];
                delete.Parameters["$version"].Value = _versionIds[version];
                foreach (string itemId in itemIds)
                {
                    delete.Parameters["$itemId"].Value = itemId;
                    delete.ExecuteNonQuery();
                }

                WriteMigration(transaction, migration);
                return null;
            },
            cancellationToken);
    }

    private void WriteMigration(SqliteTransaction transaction, MigrationRecord migration)
    {
        using SqliteCommand command = _connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = SqliteCommandBuilder.UpsertMigration;
        command.Parameters.AddWithValue("$id", migration.Id);
        command.Parameters.AddWithValue("$collection", _collectionIds[migration.Collection]);
        command.Parameters.AddWithValue("$from", migration.From.ToString());
        command.Parameters.AddWithValue("$to", migration.To.ToString());
        command.Parameters.AddWithValue("$strategy", MigrationStrategyNames.ToWireName(migration.Strategy));
        command.Parameters.AddWithValue("$state", MigrationStateNames.ToWireName(migration.State));
        command.Parameters.AddWithValue("$linkId", (object?)migration.LinkId ?? DBNull.Value);
        command.Parameters.AddWithValue("$jobId", (object?)migration.JobId ?? DBNull.Value);
        command.Parameters.AddWithValue("$gates", JsonSerializer.Serialize(migration.Gates));
        command.Parameters.AddWithValue("$order", PendingOrderNames.ToWireName(migration.Order));
        command.Parameters.AddWithValue("$seed", migration.Seed);
        command.Parameters.AddWithValue("$refitEvery", migration.RefitEveryPercent);
        command.Parameters.AddWithValue("$history", JsonSerializer.Serialize(migration.History));
        command.Parameters.AddWithValue("$error", (object?)migration.Error ?? DBNull.Value);
        command.Parameters.AddWithValue("$createdAt", migration.CreatedAt.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));
        command.Parameters.AddWithValue("$updatedAt", migration.UpdatedAt.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));
        command.ExecuteNonQuery();
    }

    // Inserts a collection or updates its settings; returns its row id. Shared by collection saves and cut-overs.
    private long WriteCollection(SqliteTransaction transaction, CollectionRecord collection)
    {
        using SqliteCommand command = _connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = SqliteCommandBuilder.UpsertCollection;
        command.Parameters.AddWithValue("$name", collection.Name);
        command.Parameters.AddWithValue("$serving", collection.ServingVersion is { } serving ? _versionIds[serving] : DBNull.Value);
        command.Parameters.AddWithValue("$createdAt", collection.CreatedAt.ToString("O", CultureInfo.InvariantCulture));
        command.Parameters.AddWithValue("$defaultIndex", collection.DefaultIndex.ToString());
        command.Parameters.AddWithValue("$indexSettings", (object?)IndexSettingsJson.Write(collection.IndexSettings) ?? DBNull.Value);
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    private void WriteJob(SqliteTransaction transaction, JobRecord job)
    {
        using SqliteCommand command = _connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = SqliteCommandBuilder.UpsertJob;
        command.Parameters.AddWithValue("$id", job.Id);
        command.Parameters.AddWithValue("$kind", job.Kind);
        command.Parameters.AddWithValue("$collection", (object?)job.Collection ?? DBNull.Value);
        command.Parameters.AddWithValue("$state", JobStateNames.ToWireName(job.State));
        command.Parameters.AddWithValue("$parameters", job.Parameters);
        command.Parameters.AddWithValue("$cursor", (object?)job.Cursor ?? DBNull.Value);
        command.Parameters.AddWithValue("$done", job.Done);
        command.Parameters.AddWithValue("$total", job.Total);
        command.Parameters.AddWithValue("$counters", job.Counters is null ? DBNull.Value : JsonSerializer.Serialize(job.Counters));
        command.Parameters.AddWithValue("$error", (object?)job.Error ?? DBNull.Value);
        command.Parameters.AddWithValue("$createdAt", job.CreatedAt.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));
        command.Parameters.AddWithValue("$updatedAt", job.UpdatedAt.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));
        command.ExecuteNonQuery();
    }

    private StoredVector ReadVector(sqlite3_stmt statement, string itemId, Dictionary<long, float[]> buffers)
    {
        long versionId = raw.sqlite3_column_int64(statement, 3);
        ModelVersionId version = _versionsById[versionId];
        int dimension = _dimensionsById[versionId];
        ReadOnlySpan<byte> data = raw.sqlite3_column_blob(statement, 6);
        if (data.Length != dimension * sizeof(float))
        {
            throw new InvalidDataException($"Item '{itemId}': the stored {version} vector has {data.Length} bytes; {dimension} dimensions need {dimension * sizeof(float)}.");
        }

        if (!buffers.TryGetValue(versionId, out float[]? values))
        {
            values = new float[dimension];
            buffers[versionId] = values;
        }

        data.CopyTo(MemoryMarshal.AsBytes(values.AsSpan()));
        VectorOrigin origin = raw.sqlite3_column_blob(statement, 4).SequenceEqual("derived"u8) ? VectorOrigin.Derived : VectorOrigin.Native;
        string? linkId = raw.sqlite3_column_type(statement, 5) == raw.SQLITE_NULL ? null : raw.sqlite3_column_text(statement, 5).utf8_to_string();
        return new StoredVector(version, values, origin, linkId);
    }

    private void LoadIds()
    {
        using (SqliteCommand command = _connection.CreateCommand())
        {
            command.CommandText = SqliteCommandBuilder.SelectModelVersions;
            using SqliteDataReader reader = command.ExecuteReader();
            while (reader.Read())
            {
                var id = ModelVersionId.Create(reader.GetString(1), reader.GetString(2));
                _versionIds[id] = reader.GetInt64(0);
                _versionsById[reader.GetInt64(0)] = id;
                _dimensionsById[reader.GetInt64(0)] = reader.GetInt32(3);
            }
        }

        using (SqliteCommand command = _connection.CreateCommand())
        {
            command.CommandText = SqliteCommandBuilder.SelectCollections;
            using SqliteDataReader reader = command.ExecuteReader();
            while (reader.Read())
            {
                _collectionIds[reader.GetString(1)] = reader.GetInt64(0);
            }
        }
    }
}
