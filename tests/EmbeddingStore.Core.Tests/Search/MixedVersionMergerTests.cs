// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Search;
using EmbeddingStore.Core.Vectors;
using EmbeddingStore.Core.Versioning;

namespace EmbeddingStore.Core.Tests.Search;

public sealed class MixedVersionMergerTests
{
    private static readonly ModelVersionId s_v1 = ModelVersionId.Create("face", "v1");
    private static readonly ModelVersionId s_v2 = ModelVersionId.Create("face", "v2");

    [Fact]
    public void Merge_PlansOfOneSpace_MergesByScoreNotRankShare()
    {
        // The reference (v2, native) holds 1 of 10 items, an exact match; v1 is reached through an identity link, so both
        // plans live in space face@v1. A rank-share merge would place v1's best (0.51) above the exact match.
        var plans = new List<VersionPlan>
        {
            new(s_v2, [1f, 0f], null, true, "face@v1", DistanceMetric.CosineSimilarity),
            new(s_v1, [1f, 0f], "lnk-id", false, "face@v1", DistanceMetric.CosineSimilarity),
        };
        var lists = new List<CandidateList>
        {
            new([new Candidate("exact", 1f, null, 0b01)], 1),
            new([new Candidate("a", 0.51f, null, 0b10), new Candidate("b", 0.40f, null, 0b10), new Candidate("c", 0.10f, null, 0b10)], 9),
        };

        List<MergedHit> merged = MixedVersionMerger.Merge(plans, lists, itemCount: 10, k: 3);

        Assert.Equal(["exact", "a", "b"], merged.Select(h => h.Id));
        Assert.Equal([1f, 0.51f, 0.40f], merged.Select(h => h.Score));
        Assert.All(merged, h => Assert.Equal(h.RawScore, h.Score));
    }

    [Fact]
    public void Merge_PlansOfDifferentSpaces_StillPlacesByRankShare()
    {
        // The same lists with a fitted link (v1 its own space): the rank-share placement is kept for them, so the other
        // version's best is placed on the reference scale, not at its own raw score.
        var plans = new List<VersionPlan>
        {
            new(s_v2, [1f, 0f], null, true, "face@v2", DistanceMetric.CosineSimilarity),
            new(s_v1, [1f, 0f], "lnk-ridge", false, "face@v1", DistanceMetric.CosineSimilarity),
        };
        var lists = new List<CandidateList>
        {
            new([new Candidate("exact", 1f, null, 0b01), new Candidate("near", 0.9f, null, 0b01)], 2),
            new([new Candidate("a", 0.51f, null, 0b10)], 8),
        };

        List<MergedHit> merged = MixedVersionMerger.Merge(plans, lists, itemCount: 10, k: 3);

        MergedHit a = Assert.Single(merged, h => h.Id == "a");
        Assert.NotEqual(a.RawScore, a.Score);
        Assert.Equal(0.51f, a.RawScore);
    }

    [Fact]
    public void Merge_ExtrapolatedAboveTopScore_ClampedToCosineRange()
    {
        // v2 holds few items, so v1's first candidate is placed above the reference's top score by extrapolation: the
        // placement may be above, the public score may not leave [-1, 1].
        var plans = new List<VersionPlan>
        {
            new(s_v2, [1f, 0f], null, true, "face@v2", DistanceMetric.CosineSimilarity),
            new(s_v1, [1f, 0f], "lnk-ridge", false, "face@v1", DistanceMetric.CosineSimilarity),
        };
        var lists = new List<CandidateList>
        {
            new([new Candidate("exact", 0.99f, null, 0b01), new Candidate("near", 0.5f, null, 0b01)], 2),
            new([new Candidate("a", 0.51f, null, 0b10)], 98),
        };

        List<MergedHit> merged = MixedVersionMerger.Merge(plans, lists, itemCount: 100, k: 3);

        Assert.All(merged, h => Assert.InRange(h.Score, -1f, 1f));
        Assert.Equal(1f, Assert.Single(merged, h => h.Id == "a").Score);
    }

    [Fact]
    public void Merge_SinglePlanScoreJustAboveOne_Clamped()
    {
        var plans = new List<VersionPlan> { new(s_v1, [1f, 0f], "lnk-id", false, "face@v1", DistanceMetric.CosineSimilarity) };
        var lists = new List<CandidateList> { new([new Candidate("x", 1.0000005f, null, 0b1), new Candidate("y", -1.0000005f, null, 0b1)], 2) };

        List<MergedHit> merged = MixedVersionMerger.Merge(plans, lists, itemCount: 2, k: 2);

        Assert.Equal([1f, -1f], merged.Select(h => h.Score));
        Assert.Equal([1f, -1f], merged.Select(h => h.RawScore));
    }

    [Fact]
    public void ClampToRange_EachMetric_KeepsItsRange()
    {
        Assert.Equal(1f, ScoreMapping.ClampToRange(DistanceMetric.CosineSimilarity, 1.0000005f));
        Assert.Equal(-1f, ScoreMapping.ClampToRange(DistanceMetric.CosineSimilarity, -1.25f));
        Assert.Equal(0.5f, ScoreMapping.ClampToRange(DistanceMetric.CosineSimilarity, 0.5f));
        Assert.Equal(0f, ScoreMapping.ClampToRange(DistanceMetric.Euclidean, 1e-7f));
        Assert.Equal(-3f, ScoreMapping.ClampToRange(DistanceMetric.Euclidean, -3f));
        Assert.Equal(12.5f, ScoreMapping.ClampToRange(DistanceMetric.DotProduct, 12.5f));
    }
}
