-- EmbeddingStore schema, migration 0011: model_versions accepts the l1 (Manhattan) metric.
-- rebuilds tables
-- Migration 0001 constrained metric to the three names of its day, and SQLite changes a CHECK only by rebuilding the
-- table. collections, vectors and links reference model_versions (id), so the runner applies this script with
-- foreign-key enforcement off and checks every reference before it commits (the order of SQLite's ALTER TABLE
-- documentation: create the new table, copy, drop the old, rename the new into its place). Ids are copied as they are,
-- so every reference resolves to the same row as before.

CREATE TABLE model_versions_new (
    id          INTEGER PRIMARY KEY,
    model       TEXT    NOT NULL,
    version     TEXT    NOT NULL,
    dimension   INTEGER NOT NULL CHECK (dimension > 0),
    metric      TEXT    NOT NULL CHECK (metric IN ('cosine', 'dot', 'l2', 'l1')),
    normalized  INTEGER NOT NULL CHECK (normalized IN (0, 1)),
    created_at  TEXT    NOT NULL,
    UNIQUE (model, version)
);

INSERT INTO model_versions_new (id, model, version, dimension, metric, normalized, created_at)
    SELECT id, model, version, dimension, metric, normalized, created_at FROM model_versions;

DROP TABLE model_versions;

ALTER TABLE model_versions_new RENAME TO model_versions;
