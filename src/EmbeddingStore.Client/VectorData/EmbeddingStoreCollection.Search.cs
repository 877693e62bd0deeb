// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Runtime.CompilerServices;
using EmbeddingStore.Client.Internal;
using EmbeddingStore.Contracts;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData;
using Microsoft.Extensions.VectorData.ProviderServices;

namespace EmbeddingStore.Client.VectorData;

public partial class EmbeddingStoreCollection<TKey, TRecord>
{
    /// <summary>
    /// Searches with the chosen vector property's model version (<see cref="VectorSearchOptions{TRecord}.VectorProperty"/>;
    /// it may be left out only when the record has a single vector property, since each one holds another model). The query must be embedded by that version; with bridging allowed, items that
    /// hold only other versions are reached through the server's harmonic links.
    /// </summary>
    /// <typeparam name="TInput">
    /// <see cref="ReadOnlyMemory{T}"/>, <c>float[]</c> or <see cref="Embedding{T}"/> of float; or any input an embedding
    /// generator configured for that property (property, collection or store level, in that order) accepts, such as a string.
    /// </typeparam>
    /// <param name="searchValue">The query.</param>
    /// <param name="top">Results to return; <paramref name="top"/> plus <c>Skip</c> may not exceed the server's k limit (1,000).</param>
    /// <param name="options">Filter, vector property, skip, score threshold and whether to include vectors.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <exception cref="InvalidOperationException">The record has several vector properties and none was chosen.</exception>
    /// <remarks>
    /// Scores follow the property's distance function: similarities (higher is closer) for CosineSimilarity and
    /// DotProductSimilarity, distances (lower is closer) for CosineDistance, NegativeDotProductSimilarity, EuclideanDistance
    /// and EuclideanSquaredDistance; the <c>ScoreThreshold</c> is a minimum similarity or a maximum distance accordingly.
    /// </remarks>
    public override async IAsyncEnumerable<VectorSearchResult<TRecord>> SearchAsync<TInput>(
        TInput searchValue, int top, VectorSearchOptions<TRecord>? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(searchValue);
        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1);
        int skip = options?.Skip ?? 0;
        ArgumentOutOfRangeException.ThrowIfNegative(skip);
        if (top + skip > BulkUpsertOptions.ServerBatchLimit)
        {
            throw new ArgumentOutOfRangeException(nameof(top), top, $"top + Skip is {top + skip}; EmbeddingStore returns at most 1,000 hits per search.");
        }

        bool includeVectors = IncludeVectors(options?.IncludeVectors ?? false);
        RecordModel.VectorField vector = ResolveVector(options);
        float[] query = await QueryVectorAsync(searchValue, vector, cancellationToken).ConfigureAwait(false);
        if (query.Length != vector.Dimensions)
        {
            throw new ArgumentException(
                $"The query has {query.Length} dimensions; {_model.RecordName}.{vector.Name} holds {vector.Version} with {vector.Dimensions}.", nameof(searchValue));
        }

        var request = new SearchRequest
        {
            Vector = query,
            Version = vector.Version,
            K = top + skip,
            Filter = options?.Filter is { } filter ? FilterTranslator.Translate(filter, _model) : null,
            Bridging = _allowBridging ? "auto" : "none",
            WithPayload = true,

            // A vector property is a field of its own in Microsoft.Extensions.VectorData: records without it are not
            // candidates, by that model's definition, so an answer from the records holding it is the answer asked for.
            AllowPartial = true,
        };

        SearchResponse response;
        try
        {
            response = await _client.SearchAsync(Name, request, cancellationToken).ConfigureAwait(false);
        }
        catch (EmbeddingStoreException ex)
        {
            throw Wrap(ex, "Search");
        }

        foreach (SearchHitResponse hit in response.Hits.Skip(skip))
        {
            double score = DistanceMapping.ToCaller(vector.Kind, hit.Score);
            if (options?.ScoreThreshold is double threshold && (vector.IsDistance ? score > threshold : score < threshold))
            {
                continue;
            }

            TRecord record = includeVectors
                ? await GetAsync((TKey)_model.KeyFromId(hit.Id), new RecordRetrievalOptions { IncludeVectors = true }, cancellationToken).ConfigureAwait(false)
                    ?? _model.FromItem<TRecord>(hit.Id, hit.Payload, null)
                : _model.FromItem<TRecord>(hit.Id, hit.Payload, null);
            yield return new VectorSearchResult<TRecord>(record, score);
        }
    }

    private static async ValueTask<float[]> QueryVectorAsync<TInput>(TInput searchValue, RecordModel.VectorField vector, CancellationToken cancellationToken)
    {
        VectorPropertyModel property = vector.Property;
        return searchValue switch
        {
            ReadOnlyMemory<float> memory => memory.ToArray(),
            float[] array => array,
            Embedding<float> embedding => embedding.Vector.ToArray(),
            _ when property.EmbeddingGenerationDispatcher is not null
                => ((Embedding<float>)await property.GenerateEmbeddingAsync(searchValue, cancellationToken).ConfigureAwait(false)).Vector.ToArray(),
            _ => property.EmbeddingGenerator is null
                ? throw new NotSupportedException(VectorDataStrings.InvalidSearchInputAndNoEmbeddingGeneratorWasConfigured(searchValue!.GetType(), EmbeddingStoreModelBuilder.SupportedVectorTypes))
                : throw new InvalidOperationException(VectorDataStrings.IncompatibleEmbeddingGeneratorWasConfiguredForInputType(typeof(TInput), property.EmbeddingGenerator.GetType())),
        };
    }
}
