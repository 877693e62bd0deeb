-- EmbeddingStore schema, migration 0002: harmonic links between model versions.
-- A link maps vectors of from_version into the space of to_version: the identity (declared harmonic) or a fitted bridge
-- whose parameters are stored in `bridge` (versioned binary format, see VectorBridge.Serialize), the map for the other
-- direction in `reverse_bridge` (the exact inverse of an orthogonal map, or a second fit), together with the
-- quality report measured on held-out pairs (`quality`, JSON) and how it was fitted (`fit`, JSON).

CREATE TABLE links (
    id               TEXT    PRIMARY KEY,
    from_version_id  INTEGER NOT NULL REFERENCES model_versions (id),
    to_version_id    INTEGER NOT NULL REFERENCES model_versions (id),
    kind             TEXT    NOT NULL,
    bridge           BLOB    NOT NULL,
    reverse_bridge   BLOB,
    quality          TEXT,
    fit              TEXT,
    created_at       TEXT    NOT NULL,
    CHECK (from_version_id <> to_version_id)
);

CREATE INDEX links_by_versions ON links (from_version_id, to_version_id);
