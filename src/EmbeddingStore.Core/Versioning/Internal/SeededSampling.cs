// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Core.Versioning.Internal;

/// <summary>
/// Every random choice in fitting (splits, Fourier features, bandwidth samples) comes from a <see cref="Random"/> seeded
/// from the options, so a fit is reproducible bit for bit on one machine.
/// </summary>
internal static class SeededSampling
{
    /// <summary>A Fisher-Yates permutation of 0..count-1.</summary>
    public static int[] Permutation(int count, Random random)
    {
        var order = new int[count];
        for (int i = 0; i < count; i++)
        {
            order[i] = i;
        }

        for (int i = count - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }

        return order;
    }

    /// <summary>
    /// Splits a seeded permutation: the first ⌈fraction·count⌉ indices go to the second part, the rest to the first,
    /// each part sorted so the rows keep their original order.
    /// </summary>
    public static (int[] First, int[] Second) Split(int count, double secondFraction, Random random)
    {
        int[] order = Permutation(count, random);
        int second = (int)Math.Ceiling(secondFraction * count);
        second = Math.Clamp(second, 0, count);
        int[] secondPart = order[..second];
        int[] firstPart = order[second..];
        Array.Sort(secondPart);
        Array.Sort(firstPart);
        return (firstPart, secondPart);
    }

    /// <summary>A standard normal sample by the Box-Muller transform.</summary>
    public static double NextGaussian(Random random)
    {
        // 1 - NextDouble() is in (0, 1], so the logarithm is finite.
        double u1 = 1.0 - random.NextDouble();
        double u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
