// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Core.Tests.TestSupport;

internal static class TestData
{
    public static float[] RandomVector(Random random, int dimension)
    {
        var v = new float[dimension];
        for (int i = 0; i < dimension; i++)
        {
            v[i] = (float)((random.NextDouble() * 2) - 1);
        }

        return v;
    }
}
