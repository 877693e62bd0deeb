// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Vectors;
using EmbeddingStore.Core.Versioning;

namespace EmbeddingStore.Core.Search;

/// <summary>
/// One stored version a search will scan, with the query vector to scan it with. Plain values only (no reference to a
/// segment), so a coordinator can send the same plan to every shard that holds part of the collection.
/// </summary>
/// <param name="Version">The stored version to scan.</param>
/// <param name="Query">The query in that version's space: the caller's own vector, or one mapped along links (prepared: normalised for cosine).</param>
/// <param name="Via">The link ids that mapped the query, joined by ','; null for a native query.</param>
/// <param name="IsPrimaryNative">Whether this is the query's primary version searched with its own vector: the merge's reference scale.</param>
/// <param name="Space">
/// The vector space the version's scores live in: versions joined by declared identity links share one (named by the
/// ordinally least version id), every other version is its own. Plans of one space are merged by score, because their
/// scores are directly comparable; only plans of different spaces need the rank-share merge.
/// </param>
/// <param name="Metric">The version's metric, which bounds the public score (cosine never leaves [-1, 1]).</param>
public sealed record VersionPlan(ModelVersionId Version, float[] Query, string? Via, bool IsPrimaryNative, string Space, DistanceMetric Metric);
