// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using Microsoft.Data.Sqlite;

namespace EmbeddingStore.Storage.Sqlite.Internal;

// Every SQL statement the repository runs, in one place. Values are always parameters; no identifier is ever built
// from input (table and column names are constants here).
internal static class SqliteCommandBuilder
{
    public const string SelectModelVersions =
        "SELECT id, model, version, dimension, metric, normalized, created_at FROM model_versions ORDER BY id;";

    public const string SelectCollections =
        "SELECT id, name, serving_version_id, created_at, COALESCE(default_index_kind, default_index), index_settings FROM collections ORDER BY id;";

    // The unary + keeps SQLite off the (collection_id, item_id) index: through it the rows come in id order and the ORDER
    // BY needs a temporary B-tree holding every vector (measured 0.78 s against 0.29 s per 100,000 x 384 rows, issue 13).
    // A scan of items in rowid order is already in ORDER BY order, and each item's vectors come from the primary key of
    // vectors in version order, so the rows stream straight from the pages.
    public const string SelectItemsWithVectors =
        """
        SELECT i.id, i.item_id, i.payload, v.version_id, v.origin, v.link_id, v.data
        FROM items AS i LEFT JOIN vectors AS v ON v.item_rowid = i.id
        WHERE +i.collection_id = $collection
        ORDER BY i.id, v.version_id;
        """;

    // Reads only the vectors' primary-key index (item_rowid, version_id), never a vector's pages.
    public const string CountVectorsByVersion =
        """
        SELECT v.version_id, COUNT(*)
        FROM items AS i JOIN vectors AS v ON v.item_rowid = i.id
        WHERE i.collection_id = $collection
        GROUP BY v.version_id;
        """;

    public const string UpsertModelVersion =
        """
        INSERT INTO model_versions (model, version, dimension, metric, normalized, created_at)
        VALUES ($model, $version, $dimension, $metric, $normalized, $createdAt)
        ON CONFLICT (model, version) DO UPDATE SET
            dimension = excluded.dimension, metric = excluded.metric, normalized = excluded.normalized
        RETURNING id;
        """;

    public const string UpsertCollection =
        """
        INSERT INTO collections (name, serving_version_id, created_at, default_index, default_index_kind, index_settings)
        VALUES ($name, $serving, $createdAt, CASE WHEN $defaultIndex IN ('exact', 'int8') THEN $defaultIndex ELSE 'exact' END, $defaultIndex, $indexSettings)
        ON CONFLICT (name) DO UPDATE SET serving_version_id = excluded.serving_version_id, default_index = excluded.default_index,
            default_index_kind = excluded.default_index_kind, index_settings = excluded.index_settings
        RETURNING id;
        """;

    public const string DeleteCollection = "DELETE FROM collections WHERE id = $collection;";

    public const string UpsertItem =
        """
        INSERT INTO items (collection_id, item_id, payload) VALUES ($collection, $itemId, $payload)
        ON CONFLICT (collection_id, item_id) DO UPDATE SET payload = excluded.payload
        RETURNING id;
        """;

    // The upsert's first try: changes one row only when the item did not exist, so a new item, the common case of a bulk
    // load, needs no delete of old vectors (issue 13: one statement fewer per item). It has no RETURNING clause: the new
    // row is sqlite3_last_insert_rowid, and a RETURNING statement read through a data reader made the whole bulk insert
    // 1.4-1.7x slower (docs/bench/issue-13.md, step 7).
    public const string InsertNewItem =
        """
        INSERT INTO items (collection_id, item_id, payload) VALUES ($collection, $itemId, $payload)
        ON CONFLICT (collection_id, item_id) DO NOTHING;
        """;

    public const string DeleteItemVectors = "DELETE FROM vectors WHERE item_rowid = $row;";

    public const string InsertVector =
        "INSERT INTO vectors (item_rowid, version_id, origin, link_id, data) VALUES ($row, $version, $origin, $linkId, $data);";

    public const string SelectItemRow = "SELECT id FROM items WHERE collection_id = $collection AND item_id = $itemId;";

    public const string ReplaceVector =
        "INSERT OR REPLACE INTO vectors (item_rowid, version_id, origin, link_id, data) VALUES ($row, $version, $origin, $linkId, $data);";

    public const string DeleteItemVector =
        "DELETE FROM vectors WHERE item_rowid = (SELECT id FROM items WHERE collection_id = $collection AND item_id = $itemId) AND version_id = $version;";

    public const string DeleteItem = "DELETE FROM items WHERE collection_id = $collection AND item_id = $itemId;";

    public const string SelectLinks =
        "SELECT id, from_version_id, to_version_id, kind, bridge, reverse_bridge, quality, fit, created_at FROM links ORDER BY created_at, id;";

    public const string InsertLink =
        """
        INSERT INTO links (id, from_version_id, to_version_id, kind, bridge, reverse_bridge, quality, fit, created_at)
        VALUES ($id, $from, $to, $kind, $bridge, $reverse, $quality, $fit, $createdAt);
        """;

    public const string DeleteLink = "DELETE FROM links WHERE id = $id;";

    public const string SelectAliases =
        "SELECT a.alias, c.name, a.updated_at FROM aliases a JOIN collections c ON c.id = a.collection_id ORDER BY a.alias;";

    public const string UpsertAlias =
        """
        INSERT INTO aliases (alias, collection_id, updated_at) VALUES ($alias, $collection, $updatedAt)
        ON CONFLICT (alias) DO UPDATE SET collection_id = excluded.collection_id, updated_at = excluded.updated_at;
        """;

    public const string DeleteAlias = "DELETE FROM aliases WHERE alias = $alias;";

    public const string SelectIdempotent = "SELECT fingerprint, status, content_type, body FROM idempotency_keys WHERE key = $key AND created_at >= $since;";

    public const string UpsertIdempotent =
        """
        INSERT INTO idempotency_keys (key, fingerprint, status, content_type, body, created_at)
        VALUES ($key, $fingerprint, $status, $contentType, $body, $createdAt)
        ON CONFLICT (key) DO UPDATE SET fingerprint = excluded.fingerprint, status = excluded.status,
            content_type = excluded.content_type, body = excluded.body, created_at = excluded.created_at;
        """;

    public const string PurgeIdempotent = "DELETE FROM idempotency_keys WHERE created_at < $since;";

    public const string SelectMigrations =
        """
        SELECT m.id, c.name, m.from_version, m.to_version, m.strategy, m.state, m.link_id, m.job_id, m.gates, m.pending_order, m.seed,
            m.history, m.error, m.created_at, m.updated_at, m.refit_every
        FROM migrations m JOIN collections c ON c.id = m.collection_id ORDER BY m.created_at, m.id;
        """;

    public const string UpsertMigration =
        """
        INSERT INTO migrations (id, collection_id, from_version, to_version, strategy, state, link_id, job_id, gates, pending_order, seed,
            history, error, created_at, updated_at, refit_every)
        VALUES ($id, $collection, $from, $to, $strategy, $state, $linkId, $jobId, $gates, $order, $seed, $history, $error, $createdAt, $updatedAt,
            $refitEvery)
        ON CONFLICT (id) DO UPDATE SET state = excluded.state, link_id = excluded.link_id, job_id = excluded.job_id, history = excluded.history,
            error = excluded.error, updated_at = excluded.updated_at;
        """;

    public const string SelectJobs =
        "SELECT id, kind, collection, state, parameters, cursor, done, total, counters, error, created_at, updated_at FROM jobs ORDER BY created_at, id;";

    public const string UpsertJob =
        """
        INSERT INTO jobs (id, kind, collection, state, parameters, cursor, done, total, counters, error, created_at, updated_at)
        VALUES ($id, $kind, $collection, $state, $parameters, $cursor, $done, $total, $counters, $error, $createdAt, $updatedAt)
        ON CONFLICT (id) DO UPDATE SET state = excluded.state, cursor = excluded.cursor, done = excluded.done, total = excluded.total,
            counters = excluded.counters, error = excluded.error, updated_at = excluded.updated_at;
        """;

    public const string SelectPayloadIndexes =
        "SELECT c.name, p.field, p.type, p.state, p.job_id, p.created_at FROM payload_indexes p JOIN collections c ON c.id = p.collection_id ORDER BY c.name, p.field;";

    public const string UpsertPayloadIndex =
        """
        INSERT INTO payload_indexes (collection_id, field, type, state, job_id, created_at) VALUES ($collection, $field, $type, $state, $jobId, $createdAt)
        ON CONFLICT (collection_id, field) DO UPDATE SET type = excluded.type, state = excluded.state, job_id = excluded.job_id,
            created_at = excluded.created_at;
        """;

    public const string DeletePayloadIndex = "DELETE FROM payload_indexes WHERE collection_id = $collection AND field = $field;";

    // SQLite result codes that mean "the store cannot take writes now", as opposed to a bug in a statement.
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;
    private const int SqliteNoMem = 7;
    private const int SqliteReadOnly = 8;
    private const int SqliteIoErr = 10;
    private const int SqliteFull = 13;
    private const int SqliteCantOpen = 14;

    public static SqliteCommand Prepare(SqliteConnection connection, SqliteTransaction transaction, string sql, params string[] parameters)
    {
        SqliteCommand command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (string name in parameters)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        return command;
    }

    public static void Execute(SqliteConnection connection, string sql)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public static string ScalarText(SqliteConnection connection, string sql)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToString(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty;
    }

    public static bool IsUnavailable(SqliteException ex) =>
        (ex.SqliteErrorCode & 0xFF) is SqliteBusy or SqliteLocked or SqliteNoMem or SqliteReadOnly or SqliteIoErr or SqliteFull or SqliteCantOpen;

    public static string Describe(SqliteException ex) => (ex.SqliteErrorCode & 0xFF) switch
    {
        SqliteFull => "the disk is full",
        SqliteReadOnly => "the database file is read-only",
        SqliteBusy or SqliteLocked => "the database is locked by another process",
        SqliteIoErr => "an I/O error occurred",
        SqliteNoMem => "SQLite ran out of memory",
        SqliteCantOpen => "the database file cannot be opened",
        _ => "SQLite error " + ex.SqliteErrorCode,
    };
}
