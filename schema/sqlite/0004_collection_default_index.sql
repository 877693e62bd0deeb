-- EmbeddingStore schema, migration 0004: a collection's default index, what searches that name none use
-- ('exact', or 'int8' for 8-bit code scans with exact re-scoring).

ALTER TABLE collections ADD COLUMN default_index TEXT NOT NULL DEFAULT 'exact' CHECK (default_index IN ('exact', 'int8'));
