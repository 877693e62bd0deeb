// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Diagnostics;

namespace EmbeddingStore.Core.Indexes.Quantized;

// Per-dimension affine int8 quantisation: x ≈ low[d] + step[d] · u with u ∈ [0, 255], ranges trained from the data.
// Per-dimension ranges matter for real embeddings, whose dimensions differ in spread by an order of magnitude; one global
// range would spend most codes on values no dimension uses. Immutable once trained, so searches can share it freely.
internal sealed class ScalarQuantizer
{
    public const int Levels = 255;

    // Query codes use ±127 (not -128) so that negating a query stays symmetric.
    private const int QueryLevels = 127;

    private readonly float[] _low;
    private readonly float[] _step;

    private ScalarQuantizer(float[] low, float[] step)
    {
        _low = low;
        _step = step;
    }

    public int Dimension => _low.Length;

    // The minimum and maximum of every dimension over `count` rows of `data`.
    public static ScalarQuantizer Train(ReadOnlySpan<float> data, int dimension, int count)
    {
        Debug.Assert(data.Length >= count * dimension);
        var low = new float[dimension];
        var high = new float[dimension];
        if (count == 0)
        {
            Array.Fill(high, 1f);
        }
        else
        {
            data[..dimension].CopyTo(low);
            data[..dimension].CopyTo(high);
            for (int r = 1; r < count; r++)
            {
                ReadOnlySpan<float> row = data.Slice(r * dimension, dimension);
                for (int d = 0; d < dimension; d++)
                {
                    float x = row[d];
                    low[d] = MathF.Min(low[d], x);
                    high[d] = MathF.Max(high[d], x);
                }
            }
        }

        var step = new float[dimension];
        for (int d = 0; d < dimension; d++)
        {
            // A constant dimension gets a unit step: every code is 0 and the value is exactly `low`.
            float range = high[d] - low[d];
            step[d] = range > 0f && float.IsFinite(range) ? range / Levels : 1f;
        }

        return new ScalarQuantizer(low, step);
    }

    // Encodes one vector; values outside the trained range are clamped. Returns how many were clamped, which drives
    // the retraining policy of Int8Segment.
    public int Encode(ReadOnlySpan<float> vector, Span<byte> codes)
    {
        Debug.Assert(vector.Length == Dimension && codes.Length >= Dimension);
        int clamped = 0;
        for (int d = 0; d < vector.Length; d++)
        {
            float u = MathF.Round((vector[d] - _low[d]) / _step[d]);
            if (u < 0f)
            {
                u = 0f;
                clamped++;
            }
            else if (u > Levels)
            {
                u = Levels;
                clamped++;
            }

            codes[d] = (byte)u;
        }

        return clamped;
    }

    // Turns a float query into signed codes so that q · x ≈ offset + scale · Σ codes[d] · u[d]:
    // q · x = Σ q[d]·low[d] + Σ (q[d]·step[d]) · u[d], and the weights q[d]·step[d] are quantised with one scale, into
    // ±levels (127 for the scan; a graph walk on codes uses the gathered kernel's ±63, VectorMath.GatheredCodeQueryLimit).
    public void PrepareQuery(ReadOnlySpan<float> query, Span<sbyte> codes, out float scale, out float offset, int levels = QueryLevels)
    {
        Debug.Assert(levels is > 0 and <= QueryLevels);
        Debug.Assert(query.Length == Dimension && codes.Length >= Dimension);
        double constant = 0;
        float maxAbs = 0f;
        for (int d = 0; d < query.Length; d++)
        {
            constant += (double)query[d] * _low[d];
            maxAbs = MathF.Max(maxAbs, MathF.Abs(query[d] * _step[d]));
        }

        scale = maxAbs > 0f ? maxAbs / levels : 1f;
        for (int d = 0; d < query.Length; d++)
        {
            codes[d] = (sbyte)Math.Clamp(MathF.Round(query[d] * _step[d] / scale), -levels, levels);
        }

        offset = (float)constant;
    }
}
