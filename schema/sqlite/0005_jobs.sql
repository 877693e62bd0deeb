-- EmbeddingStore schema, migration 0005: durable background jobs (derive now; migrations and index builds later).
-- A job's row is written in the same transaction as each chunk of work it commits, so its cursor and counters always
-- describe exactly what is done, and a restart resumes from the cursor.

CREATE TABLE jobs (
    id          TEXT    PRIMARY KEY,
    kind        TEXT    NOT NULL,
    collection  TEXT,
    state       TEXT    NOT NULL CHECK (state IN ('queued', 'running', 'paused', 'completed', 'failed', 'cancelled')),
    parameters  TEXT    NOT NULL,
    cursor      TEXT,
    done        INTEGER NOT NULL,
    total       INTEGER NOT NULL,
    counters    TEXT,
    error       TEXT,
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL
);
