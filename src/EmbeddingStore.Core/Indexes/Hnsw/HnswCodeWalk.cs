// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Indexes.Quantized;
using EmbeddingStore.Core.Vectors;

namespace EmbeddingStore.Core.Indexes.Hnsw;

// A graph walk scored on the segment's int8 codes (the int8 kind's Int8Segment, borrowed read-only under the collection's
// read lock) instead of its floats: a quarter of the bytes per visited row, so on a segment larger than the caches each
// neighbour costs two cache lines at 128 dimensions instead of eight. The walk's scores approximate the float scores on
// the same scale (dot and cosine: q·x; L2: −‖q − x‖² from 2 q·x − ‖x‖² − ‖q‖²), so the frontier and the ef results
// are ordered as the float walk orders them up to quantisation error; the caller re-scores the ef results with the
// floats, so every returned score is the exact scan's. One per HnswScratch, so a search allocates nothing.
internal sealed class HnswCodeWalk
{
    private sbyte[] _query = [];
    private int[] _dots = [];
    private Int8Segment? _codes;
    private float _scale;
    private float _offset;
    private float _queryNorm2;
    private bool _euclidean;

    // Binds the walk to `codes` for one query: the query's codes within the gathered kernel's range.
    public void Prepare(Int8Segment codes, ReadOnlySpan<float> query, DistanceMetric metric, int maxLinks)
    {
        if (_query.Length < query.Length)
        {
            _query = new sbyte[query.Length];
        }

        if (_dots.Length < maxLinks)
        {
            _dots = new int[maxLinks];
        }

        _codes = codes;
        codes.Quantizer.PrepareQuery(query, _query.AsSpan(0, query.Length), out _scale, out _offset, VectorMath.GatheredCodeQueryLimit);
        _euclidean = metric == DistanceMetric.Euclidean;
        _queryNorm2 = _euclidean ? VectorMath.Dot(query, query) : 0f;
        Dimension = query.Length;
    }

    public int Dimension { get; private set; }

    // Approximate scores of scattered rows (at most maxLinks of them), higher is closer.
    public void Score(ReadOnlySpan<int> rows, Span<float> scores)
    {
        Span<int> dots = _dots.AsSpan(0, rows.Length);
        VectorMath.DotGatheredCodes(_query.AsSpan(0, Dimension), _codes!.Codes, rows, dots);
        if (_euclidean)
        {
            ReadOnlySpan<float> norms = _codes.SquaredNorms;
            for (int i = 0; i < rows.Length; i++)
            {
                scores[i] = (2f * (_offset + (_scale * dots[i]))) - norms[rows[i]] - _queryNorm2;
            }
        }
        else
        {
            for (int i = 0; i < rows.Length; i++)
            {
                scores[i] = _offset + (_scale * dots[i]);
            }
        }
    }

    public float Score(int row)
    {
        float score = 0;
        Score(new ReadOnlySpan<int>(in row), new Span<float>(ref score));
        return score;
    }

    // Drops the reference to the code table, so a retrained one is not kept alive by a pooled scratch.
    public void Release() => _codes = null;
}
