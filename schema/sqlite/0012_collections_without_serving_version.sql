-- EmbeddingStore schema, migration 0012: a collection may have no serving version (NULL serving_version_id).
-- rebuilds tables
-- A collection created before any model is chosen holds items waiting to be embedded (found by id, scroll, count and
-- filters, never by vector search) until a serving version is set. Migration 0001 declared serving_version_id NOT
-- NULL, and SQLite changes a NOT NULL only by rebuilding the table. items, aliases, migrations and payload_indexes
-- reference collections (id) with ON DELETE CASCADE, so the runner applies this script with foreign-key enforcement
-- off (the DROP cascades nothing) and checks every reference before it commits. Every column keeps the constraints and
-- defaults of 0001, 0004, 0006 and 0008; ids are copied as they are, so every reference resolves to the same row.

CREATE TABLE collections_new (
    id                  INTEGER PRIMARY KEY,
    name                TEXT    NOT NULL UNIQUE,
    serving_version_id  INTEGER REFERENCES model_versions (id),
    created_at          TEXT    NOT NULL,
    default_index       TEXT    NOT NULL DEFAULT 'exact' CHECK (default_index IN ('exact', 'int8')),
    default_index_kind  TEXT,
    index_settings      TEXT
);

INSERT INTO collections_new (id, name, serving_version_id, created_at, default_index, default_index_kind, index_settings)
    SELECT id, name, serving_version_id, created_at, default_index, default_index_kind, index_settings FROM collections;

DROP TABLE collections;

ALTER TABLE collections_new RENAME TO collections;
