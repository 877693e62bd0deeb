-- EmbeddingStore schema, migration 0007: a collection's index build settings (graph degree m, efConstruction, build
-- threads), as one JSON object of the members the collection set: {"m": 32, "efConstruction": 400, "buildThreads": 2}.
-- NULL (every existing collection) means every default. JSON rather than a column per knob, so a new index kind's
-- setting needs no migration; the engine validates the values, SQLite only keeps them.

ALTER TABLE collections ADD COLUMN index_settings TEXT;
