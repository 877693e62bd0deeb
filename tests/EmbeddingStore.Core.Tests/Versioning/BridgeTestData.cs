// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Versioning;

namespace EmbeddingStore.Core.Tests.Versioning;

/// <summary>Seeded generators for the property tests; every test passes its own seed so failures reproduce.</summary>
internal static class BridgeTestData
{
    public static double Gaussian(Random random)
    {
        double u1 = 1.0 - random.NextDouble();
        double u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>n × d Gaussian cloud whose axis j has standard deviation 1 + j·spread / d (anisotropic, so maps are identifiable).</summary>
    public static float[] Cloud(Random random, int n, int d, double spread = 2.0)
    {
        var x = new float[n * d];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < d; j++)
            {
                x[(i * d) + j] = (float)(Gaussian(random) * (1 + (j * spread / d)));
            }
        }

        return x;
    }

    /// <summary>A random orthogonal d × d matrix: Gram-Schmidt (QR) of a Gaussian matrix, row-major.</summary>
    public static double[] RandomOrthogonal(Random random, int d)
    {
        var q = new double[d * d];
        for (int i = 0; i < q.Length; i++)
        {
            q[i] = Gaussian(random);
        }

        for (int k = 0; k < d; k++)
        {
            for (int pass = 0; pass < 2; pass++)
            {
                for (int j = 0; j < k; j++)
                {
                    double dot = 0;
                    for (int t = 0; t < d; t++)
                    {
                        dot += q[(k * d) + t] * q[(j * d) + t];
                    }

                    for (int t = 0; t < d; t++)
                    {
                        q[(k * d) + t] -= dot * q[(j * d) + t];
                    }
                }
            }

            double norm = 0;
            for (int t = 0; t < d; t++)
            {
                norm += q[(k * d) + t] * q[(k * d) + t];
            }

            norm = Math.Sqrt(norm);
            for (int t = 0; t < d; t++)
            {
                q[(k * d) + t] /= norm;
            }
        }

        return q;
    }

    /// <summary>y_i = (x_i · M) · scale + shift, in double, rounded to float.</summary>
    public static float[] Transform(float[] x, int n, int ds, double[] m, int dt, double scale, double[] shift)
    {
        var y = new float[n * dt];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < dt; j++)
            {
                double sum = 0;
                for (int p = 0; p < ds; p++)
                {
                    sum += x[(i * ds) + p] * m[(p * dt) + j];
                }

                y[(i * dt) + j] = (float)((sum * scale) + shift[j]);
            }
        }

        return y;
    }

    public static double[] Vector(Random random, int d, double scale)
    {
        var v = new double[d];
        for (int i = 0; i < d; i++)
        {
            v[i] = Gaussian(random) * scale;
        }

        return v;
    }

    public static float[] ApplyAll(VectorBridge bridge, float[] sources, int n)
    {
        var result = new float[n * bridge.TargetDimension];
        bridge.ApplyBatch(sources, n, result);
        return result;
    }

    public static double SumSquaredError(float[] a, float[] b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double diff = (double)a[i] - b[i];
            sum += diff * diff;
        }

        return sum;
    }

    public static double MaxAbsDifference(float[] a, float[] b)
    {
        double max = 0;
        for (int i = 0; i < a.Length; i++)
        {
            max = Math.Max(max, Math.Abs((double)a[i] - b[i]));
        }

        return max;
    }
}
