// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Globalization;
using EmbeddingStore.Client;
using EmbeddingStore.Contracts;
using EmbeddingStore.Core.Indexes;
using EmbeddingStore.Core.Vectors;

namespace EmbeddingStore.Admin.Bench;

// A running server through the .NET client: the same queries, with HTTP, JSON and the server's own limits in the figures.
// It registers the version bench@v1 and (re)fills the collection given by --collection, row numbers as ids; with
// --selectivity every item carries BenchFilter's payload, the keyword index is declared and awaited when asked for, and
// every search sends the filter, so the figures compare with another database's filtered search over its own protocol.
internal sealed class HttpTarget(HttpClient http, string collection, int uploadBatch, BenchFilter? filter = null) : IBenchTarget
{
    private const string Version = "bench@v1";
    private readonly EmbeddingStoreClient _client = new(http);
    private readonly Dictionary<string, int> _plans = new(StringComparer.Ordinal);

    private readonly FilterRequest? _filter = filter is null ? null : new FilterRequest { Must = [new FieldConditionRequest { Key = BenchFilter.Field, Match = BenchFilter.Value }] };

    public string Description => $"server {http.BaseAddress} over HTTP, collection '{collection}'" + (filter is null ? string.Empty : ", " + filter.Describe);

    public async Task LoadAsync(VecsMatrix<float> vectors, DistanceMetric metric, IndexSettingsBody? settings, CancellationToken cancellationToken)
    {
        await _client.RegisterModelVersionAsync(
            "bench", "v1", new ModelVersionRequest { Dimension = vectors.Dimension, Metric = ScoreMapping.ToWireName(metric) }, cancellationToken);
        await _client.PutCollectionAsync(collection, new CollectionRequest { ServingVersion = Version, IndexSettings = settings }, cancellationToken);
        bool[]? matching = filter?.Matching(vectors.Count);
        for (int first = 0; first < vectors.Count; first += uploadBatch)
        {
            int n = Math.Min(uploadBatch, vectors.Count - first);
            var items = new List<ItemRequest>(n);
            for (int i = first; i < first + n; i++)
            {
                items.Add(new ItemRequest
                {
                    Id = i.ToString(CultureInfo.InvariantCulture),
                    Payload = matching is null ? null : (matching[i] ? BenchFilter.InPayload : BenchFilter.OutPayload),
                    Vectors = new() { [Version] = vectors.Row(i).ToArray() },
                });
            }

            await _client.UpsertItemsAsync(collection, new UpsertItemsRequest { Items = items }, cancellationToken);
        }

        if (filter is { Indexed: true })
        {
            await _client.PutPayloadIndexAsync(collection, BenchFilter.Field, "keyword", cancellationToken);
            while ((await _client.GetPayloadIndexAsync(collection, BenchFilter.Field, cancellationToken)).State != "ready")
            {
                await Task.Delay(50, cancellationToken);
            }
        }
    }

    public async Task<long> IndexMemoryBytesAsync(IndexKind index, CancellationToken cancellationToken) =>
        (await _client.GetCollectionAsync(collection, cancellationToken)).Indexes.Where(i => i.Index == WireName(index)).Sum(i => i.MemoryBytes);

    // Polls collection info every 50 ms until no index of the kind is building or stale.
    public async Task WaitForIndexAsync(IndexKind index, CancellationToken cancellationToken)
    {
        while ((await _client.GetCollectionAsync(collection, cancellationToken)).Indexes.Any(i => i.Index == WireName(index) && i.State != "ready"))
        {
            await Task.Delay(50, cancellationToken);
        }
    }

    public async Task<int[]> SearchAsync(float[] query, int k, IndexKind index, BenchKnobs knobs, CancellationToken cancellationToken)
    {
        SearchResponse response = await _client.SearchAsync(
            collection,
            new SearchRequest
            {
                Vector = query,
                Version = Version,
                K = k,
                Filter = _filter,
                WithPayload = false,
                Index = WireName(index),
                Oversampling = knobs.Oversampling,
                Ef = knobs.Ef,
                Quantized = knobs.Quantized,
            },
            cancellationToken);
        Count(response.Plan);
        return Ids(response.Hits);
    }

    public async Task<IReadOnlyList<int[]>> SearchBatchAsync(
        IReadOnlyList<float[]> queries, int k, IndexKind index, BenchKnobs knobs, CancellationToken cancellationToken)
    {
        BatchSearchResponse response = await _client.SearchBatchAsync(
            collection,
            new BatchSearchRequest
            {
                Vectors = [.. queries],
                Version = Version,
                K = k,
                Filter = _filter,
                WithPayload = false,
                Index = WireName(index),
                Oversampling = knobs.Oversampling,
                Ef = knobs.Ef,
                Quantized = knobs.Quantized,
            },
            cancellationToken);
        foreach (BatchSearchResultResponse result in response.Results)
        {
            Count(result.Plan);
        }

        return [.. response.Results.Select(r => Ids(r.Hits))];
    }

    public IReadOnlyDictionary<string, int> TakePlans()
    {
        var plans = new Dictionary<string, int>(_plans, StringComparer.Ordinal);
        _plans.Clear();
        return plans;
    }

    private void Count(string plan) => _plans[plan] = _plans.GetValueOrDefault(plan) + 1;

    public void Dispose() => http.Dispose();

    private static string WireName(IndexKind index) => index.ToString();

    private static int[] Ids(IReadOnlyList<SearchHitResponse> hits) => [.. hits.Select(h => int.Parse(h.Id, CultureInfo.InvariantCulture))];
}
