// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Globalization;
using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Search;
using EmbeddingStore.Core.Tests.TestSupport;
using EmbeddingStore.Core.Tests.Versioning;
using EmbeddingStore.Core.Vectors;
using EmbeddingStore.Core.Versioning;

namespace EmbeddingStore.Core.Tests.Search;

// The per-query calibrated merge: what the items held in both versions teach about a plan of another space, and how its
// other candidates are then placed among the reference version's own.
public sealed class MixedVersionCalibrationTests
{
    private static readonly ModelVersionId s_v1 = ModelVersionId.Create("face", "v1");
    private static readonly ModelVersionId s_v2 = ModelVersionId.Create("face", "v2");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void Merge_SharedItemsTeachTheScale_PredictedItemsRankByTheirChance()
    {
        (List<VersionPlan> plans, List<CandidateList> lists) = Scenario(shared: 30, seed: 7);

        List<MergedHit> merged = MixedVersionMerger.Merge(plans, lists, itemCount: 100, k: 10);

        // "strong" is predicted at 0.2 + 0.62 = 0.82, above every native (best 0.80); "weak" at 0.55, below all twenty.
        Assert.Contains("strong", merged.Take(3).Select(h => h.Id));
        Assert.DoesNotContain("weak", merged.Select(h => h.Id));
        Assert.Equal(10, merged.Count);
        for (int i = 1; i < merged.Count; i++)
        {
            Assert.True(merged[i - 1].Score >= merged[i].Score, $"hit {i} scores above hit {i - 1}");
        }

        Assert.All(merged, h => Assert.InRange(h.Score, -1f, 1f));
        Assert.All(merged.Where(h => h.Plan == 0), h => Assert.Equal(h.RawScore, h.Score));
    }

    [Fact]
    public void Merge_TooFewSharedItems_PlacesByRankShareAsWithoutThem()
    {
        (List<VersionPlan> plans, List<CandidateList> lists) = Scenario(shared: 3, seed: 7);
        var stripped = lists.Select(l => l with { Candidates = [.. l.Candidates.Select(c => c with { ReferenceScore = float.NaN })] }).ToList();

        List<MergedHit> merged = MixedVersionMerger.Merge(plans, lists, itemCount: 100, k: 10);
        List<MergedHit> rankShare = MixedVersionMerger.Merge(plans, stripped, itemCount: 100, k: 10);

        Assert.Equal(rankShare, merged);
    }

    [Fact]
    public void CandidatesPerPlan_PlanOfAnotherSpace_SuppliesTheCalibrationPool()
    {
        var oneSpace = new List<VersionPlan>
        {
            new(s_v2, [1f, 0f], null, true, "face@v1", DistanceMetric.CosineSimilarity),
            new(s_v1, [1f, 0f], "lnk-id", false, "face@v1", DistanceMetric.CosineSimilarity),
        };
        var twoSpaces = new List<VersionPlan>
        {
            new(s_v2, [1f, 0f], null, true, "face@v2", DistanceMetric.CosineSimilarity),
            new(s_v1, [1f, 0f], "lnk-fit", false, "face@v1", DistanceMetric.CosineSimilarity),
        };

        Assert.Equal(20, MixedVersionMerger.CandidatesPerPlan(10, oneSpace));
        Assert.Equal(MixedVersionMerger.CalibrationPool, MixedVersionMerger.CandidatesPerPlan(10, twoSpaces));
        Assert.Equal(600, MixedVersionMerger.CandidatesPerPlan(300, twoSpaces));
    }

    [Fact]
    public async Task Search_HalfReembeddedUnderAnExactLink_ReturnsTheFullReembedsTopK()
    {
        // v2 is an exact rotation of v1, and half the items are re-embedded. A scaled Procrustes link fitted on them maps
        // every old vector to its v2 vector, so the corpus-side score of an item not re-embedded is its true v2 score, and
        // the merge must return exactly what a search over all items' v2 vectors returns.
        const int Dimension = 16;
        const int Count = 400;
        var random = new Random(11);
        float[][] old = [.. Enumerable.Range(0, Count).Select(_ => Unit(random, Dimension))];
        double[] rotation = BridgeTestData.RandomOrthogonal(random, Dimension);
        var noShift = new double[Dimension];
        float[][] rotated = [.. old.Select(v => BridgeTestData.Transform(v, 1, Dimension, rotation, Dimension, 1.0, noShift))];

        using var engine = new EmbeddingEngine(new InMemoryRepository(), new EngineLimits { MaxBatchItems = 10_000 });
        await engine.LoadAsync(Ct);
        await engine.RegisterModelVersionAsync("face", "v1", Dimension, DistanceMetric.CosineSimilarity, true, Ct);
        await engine.RegisterModelVersionAsync("face", "v2", Dimension, DistanceMetric.CosineSimilarity, true, Ct);
        Assert.True((await engine.PutCollectionAsync("faces", "face@v1", Ct)).IsSuccess);
        var items = new List<ItemUpsert>();
        for (int i = 0; i < Count; i++)
        {
            var vectors = new Dictionary<string, float[]> { ["face@v1"] = old[i] };
            if (i % 2 == 0)
            {
                vectors["face@v2"] = rotated[i];
            }

            items.Add(new ItemUpsert(i.ToString(CultureInfo.InvariantCulture), null, vectors));
        }

        Assert.True((await engine.UpsertItemsAsync("faces", items, Ct)).IsSuccess);
        var fit = await engine.FitLinkAsync(new LinkFitRequest("face@v1", "face@v2", "scaled-procrustes", Collection: "faces"), Ct);
        Assert.True(fit.IsSuccess, fit.Error?.Message);

        int predictedHits = 0;
        for (int q = 0; q < 20; q++)
        {
            float[] query = Unit(random, Dimension);
            var expected = Enumerable.Range(0, Count).OrderByDescending(i => VectorMath.Dot(query, rotated[i])).Take(10)
                .Select(i => i.ToString(CultureInfo.InvariantCulture)).ToHashSet();

            StoreResult<SearchResult> result = await engine.SearchAsync("faces", new SearchQuery(query, "face@v2", 10, WithPayload: false), Ct);

            Assert.True(result.IsSuccess, result.Error?.Message);
            Assert.Equal(expected.Order(StringComparer.Ordinal), result.Value!.Hits.Select(h => h.Id).Order(StringComparer.Ordinal));
            predictedHits += result.Value.Hits.Count(h => h.Version == "face@v1");
        }

        // About half of every top-10 lies among the items that were not re-embedded: the merge really placed them.
        Assert.InRange(predictedHits, 60, 140);
    }

    // A reference plan (v2, native) whose twenty natives score 0.80, 0.79, ... and another plan (v1, bridged, its own
    // space) with `shared` items held in both, whose reference scores follow 0.2 + score (plus seeded noise of ±0.005),
    // and two items only v1 holds: "strong" (score 0.62) and "weak" (0.35).
    private static (List<VersionPlan> Plans, List<CandidateList> Lists) Scenario(int shared, int seed)
    {
        var random = new Random(seed);
        var plans = new List<VersionPlan>
        {
            new(s_v2, [1f, 0f], null, true, "face@v2", DistanceMetric.CosineSimilarity),
            new(s_v1, [1f, 0f], "lnk-fit", false, "face@v1", DistanceMetric.CosineSimilarity),
        };
        var natives = Enumerable.Range(0, 20).Select(i => new Candidate($"n{i:D2}", 0.80f - (0.01f * i), null, 0b11)).ToList();
        var other = new List<Candidate>
        {
            new("strong", 0.62f, null, 0b10),
            new("weak", 0.35f, null, 0b10),
        };
        for (int i = 0; i < shared; i++)
        {
            float score = 0.30f + (0.30f * i / Math.Max(1, shared - 1));
            float noise = (float)((random.NextDouble() - 0.5) * 0.01);
            other.Add(new Candidate($"s{i:D2}", score, null, 0b11, ReferenceScore: 0.2f + score + noise));
        }

        other.Sort((a, b) => b.Score.CompareTo(a.Score));
        return (plans, [new(natives, 50), new(other, 100)]);
    }

    private static float[] Unit(Random random, int dimension)
    {
        float[] v = TestData.RandomVector(random, dimension);
        Assert.True(VectorMath.TryNormalize(v));
        return v;
    }
}
