-- EmbeddingStore schema, migration 0003: responses of writes sent with an Idempotency-Key header, so a client that
-- retries a write (after a timeout or a dropped connection) gets the first answer back instead of applying it twice.
-- fingerprint is the SHA-256 of method, path and body: the same key with a different request is refused.

CREATE TABLE idempotency_keys (
    key           TEXT    PRIMARY KEY,
    fingerprint   BLOB    NOT NULL,
    status        INTEGER NOT NULL,
    content_type  TEXT,
    body          BLOB    NOT NULL,
    created_at    TEXT    NOT NULL
);

CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);
