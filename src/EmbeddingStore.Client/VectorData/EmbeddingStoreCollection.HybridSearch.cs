// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Runtime.CompilerServices;
using EmbeddingStore.Client.Internal;
using EmbeddingStore.Contracts;
using Microsoft.Extensions.VectorData;
using Microsoft.Extensions.VectorData.ProviderServices;

namespace EmbeddingStore.Client.VectorData;

public partial class EmbeddingStoreCollection<TKey, TRecord>
{
    /// <summary>
    /// A vector search and a BM25 keyword search of one full-text-indexed property, fused on the server by reciprocal
    /// rank (k = 60, equal weights). The keywords are joined and tokenised there (Unicode letter/digit runs, lower-cased),
    /// and an item holding any of them is a keyword candidate, so more matched keywords rank higher.
    /// </summary>
    /// <typeparam name="TInput">The query, as in <see cref="SearchAsync{TInput}"/> (a vector, or a generator's input).</typeparam>
    /// <param name="searchValue">The query.</param>
    /// <param name="keywords">The keywords; at least one must hold a letter or digit.</param>
    /// <param name="top">Results to return; <paramref name="top"/> plus <c>Skip</c> may not exceed the server's k limit (1,000).</param>
    /// <param name="options">
    /// Filter (applied inside both searches), vector property and full-text property (<c>AdditionalProperty</c>; each may
    /// be left out only when the record has exactly one), skip, score threshold and whether to include vectors.
    /// </param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <exception cref="InvalidOperationException">Several vector or full-text properties and none chosen, or none at all.</exception>
    /// <remarks>
    /// The score is the fused reciprocal-rank score (higher is better, at most 2 / 61), not a similarity: ranks are fused
    /// because a vector similarity and a BM25 score have no common scale. <c>ScoreThreshold</c> is a minimum fused score.
    /// </remarks>
    public async IAsyncEnumerable<VectorSearchResult<TRecord>> HybridSearchAsync<TInput>(
        TInput searchValue, ICollection<string> keywords, int top, HybridSearchOptions<TRecord>? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
        where TInput : notnull
    {
        ArgumentNullException.ThrowIfNull(searchValue);
        ArgumentNullException.ThrowIfNull(keywords);
        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1);
        int skip = options?.Skip ?? 0;
        ArgumentOutOfRangeException.ThrowIfNegative(skip);
        if (top + skip > BulkUpsertOptions.ServerBatchLimit)
        {
            throw new ArgumentOutOfRangeException(nameof(top), top, $"top + Skip is {top + skip}; EmbeddingStore returns at most 1,000 hits per search.");
        }

        bool includeVectors = IncludeVectors(options?.IncludeVectors ?? false);
        RecordModel.VectorField vector = ResolveVector(new VectorSearchOptions<TRecord> { VectorProperty = options?.VectorProperty });

        // The property whose text index serves the keyword half: the chosen one, or the only full-text-indexed one.
        DataPropertyModel text = _model.Model.GetFullTextDataPropertyOrSingle(options?.AdditionalProperty);
        float[] query = await QueryVectorAsync(searchValue, vector, cancellationToken).ConfigureAwait(false);
        if (query.Length != vector.Dimensions)
        {
            throw new ArgumentException(
                $"The query has {query.Length} dimensions; {_model.RecordName}.{vector.Name} holds {vector.Version} with {vector.Dimensions}.", nameof(searchValue));
        }

        var request = new HybridSearchRequest
        {
            Vector = query,
            Version = vector.Version,
            K = top + skip,
            Filter = options?.Filter is { } filter ? FilterTranslator.Translate(filter, _model) : null,
            Bridging = _allowBridging ? "auto" : "none",
            WithPayload = true,
            AllowPartial = true,
            Keywords = new KeywordQueryRequest { Field = text.StorageName, Query = string.Join(' ', keywords) },
        };

        HybridSearchResponse response;
        try
        {
            response = await _client.HybridSearchAsync(Name, request, cancellationToken).ConfigureAwait(false);
        }
        catch (EmbeddingStoreException ex)
        {
            throw Wrap(ex, "HybridSearch");
        }

        foreach (HybridSearchHitResponse hit in response.Hits.Skip(skip))
        {
            if (options?.ScoreThreshold is double threshold && hit.Score < threshold)
            {
                continue;
            }

            TRecord record = includeVectors
                ? await GetAsync((TKey)_model.KeyFromId(hit.Id), new RecordRetrievalOptions { IncludeVectors = true }, cancellationToken).ConfigureAwait(false)
                    ?? _model.FromItem<TRecord>(hit.Id, hit.Payload, null)
                : _model.FromItem<TRecord>(hit.Id, hit.Payload, null);
            yield return new VectorSearchResult<TRecord>(record, hit.Score);
        }
    }
}
