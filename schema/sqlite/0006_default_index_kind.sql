-- EmbeddingStore schema, migration 0006: a collection's default index by the name of any registered index kind.
-- Migration 0004's column is constrained to the two kinds of its day, and SQLite cannot drop a CHECK without rebuilding
-- the table (which its foreign keys make unsafe inside a migration), so the name moves to an unconstrained column. The
-- old column stays (NOT NULL, 'exact' for kinds it does not know) so that nothing reading it breaks.

ALTER TABLE collections ADD COLUMN default_index_kind TEXT;
UPDATE collections SET default_index_kind = default_index;
