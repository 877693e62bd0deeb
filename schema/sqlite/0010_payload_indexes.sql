-- EmbeddingStore schema, migration 0010: payload index declarations (issue 11). Only the declaration is stored (field,
-- type, build state and the job that builds it); the index content is rebuilt from the items at start-up. Deleting a
-- collection deletes its declarations. The type is an unconstrained name the engine parses, so adding a type (text)
-- needs no migration.

CREATE TABLE payload_indexes (
    collection_id  INTEGER NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
    field          TEXT    NOT NULL,
    type           TEXT    NOT NULL,
    state          TEXT    NOT NULL,
    job_id         TEXT,
    created_at     TEXT    NOT NULL,
    PRIMARY KEY (collection_id, field)
);
