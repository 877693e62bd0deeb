-- EmbeddingStore schema, migration 0001: model versions, collections, items and their versioned vectors.
-- Applied once at start-up inside a transaction and recorded in schema_migrations; never edit a released script,
-- add the next number instead.

CREATE TABLE model_versions (
    id          INTEGER PRIMARY KEY,
    model       TEXT    NOT NULL,
    version     TEXT    NOT NULL,
    dimension   INTEGER NOT NULL CHECK (dimension > 0),
    metric      TEXT    NOT NULL CHECK (metric IN ('cosine', 'dot', 'l2')),
    normalized  INTEGER NOT NULL CHECK (normalized IN (0, 1)),
    created_at  TEXT    NOT NULL,
    UNIQUE (model, version)
);

CREATE TABLE collections (
    id                  INTEGER PRIMARY KEY,
    name                TEXT    NOT NULL UNIQUE,
    serving_version_id  INTEGER NOT NULL REFERENCES model_versions (id),
    created_at          TEXT    NOT NULL
);

-- One row per item; payload is the JSON object as text (NULL for none).
CREATE TABLE items (
    id             INTEGER PRIMARY KEY,
    collection_id  INTEGER NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
    item_id        TEXT    NOT NULL,
    payload        TEXT,
    UNIQUE (collection_id, item_id)
);

-- One row per (item, model version). data is the vector as little-endian float32 (4 * dimension bytes), already
-- normalised for cosine versions. origin/link_id are the vector's lineage: produced by the model, or derived by a link.
CREATE TABLE vectors (
    item_rowid  INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    version_id  INTEGER NOT NULL REFERENCES model_versions (id),
    origin      TEXT    NOT NULL DEFAULT 'native' CHECK (origin IN ('native', 'derived')),
    link_id     TEXT,
    data        BLOB    NOT NULL,
    PRIMARY KEY (item_rowid, version_id)
);

CREATE INDEX vectors_by_version ON vectors (version_id);
