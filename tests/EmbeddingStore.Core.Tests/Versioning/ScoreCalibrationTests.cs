// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Versioning;

namespace EmbeddingStore.Core.Tests.Versioning;

public sealed class ScoreCalibrationTests
{
    [Fact]
    public void Fit_NoisyData_IsMonotoneNonDecreasing()
    {
        var random = new Random(401);
        const int N = 5000;
        var x = new float[N];
        var y = new float[N];
        for (int i = 0; i < N; i++)
        {
            x[i] = (float)random.NextDouble();
            y[i] = (float)((x[i] * x[i]) + (0.3 * BridgeTestData.Gaussian(random)));
        }

        ScoreCalibration calibration = ScoreCalibration.Fit(x, y);

        Assert.InRange(calibration.KnotCount, 2, ScoreCalibration.DefaultMaxKnots);
        float previous = float.NegativeInfinity;
        for (int i = -100; i <= 1100; i++)
        {
            float value = calibration.Apply(i / 1000f);
            Assert.True(value >= previous, $"decreased at {i / 1000f}");
            previous = value;
        }
    }

    [Fact]
    public void Fit_AlreadyMonotoneRelation_ReproducesIt()
    {
        // 50 distinct points of a strictly increasing curve: every point becomes a knot and is reproduced exactly.
        float[] x = [.. Enumerable.Range(0, 50).Select(i => i / 49f)];
        float[] y = [.. x.Select(v => MathF.Pow(v, 3) + v)];

        ScoreCalibration calibration = ScoreCalibration.Fit(x, y);

        for (int i = 0; i < x.Length; i++)
        {
            Assert.Equal(y[i], calibration.Apply(x[i]), 1e-6f);
        }
    }

    [Fact]
    public void Fit_LinearRelationWithManyPoints_ReproducesItBetweenKnots()
    {
        var random = new Random(402);
        float[] x = [.. Enumerable.Range(0, 10_000).Select(_ => (float)random.NextDouble())];
        float[] y = [.. x.Select(v => (2 * v) - 0.5f)];

        ScoreCalibration calibration = ScoreCalibration.Fit(x, y, maxKnots: 16);

        Assert.True(calibration.KnotCount <= 16);
        for (int i = 5; i <= 95; i++)
        {
            float v = i / 100f;
            Assert.Equal((2 * v) - 0.5f, calibration.Apply(v), 1e-4f);
        }
    }

    [Fact]
    public void Fit_DecreasingData_PoolsToOneLevel()
    {
        float[] x = [1, 2, 3, 4];
        float[] y = [4, 3, 2, 1];

        ScoreCalibration calibration = ScoreCalibration.Fit(x, y);

        Assert.Equal(2.5f, calibration.Apply(0));
        Assert.Equal(2.5f, calibration.Apply(2.5f));
        Assert.Equal(2.5f, calibration.Apply(9));
    }

    [Fact]
    public void Apply_OutsideKnots_ClampsToEndValues()
    {
        ScoreCalibration calibration = ScoreCalibration.FromKnots([0f, 1f], [10f, 20f]);

        Assert.Equal(10f, calibration.Apply(-5));
        Assert.Equal(20f, calibration.Apply(7));
        Assert.Equal(15f, calibration.Apply(0.5f));
    }

    [Fact]
    public void Deserialize_SerializedCalibration_RoundTripsAndRejectsCorruption()
    {
        ScoreCalibration calibration = ScoreCalibration.FromKnots([0f, 0.5f, 1f], [0.1f, 0.2f, 0.9f]);
        byte[] bytes = calibration.Serialize();

        ScoreCalibration copy = ScoreCalibration.Deserialize(bytes);

        Assert.Equal(calibration.KnotInputs.ToArray(), copy.KnotInputs.ToArray());
        Assert.Equal(calibration.KnotOutputs.ToArray(), copy.KnotOutputs.ToArray());
        for (int length = 0; length < bytes.Length; length++)
        {
            Assert.Throws<InvalidDataException>(() => ScoreCalibration.Deserialize(bytes.AsSpan(0, length)));
        }

        for (int i = 0; i < bytes.Length; i++)
        {
            byte[] corrupt = (byte[])bytes.Clone();
            corrupt[i] ^= 0x21;
            Assert.Throws<InvalidDataException>(() => ScoreCalibration.Deserialize(corrupt));
        }
    }

    [Fact]
    public void FromKnots_DecreasingOutputs_Throws()
    {
        Assert.Throws<ArgumentException>(() => ScoreCalibration.FromKnots([0f, 1f], [1f, 0f]));
        Assert.Throws<ArgumentException>(() => ScoreCalibration.FromKnots([1f, 1f], [0f, 1f]));
    }
}
