// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Vectors;

namespace EmbeddingStore.Core.Migrations;

/// <summary>
/// Puts a re-embedding's items in the order they are handed out. The first few hundred re-embedded items are what the
/// next bridge is refitted on, so the order decides how good that bridge is: the stratified order clusters the old
/// vectors (k-means) and interleaves the clusters in proportion to their sizes, so an early prefix covers the whole
/// corpus the way a proportional stratified sample does, instead of wherever a random draw or the id order lands.
/// </summary>
/// <remarks>
/// Deterministic: the same vectors, order and seed give the same permutation, so the order survives a restart without
/// being stored. Clustering trains on at most <see cref="MaxTrainingRows"/> seeded rows and then assigns every row.
/// </remarks>
public static class PendingOrderPlanner
{
    /// <summary>The most rows k-means trains on; assignment then touches every row once, so cost stays linear in n.</summary>
    public const int MaxTrainingRows = 20_000;

    /// <summary>The most clusters: past a few hundred, strata hold too few items for proportional interleaving to matter.</summary>
    public const int MaxClusters = 256;

    private const int Iterations = 8;

    /// <summary>
    /// The order in which to hand out <paramref name="rowCount"/> rows (indexes into <paramref name="rows"/>, row-major
    /// with <paramref name="dimension"/> floats per row): a permutation of 0..rowCount-1.
    /// </summary>
    /// <param name="order">Which order.</param>
    /// <param name="rows">The old version's vectors, row-major.</param>
    /// <param name="dimension">Floats per row.</param>
    /// <param name="rowCount">How many rows.</param>
    /// <param name="seed">Seeds the shuffle and the clustering.</param>
    public static int[] Plan(PendingOrder order, ReadOnlySpan<float> rows, int dimension, int rowCount, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rowCount);
        ArgumentOutOfRangeException.ThrowIfLessThan(rows.Length, (long)rowCount * dimension, nameof(rows));
        int[] permutation = Enumerable.Range(0, rowCount).ToArray();
        switch (order)
        {
            case PendingOrder.Id:
                return permutation;
            case PendingOrder.Random:
                new Random(seed).Shuffle(permutation);
                return permutation;
            case PendingOrder.Stratified:
                return Stratified(rows, dimension, rowCount, seed);
            default:
                throw new ArgumentOutOfRangeException(nameof(order), order, "Unknown pending order.");
        }
    }

    /// <summary>How many clusters the stratified order uses for <paramref name="rowCount"/> rows: about √n, at most <see cref="MaxClusters"/>.</summary>
    public static int ClusterCount(int rowCount) => Math.Clamp((int)Math.Round(Math.Sqrt(rowCount)), 1, MaxClusters);

    private static int[] Stratified(ReadOnlySpan<float> rows, int dimension, int rowCount, int seed)
    {
        if (rowCount == 0)
        {
            return [];
        }

        var random = new Random(seed);
        int k = Math.Min(ClusterCount(rowCount), rowCount);
        int[] training = Enumerable.Range(0, rowCount).ToArray();
        random.Shuffle(training);
        int trainCount = Math.Min(rowCount, MaxTrainingRows);
        float[] centroids = new float[k * dimension];
        for (int c = 0; c < k; c++)
        {
            rows.Slice(training[c] * dimension, dimension).CopyTo(centroids.AsSpan(c * dimension, dimension));
        }

        float[] sums = new float[k * dimension];
        int[] counts = new int[k];
        float[] halfNorms = new float[k];
        float[] scores = new float[k];
        for (int iteration = 0; iteration < Iterations; iteration++)
        {
            Array.Clear(sums);
            Array.Clear(counts);
            HalfNorms(centroids, dimension, k, halfNorms);
            for (int t = 0; t < trainCount; t++)
            {
                ReadOnlySpan<float> row = rows.Slice(training[t] * dimension, dimension);
                int nearest = Nearest(row, centroids, halfNorms, scores, k);
                counts[nearest]++;
                Span<float> sum = sums.AsSpan(nearest * dimension, dimension);
                System.Numerics.Tensors.TensorPrimitives.Add(sum, row, sum);
            }

            for (int c = 0; c < k; c++)
            {
                // An emptied cluster keeps its centroid; it simply stays small.
                if (counts[c] > 0)
                {
                    System.Numerics.Tensors.TensorPrimitives.Divide(sums.AsSpan(c * dimension, dimension), counts[c], centroids.AsSpan(c * dimension, dimension));
                }
            }
        }

        var members = new List<int>[k];
        for (int c = 0; c < k; c++)
        {
            members[c] = [];
        }

        HalfNorms(centroids, dimension, k, halfNorms);
        for (int r = 0; r < rowCount; r++)
        {
            members[Nearest(rows.Slice(r * dimension, dimension), centroids, halfNorms, scores, k)].Add(r);
        }

        // Proportional interleaving: member j of a cluster of size s gets the key (j + u) / s, u a seeded offset per
        // cluster, and rows are handed out by key. Every prefix then holds each cluster in proportion to its size (within
        // one row), as a systematic stratified sample does; members are shuffled within their cluster first.
        var keyed = new (double Key, int Cluster, int Row)[rowCount];
        int at = 0;
        for (int c = 0; c < k; c++)
        {
            List<int> list = members[c];
            int[] shuffled = [.. list];
            random.Shuffle(shuffled);
            double offset = random.NextDouble();
            for (int j = 0; j < shuffled.Length; j++)
            {
                keyed[at++] = ((j + offset) / shuffled.Length, c, shuffled[j]);
            }
        }

        Array.Sort(keyed, (a, b) => a.Key != b.Key ? a.Key.CompareTo(b.Key) : a.Cluster.CompareTo(b.Cluster));
        return [.. keyed.Select(e => e.Row)];
    }

    // The centroid with the least squared distance: argmax of 2 x·c - |c|² (|x|² is the same for every centre), one SIMD
    // pass of the row against all centres. Ties go to the lower index, for determinism.
    private static int Nearest(ReadOnlySpan<float> row, float[] centroids, float[] halfNorms, float[] scores, int k)
    {
        VectorMath.DotRows(row, centroids.AsSpan(0, k * row.Length), scores.AsSpan(0, k));
        int best = 0;
        float bestScore = float.NegativeInfinity;
        for (int c = 0; c < k; c++)
        {
            float score = scores[c] - halfNorms[c];
            if (score > bestScore)
            {
                bestScore = score;
                best = c;
            }
        }

        return best;
    }

    private static void HalfNorms(float[] centroids, int dimension, int k, float[] halfNorms)
    {
        for (int c = 0; c < k; c++)
        {
            ReadOnlySpan<float> centre = centroids.AsSpan(c * dimension, dimension);
            halfNorms[c] = 0.5f * VectorMath.Dot(centre, centre);
        }
    }
}
