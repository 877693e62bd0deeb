// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Collections;

namespace EmbeddingStore.Core.Hybrid;

/// <summary>
/// A hybrid search: the vector search <see cref="Vector"/> and a BM25 keyword search of <see cref="Text"/> in the text
/// field <see cref="Field"/>, each cut to <see cref="Candidates"/> hits under the same filter, fused by reciprocal-rank
/// fusion (Cormack, Clarke and Büttcher, SIGIR 2009). Ranks rather than scores are fused because a cosine and a BM25
/// score have no common scale, and ranks need no calibration per query.
/// </summary>
/// <param name="Vector">
/// The vector half, exactly as <see cref="EmbeddingEngine.SearchAsync"/> takes it (versions, bridging, filter); its
/// <see cref="SearchQuery.K"/> is ignored in favour of <see cref="Candidates"/>, and its filter applies to both halves.
/// </param>
/// <param name="Field">The payload field searched by keywords; a ready <c>text</c> index on it serves the search, otherwise the payloads are tokenised (same answer, slower).</param>
/// <param name="Text">The keywords, split by <see cref="Filters.TextTokenizer"/>; an item matching any of them is a keyword candidate.</param>
/// <param name="K">Fused hits to return.</param>
/// <param name="VectorWeight">The vector list's weight in the fused score (0 ignores it, keeping its hits only when the keyword list holds them).</param>
/// <param name="KeywordWeight">The keyword list's weight.</param>
/// <param name="RankConstant">RRF's k: larger values flatten the advantage of the top ranks (60, as Cormack et al. chose).</param>
/// <param name="Candidates">Hits taken from each list before fusion; null for <c>max(K, 100)</c>, within the engine's k limit.</param>
public sealed record HybridSearchQuery(
    SearchQuery Vector,
    string Field,
    string Text,
    int K,
    double VectorWeight = 1,
    double KeywordWeight = 1,
    int RankConstant = ReciprocalRankFusion.DefaultRankConstant,
    int? Candidates = null);
