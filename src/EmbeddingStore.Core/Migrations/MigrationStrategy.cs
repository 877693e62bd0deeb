// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Core.Migrations;

/// <summary>How a migration moves a collection to its new version; the wire names are in <see cref="MigrationStrategyNames"/>.</summary>
public enum MigrationStrategy
{
    /// <summary>
    /// Serve the new version's queries through a fitted link at once; nothing is rewritten. The cheapest way to let
    /// new-model clients in, at the link's measured quality.
    /// </summary>
    Bridge,

    /// <summary>
    /// Write a derived new-version vector for every item through the link (lineage <c>derived:&lt;link&gt;</c>), in
    /// bounded chunks that resume from a stored cursor: the corpus-side direction, which answers better than mapping
    /// each query.
    /// </summary>
    Transform,

    /// <summary>
    /// Track which items still lack a native new-version vector and hand them to clients to re-embed; mixed-version
    /// search serves meanwhile, and native vectors replace derived ones as they arrive.
    /// </summary>
    Reembed,
}
