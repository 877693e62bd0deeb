// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Core.Indexes;

/// <summary>
/// A collection's build-time index settings, kept with the collection and applied to every segment's index when it is
/// built. Per collection because the right trade differs by data (a larger graph degree buys recall on hard, high-
/// dimensional sets with memory and build time); in one value so a new kind's knob is a member here, not a new parameter
/// threaded through storage, the engine and the API. Each kind reads the members it understands and validates them
/// (<see cref="IVectorIndexFactory.Validate(IndexSettings, Collections.EngineLimits)"/>); null means the kind's default.
/// </summary>
/// <param name="M">
/// Graph kinds: links per node on the upper layers (twice as many on the bottom one). More buys recall on hard data with
/// memory (8·M bytes per vector on the bottom layer) and build time. Null means 16.
/// </param>
/// <param name="EfConstruction">
/// Graph kinds: the candidate list each insert searches to choose its links. More buys a better graph with build time
/// only (searches do not pay for it). Null means 200.
/// </param>
/// <param name="BuildThreads">
/// Graph kinds: threads a full build may use (capped at the machine's processors when it runs). One (the default) builds
/// the same graph every time; more build faster but the graph, and so approximate answers, vary between builds.
/// </param>
/// <param name="KeepPrunedConnections">
/// Graph kinds: fill every link list to its limit with the nearest candidates the heuristic passed over (Malkov and
/// Yashunin's keepPrunedConnections, the policy pgvector's graph follows), instead of keeping only the heuristic's
/// choice (hnswlib's). A fuller bottom layer reaches a given recall at a smaller ef, so a collection compared with
/// pgvector at equal ef answers alike; measured at equal recall its q/s was about the default's, in process and over
/// HTTP, and its build took about three times as long. Null means false.
/// </param>
public sealed record IndexSettings(int? M = null, int? EfConstruction = null, int? BuildThreads = null, bool? KeepPrunedConnections = null)
{
    /// <summary>Every member at its kind's default.</summary>
    public static IndexSettings Default { get; } = new();

    /// <summary>
    /// What the hnsw kind resolves <see cref="Default"/> to (m 16, efConstruction 200, one build thread, pruned links not
    /// kept), public so the API document states the defaults the server really applies.
    /// </summary>
    public static IndexSettings HnswDefaults { get; } = new(
        Hnsw.HnswParameters.Default.M, Hnsw.HnswParameters.Default.EfConstruction, Hnsw.HnswParameters.Default.BuildThreads, Hnsw.HnswParameters.Default.KeepPrunedConnections);
}

/// <summary>Where one segment's index stands, as collection info shows it.</summary>
public enum IndexState
{
    /// <summary>Built and kept current by every write: searches use it.</summary>
    Ready,

    /// <summary>Must be rebuilt before it serves again (after a change of settings, or a refused index file); the next search or write of this kind starts the build.</summary>
    Stale,

    /// <summary>A background build job is linking its rows (its progress is in the job routes); searches scan exactly meanwhile and never wait for it.</summary>
    Building,
}

/// <summary>The wire names of <see cref="IndexState"/>, in one table so the API, the CLI and the OpenAPI document agree.</summary>
public static class IndexStateNames
{
    /// <summary>Every name, in enum order.</summary>
    public static IReadOnlyList<string> All { get; } = ["ready", "stale", "building"];

    /// <summary>The name a state is sent as.</summary>
    public static string ToWireName(IndexState state) => All[(int)state];
}

/// <summary>One index of one segment (a model version's vectors in a collection), for collection info.</summary>
/// <param name="Version">The segment's version, <c>model@version</c>.</param>
/// <param name="Index">The index kind.</param>
/// <param name="State">Whether it serves now or must be rebuilt first.</param>
/// <param name="VectorsIndexed">Live vectors the index holds (0 while stale).</param>
/// <param name="MemoryBytes">Bytes the index holds beyond the segment's own floats.</param>
/// <param name="Settings">The build settings it was made with, each member resolved to its value; null for kinds that have none.</param>
public sealed record SegmentIndexInfo(string Version, IndexKind Index, IndexState State, long VectorsIndexed, long MemoryBytes, IndexSettings? Settings);
