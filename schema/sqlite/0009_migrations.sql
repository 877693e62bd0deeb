-- EmbeddingStore schema, migration 0009: model-upgrade migrations (issue 12). A migration's record holds what only it
-- knows (strategy, gates, pending order, link history, and the planned / cut-over / rolled-back states); a transform's
-- chunked work is an ordinary job (job_id) whose cursor is committed with each chunk. A cut-over writes this row and the
-- collection's serving version in one transaction. Deleting a collection deletes its migrations.

CREATE TABLE migrations (
    id             TEXT    PRIMARY KEY,
    collection_id  INTEGER NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
    from_version   TEXT    NOT NULL,
    to_version     TEXT    NOT NULL,
    strategy       TEXT    NOT NULL,
    state          TEXT    NOT NULL,
    link_id        TEXT,
    job_id         TEXT,
    gates          TEXT    NOT NULL,
    pending_order  TEXT    NOT NULL,
    seed           INTEGER NOT NULL,
    history        TEXT    NOT NULL,
    error          TEXT,
    created_at     TEXT    NOT NULL,
    updated_at     TEXT    NOT NULL
);

CREATE INDEX migrations_by_collection ON migrations (collection_id);
