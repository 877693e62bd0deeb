// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Text.Json.Serialization;

namespace EmbeddingStore.Contracts;

/// <summary>
/// Creates a collection or changes its serving version. PUT semantics: repeating the same request is harmless,
/// and changing <c>servingVersion</c> is how a collection is cut over to a new model version.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CollectionRequest
{
    /// <summary>
    /// The version plain queries search by default, <c>model@version</c>; it must be registered. Omitted keeps the
    /// current one, and creates a collection with none: its items wait there to be embedded (found by id, scroll, count
    /// and filters), and a vector search must name its version until a serving version is set.
    /// </summary>
    public string? ServingVersion { get; init; }

    /// <summary>
    /// What searches that name no index use: <c>exact</c> or <c>int8</c> (8-bit code scan, best candidates re-scored
    /// exactly; about 2.5× faster at recall@10 ≈ 1 on 384-d text embeddings). Omitted keeps the current setting.
    /// </summary>
    public string? DefaultIndex { get; init; }

    /// <summary>How the collection's indexes are built; omitted keeps the current settings (defaults for a new collection). A change rebuilds each kind on its next search.</summary>
    public IndexSettingsBody? IndexSettings { get; init; }
}

/// <summary>
/// A collection's index build settings. Each member left out (or null) is the index kind's default; the server refuses
/// values outside a kind's range with 400 before anything is stored.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record IndexSettingsBody
{
    /// <summary><c>hnsw</c>: links per node (twice as many on the bottom layer). More buys recall on hard data with memory (8·m bytes a vector) and build time.</summary>
    public int? M { get; init; }

    /// <summary><c>hnsw</c>: candidates each insert searches to choose its links (at least m). More buys a better graph with build time only.</summary>
    public int? EfConstruction { get; init; }

    /// <summary><c>hnsw</c>: threads a full build may use (capped at the server's processors). One builds the same graph every time; more build faster, but the graph may differ between builds.</summary>
    public int? BuildThreads { get; init; }

    /// <summary><c>hnsw</c>: fill each link list to its limit with the nearest rows the heuristic passed over, as pgvector's graph does (default false, hnswlib's choice). Reaches a given recall at a smaller ef; at equal recall it measured about as fast as the default, with about three times the build time.</summary>
    public bool? KeepPrunedConnections { get; init; }
}

/// <summary>One index of one version's vectors in a collection: what serves searches of that kind, and what it costs.</summary>
/// <param name="Version">The version whose vectors it indexes, <c>model@version</c>.</param>
/// <param name="Index">The index kind.</param>
/// <param name="State"><c>ready</c> (serving, kept current by every write), <c>stale</c> (built again by the next search or write of its kind, e.g. after a settings change) or <c>building</c> (a background <c>index-build</c> job is linking it; searches scan exactly meanwhile).</param>
/// <param name="VectorsIndexed">Live vectors it holds (0 while stale).</param>
/// <param name="MemoryBytes">Bytes it holds beyond the vectors themselves.</param>
/// <param name="Settings">The settings it was built with, every member resolved; null for kinds without settings (exact, int8).</param>
public sealed record SegmentIndexResponse(string Version, string Index, string State, long VectorsIndexed, long MemoryBytes, IndexSettingsBody? Settings);

/// <summary>A collection and its size per model version.</summary>
/// <param name="Name">The collection's name.</param>
/// <param name="ServingVersion">Default query version, <c>model@version</c>; null when none is set yet, so searches that name no version are refused.</param>
/// <param name="ItemCount">Items in the collection.</param>
/// <param name="VectorCounts">Stored vectors per version; during a re-embedding this shows how far it has come.</param>
/// <param name="CreatedAt">When the collection was created.</param>
/// <param name="IndexSettings">The index build settings the collection keeps (null members: the kind's default).</param>
/// <param name="Indexes">Every index of every version holding vectors, in version order: state, vectors indexed, memory, settings.</param>
/// <param name="DefaultIndex"><c>exact</c>, <c>int8</c> or <c>hnsw</c>: what searches that name no index use.</param>
public sealed record CollectionResponse(
    string Name,
    string? ServingVersion,
    long ItemCount,
    IReadOnlyDictionary<string, long> VectorCounts,
    DateTimeOffset CreatedAt,
    IndexSettingsBody IndexSettings,
    IReadOnlyList<SegmentIndexResponse> Indexes,
    string DefaultIndex = "exact");

/// <summary>All collections.</summary>
/// <param name="Collections">Collections ordered by name.</param>
public sealed record CollectionListResponse(IReadOnlyList<CollectionResponse> Collections);
