-- EmbeddingStore schema, migration 0007: collection aliases (issue 12). An alias names one collection and is usable
-- wherever a collection name is; switching it is one row update, so every request sees the old or the new collection.
-- Deleting a collection deletes the aliases that name it (as in Qdrant), in the same transaction.

CREATE TABLE aliases (
    alias          TEXT    PRIMARY KEY,
    collection_id  INTEGER NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
    updated_at     TEXT    NOT NULL
);

CREATE INDEX aliases_by_collection ON aliases (collection_id);
