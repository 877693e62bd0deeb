// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Indexes;

namespace EmbeddingStore.Core.Collections;

/// <summary>Hits best first; a record so later options (bridging, timings per segment) extend it without breaking callers.</summary>
/// <param name="Hits">At most k hits, best first, ties broken by ordinal id.</param>
/// <param name="Index">The scan that served the search (the request's, or the collection's default), so callers can tell.</param>
/// <param name="Coverage">The items the search could see out of those held, per version; null when nothing was searched.</param>
/// <param name="Plan">
/// What ran, which a planner may choose differently from <paramref name="Index"/> (a graph index scans a selective filter's
/// few matching rows exactly): the most approximate plan of any searched segment, <see cref="SearchPlan.Exact"/> when none.
/// </param>
public sealed record SearchResult(IReadOnlyList<SearchHit> Hits, IndexKind Index, SearchCoverage? Coverage = null, SearchPlan Plan = SearchPlan.Exact);
