// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Globalization;
using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Filters;
using EmbeddingStore.Core.Hybrid;
using static EmbeddingStore.Core.Collections.VectorValidation;

namespace EmbeddingStore.Core;

// Hybrid search: a step after the vector search, not inside it. The vector half is the ordinary SearchAsync (planning,
// bridging and merging untouched); the keyword half is BM25 over the field's text index; ReciprocalRankFusion joins them.
public sealed partial class EmbeddingEngine
{
    /// <summary>The candidates each half contributes when the query does not say: enough for fusion to reorder a top-10.</summary>
    public const int DefaultHybridCandidates = 100;

    /// <summary>
    /// Fuses a vector search and a BM25 keyword search under one filter (see <see cref="HybridSearchQuery"/>). Both halves
    /// see every item the filter admits: the filter is applied inside each search, never to the fused list, so a selective
    /// filter cannot empty a hit list that was cut before filtering.
    /// </summary>
    /// <remarks>
    /// The two halves read the collection under two read locks, one after the other; a write landing between them can
    /// be seen by one half only, as with two separate searches. Items with no vector in a searched version can still be
    /// found by their keywords alone.
    /// </remarks>
    public async Task<StoreResult<HybridSearchResult>> HybridSearchAsync(string collection, HybridSearchQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (ValidateHybrid(query) is { } invalid)
        {
            return invalid;
        }

        int candidates = query.Candidates ?? Math.Min(Limits.MaxK, Math.Max(query.K, DefaultHybridCandidates));
        string[] tokens = TextTokenizer.DistinctTokens(query.Text);
        StoreResult<SearchResult> vector = await SearchAsync(collection, query.Vector with { K = candidates }, cancellationToken).ConfigureAwait(false);
        if (!vector.IsSuccess)
        {
            return vector.Error;
        }

        if (!TryGetCollection(collection, out Collection? state, out StoreError? error))
        {
            return error;
        }

        using Collection.ReadScope scope = state.EnterRead();
        List<KeywordHit> keyword = KeywordSearch(state, query.Field, tokens, query.Vector.Filter, candidates);
        IReadOnlyList<SearchHit> vectorHits = vector.Value!.Hits;
        IReadOnlyList<FusedRank> fused = ReciprocalRankFusion.Fuse(
            [.. vectorHits.Select(h => h.Id)], query.VectorWeight, [.. keyword.Select(h => h.Item.Id)], query.KeywordWeight, query.RankConstant, query.K);
        var hits = new List<HybridSearchHit>(fused.Count);
        foreach (FusedRank rank in fused)
        {
            SearchHit? byVector = rank.FirstRank is { } v ? vectorHits[v - 1] : null;
            KeywordHit? byKeyword = rank.SecondRank is { } w ? keyword[w - 1] : null;

            // A keyword-only hit's payload is read now; a deleted item (gone since the vector half) keeps the vector half's.
            System.Text.Json.JsonElement? payload = !query.Vector.WithPayload ? null
                : byKeyword is { } found ? found.Item.Payload
                : byVector?.Payload;
            hits.Add(new HybridSearchHit(rank.Id, rank.Score, rank.FirstRank, byVector?.Score, byVector?.Version, rank.SecondRank, byKeyword?.Score, payload));
        }

        return new HybridSearchResult(hits, vector.Value.Coverage);
    }

    // BM25 over the field's ready text index, or over a transient one built from the payloads when there is none (or it
    // is still building): the same statistics, so the same answer, at the cost of one pass over the items.
    private static List<KeywordHit> KeywordSearch(Collection state, string field, string[] tokens, PayloadFilter? filter, int k)
    {
        PayloadFieldIndex? index = state.FindReadyPayloadIndex(field);
        if (index is not { Type: PayloadIndexType.Text })
        {
            index = new PayloadFieldIndex(field, PayloadIndexType.Text, PayloadIndexState.Ready, jobId: null, DateTimeOffset.UnixEpoch);
            foreach (ItemEntry item in state.Items)
            {
                index.Set(item);
            }
        }

        FilterPlan? narrowed = PayloadIndexPlanner.Plan(filter, state);
        Func<ItemEntry, bool> accept = filter is null || filter.IsEmpty ? static _ => true
            : narrowed is not null ? narrowed.Matches
            : item => filter.Matches(item.Payload);
        return Bm25.Rank(index, tokens, accept, k);
    }

    private StoreError? ValidateHybrid(HybridSearchQuery query)
    {
        if (string.IsNullOrEmpty(query.Field))
        {
            return Invalid("keywords.field must be a non-empty payload field name.");
        }

        if (Array.Exists(query.Field.Split('.'), p => p.Length == 0))
        {
            return Invalid($"keywords.field '{query.Field}' has an empty segment; nested fields are written a.b.");
        }

        if (query.Text is null || TextTokenizer.Tokenize(query.Text).Count == 0)
        {
            return Invalid("keywords.query has no words (runs of letters or digits); a keyword search needs at least one.");
        }

        if (query.K < 1 || query.K > Limits.MaxK)
        {
            return Invalid($"k must be between 1 and {Limits.MaxK}; it was {query.K}.");
        }

        if (query.Candidates is { } candidates && (candidates < query.K || candidates > Limits.MaxK))
        {
            return Invalid($"fusion.candidates must be between k ({query.K}) and {Limits.MaxK}; it was {candidates}.");
        }

        if (!double.IsFinite(query.VectorWeight) || query.VectorWeight < 0)
        {
            return Invalid($"fusion.vectorWeight must be a finite number of at least 0; it was {query.VectorWeight.ToString(CultureInfo.InvariantCulture)}.");
        }

        if (!double.IsFinite(query.KeywordWeight) || query.KeywordWeight < 0)
        {
            return Invalid($"fusion.keywordWeight must be a finite number of at least 0; it was {query.KeywordWeight.ToString(CultureInfo.InvariantCulture)}.");
        }

        if (query.VectorWeight == 0 && query.KeywordWeight == 0)
        {
            return Invalid("fusion.vectorWeight and fusion.keywordWeight are both 0; at least one list must count.");
        }

        return query.RankConstant < 1 ? Invalid($"fusion.rankConstant must be at least 1; it was {query.RankConstant}.") : null;
    }
}
