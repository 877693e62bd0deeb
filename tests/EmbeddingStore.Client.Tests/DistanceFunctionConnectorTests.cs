// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Client.Tests.TestSupport;
using EmbeddingStore.Client.VectorData;
using Microsoft.Extensions.VectorData;

namespace EmbeddingStore.Client.Tests;

// Each distance function the connector accepts, its server metric, its scores in the caller's convention, and the
// direction of ScoreThreshold; against the real server.
public sealed class DistanceFunctionConnectorTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public sealed class Point
    {
        public string Id { get; set; } = "";

        public ReadOnlyMemory<float> Vector { get; set; }
    }

    // Same, opposite and orthogonal (at distance sqrt(3)) to the query (1, 0, 0, 0).
    private static readonly Point[] s_points =
    [
        new() { Id = "same", Vector = new float[] { 1, 0, 0, 0 } },
        new() { Id = "opposite", Vector = new float[] { -1, 0, 0, 0 } },
        new() { Id = "orthogonal", Vector = new float[] { 0, -1, -1, 0 } },
    ];

    [Theory]
    [InlineData(DistanceFunction.CosineSimilarity, "cosine", new[] { "same", "orthogonal", "opposite" }, new[] { 1.0, 0.0, -1.0 })]
    [InlineData(DistanceFunction.CosineDistance, "cosine", new[] { "same", "orthogonal", "opposite" }, new[] { 0.0, 1.0, 2.0 })]
    [InlineData(DistanceFunction.DotProductSimilarity, "dot", new[] { "same", "orthogonal", "opposite" }, new[] { 1.0, 0.0, -1.0 })]
    [InlineData(DistanceFunction.NegativeDotProductSimilarity, "dot", new[] { "same", "orthogonal", "opposite" }, new[] { -1.0, 0.0, 1.0 })]
    [InlineData(DistanceFunction.EuclideanDistance, "l2", new[] { "same", "orthogonal", "opposite" }, new[] { 0.0, 1.732, 2.0 })]
    [InlineData(DistanceFunction.EuclideanSquaredDistance, "l2", new[] { "same", "orthogonal", "opposite" }, new[] { 0.0, 3.0, 4.0 })]
    [InlineData(DistanceFunction.ManhattanDistance, "l1", new[] { "same", "opposite", "orthogonal" }, new[] { 0.0, 2.0, 3.0 })]
    public async Task Search_DistanceFunction_ScoresInItsConventionAndThresholdKeepsTheCloser(string function, string metric, string[] order, double[] scores)
    {
        using EmbeddingStoreClient client = server.CreateClient();
        string name = "df-" + function.ToLowerInvariant();
        var definition = new VectorStoreCollectionDefinition
        {
            Properties =
            [
                new VectorStoreKeyProperty(nameof(Point.Id), typeof(string)),
                new VectorStoreVectorProperty(nameof(Point.Vector), typeof(ReadOnlyMemory<float>), 4) { DistanceFunction = function, StorageName = $"{name}@v1" },
            ],
        };
        VectorStoreCollection<string, Point> points = new EmbeddingStoreVectorStore(client).GetCollection<string, Point>(name, definition);
        await points.EnsureCollectionExistsAsync(Ct);
        await points.UpsertAsync(s_points, Ct);
        Assert.Equal(metric, (await client.GetModelVersionAsync(name, "v1", Ct)).Metric);

        var query = new ReadOnlyMemory<float>([1, 0, 0, 0]);
        List<VectorSearchResult<Point>> hits = await points.SearchAsync(query, 3, cancellationToken: Ct).ToListAsync(Ct);
        Assert.Equal(order, hits.Select(h => h.Record.Id));
        Assert.Equal(scores, hits.Select(h => Math.Round(h.Score!.Value, 3)));

        // The threshold is a minimum for similarities and a maximum for distances: either way the middle hit's score
        // keeps the closest two.
        var options = new VectorSearchOptions<Point> { ScoreThreshold = hits[1].Score };
        Assert.Equal(order[..2], await points.SearchAsync(query, 3, options, Ct).Select(h => h.Record.Id).ToListAsync(Ct));
    }

    [Theory]
    [InlineData(DistanceFunction.HammingDistance)]
    [InlineData("ChebyshevDistance")]
    public void GetCollection_DistanceFunctionWithoutServerMetric_NotSupportedNamingTheSupportedOnes(string function)
    {
        using EmbeddingStoreClient client = server.CreateClient();
        var definition = new VectorStoreCollectionDefinition
        {
            Properties =
            [
                new VectorStoreKeyProperty(nameof(Point.Id), typeof(string)),
                new VectorStoreVectorProperty(nameof(Point.Vector), typeof(ReadOnlyMemory<float>), 4) { DistanceFunction = function, StorageName = "df-other@v1" },
            ],
        };
        NotSupportedException ex = Assert.Throws<NotSupportedException>(() => new EmbeddingStoreVectorStore(client).GetCollection<string, Point>("df-other", definition));
        Assert.Contains(function, ex.Message, StringComparison.Ordinal);
        Assert.Contains("EuclideanSquaredDistance", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CollectionScopedVersions_MetricOrDimensionChange_GivesAnotherVersion()
    {
        using EmbeddingStoreClient client = server.CreateClient();
        var store = new EmbeddingStoreVectorStore(client, new() { CollectionScopedVersions = true });
        string VersionOf(string function, int dimensions)
        {
            var definition = new VectorStoreCollectionDefinition
            {
                Properties =
                [
                    new VectorStoreKeyProperty(nameof(Point.Id), typeof(string)),
                    new VectorStoreVectorProperty(nameof(Point.Vector), typeof(ReadOnlyMemory<float>), dimensions) { DistanceFunction = function },
                ],
            };
            return ((EmbeddingStoreCollection<string, Point>)store.GetCollection<string, Point>("df scoped!", definition)).VectorVersions[nameof(Point.Vector)];
        }

        // Characters a model name cannot hold become '_'; a recreated collection with other settings cannot collide
        // with the immutable version registered before.
        Assert.Equal("df_scoped_.Vector@cosine-4", VersionOf(DistanceFunction.CosineSimilarity, 4));
        Assert.Equal("df_scoped_.Vector@cosine-4", VersionOf(DistanceFunction.CosineDistance, 4));
        Assert.Equal("df_scoped_.Vector@l2-4", VersionOf(DistanceFunction.EuclideanDistance, 4));
        Assert.Equal("df_scoped_.Vector@cosine-8", VersionOf(DistanceFunction.CosineSimilarity, 8));
    }
}
