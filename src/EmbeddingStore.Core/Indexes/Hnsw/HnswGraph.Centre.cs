// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Vectors;

namespace EmbeddingStore.Core.Indexes.Hnsw;

// Centring the build. Some embedding models put every vector in a narrow cone: on fortunes, snowflake-arctic-embed-xs's
// corpus mean has norm 0.85 (the vectors are unit length), MiniLM's 0.31. Neighbours chosen by the raw inner product are
// then chosen mostly by the shared component, and queries that sit off the corpus (Arctic's carry an instruction
// prefix) need a very long candidate list: hnswlib needs ef ≈ 1,000 for recall@10 0.95 there. The build here chooses
// links by the angle between the residuals x − μ instead — sim(a, b) = cos(a − μ, b − μ) — which in hnswlib's insert
// and heuristic took Arctic to 0.956 at ef 128, a seeded cone of 20 clusters from 0.864 to 0.914 at ef 32, and left
// MiniLM where it was (0.927 against 0.925 at ef 32; docs/bench/issue-10.md, "Arctic"). (The inner product of the
// residuals, without the normalisation, helped Arctic less and cost the cone recall: 0.783 at ef 32.)
//
// Only the build's node-to-node similarity changes, computed from the raw dot product and two stored floats per node:
// (a − μ)·(b − μ) = a·b − a·μ − b·μ + μ·μ, divided by the residuals' norms. Searches walk the same graph on the raw rows
// with the raw query and return raw scores, so what a search ranks and returns is unchanged; only which rows are linked
// is.
//
// The centre is taken for the inner-product metrics (cosine, dot) once the mean holds CentringEnergyShare of the rows'
// mean squared norm; below that the residuals are the rows and centring would change nothing but the cost. L2 and L1
// distances do not change under a shift.
internal sealed partial class HnswGraph
{
    // MiniLM's share is 0.10 and centred it builds as good a graph; only a mean near zero is left alone.
    internal const double CentringEnergyShare = 0.05;

    // Fewer rows than this give a mean too noisy to build on; their graph is small enough not to need it.
    internal const int MinRowsForCentre = 256;

    private float[]? _centre;
    private float _centreNorm2;

    // Per node, when centred (indexed by row, grown with the graph): row · μ, and 1 / |row − μ| (0 for a row at μ).
    private float[] _offsets = [];
    private float[] _inverseNorms = [];

    // Whether the build's similarities are taken between centred rows (for tests).
    public bool IsCentred => _centre is not null;

    // The centre a graph over `segment` is built around, or null for an uncentred build: the mean of the live rows when
    // the metric is an inner product and the mean holds at least CentringEnergyShare of their energy.
    public static float[]? ChooseCentre(VectorSegment segment)
    {
        DistanceMetric metric = segment.Version.Metric;
        if ((metric is not (DistanceMetric.CosineSimilarity or DistanceMetric.DotProduct)) || segment.LiveCount < MinRowsForCentre)
        {
            return null;
        }

        int dimension = segment.Dimension;
        var sum = new double[dimension];
        double energy = 0;
        int rows = 0;
        for (int row = 0; row < segment.RowCount; row++)
        {
            if (segment.ItemAt(row) is null)
            {
                continue;
            }

            ReadOnlySpan<float> vector = segment.Row(row);
            for (int d = 0; d < dimension; d++)
            {
                sum[d] += vector[d];
            }

            energy += VectorMath.Dot(vector, vector);
            rows++;
        }

        var centre = new float[dimension];
        double norm2 = 0;
        for (int d = 0; d < dimension; d++)
        {
            double mean = sum[d] / rows;
            centre[d] = (float)mean;
            norm2 += mean * mean;
        }

        return energy > 0 && norm2 >= CentringEnergyShare * (energy / rows) ? centre : null;
    }

    // Builds around `centre` (null: uncentred): the rows that are nodes already (a loaded or remapped graph) take their two
    // floats now, every other row when it is inserted. Before any row is linked.
    public void SetCentre(float[]? centre, VectorSegment segment)
    {
        _centre = centre;
        _centreNorm2 = centre is null ? 0 : VectorMath.Dot(centre, centre);
        int length = centre is null ? 0 : Math.Max(Capacity, segment.RowCount);
        _offsets = new float[length];
        _inverseNorms = new float[length];
        for (int row = 0; centre is not null && row < segment.RowCount; row++)
        {
            if (Contains(row))
            {
                TakeOffset(segment, row);
            }
        }
    }

    // Takes the two floats of a row about to be (re)linked: its vector may be new.
    private void TakeOffset(VectorSegment segment, int row)
    {
        if (_centre is not { } centre)
        {
            return;
        }

        ReadOnlySpan<float> vector = segment.Row(row);
        float offset = VectorMath.Dot(vector, centre);
        float residual2 = VectorMath.Dot(vector, vector) - (2 * offset) + _centreNorm2;
        _offsets[row] = offset;
        _inverseNorms[row] = residual2 > 1e-12f ? 1f / MathF.Sqrt(residual2) : 0f;
    }

    private void GrowCentre(int capacity)
    {
        if (_centre is not null && _offsets.Length < capacity)
        {
            Array.Resize(ref _offsets, capacity);
            Array.Resize(ref _inverseNorms, capacity);
        }
    }

    // The build's similarity of two nodes (higher is closer): the raw score, or the cosine of the centred rows.
    private float Similarity(VectorSegment segment, int a, int b, DistanceMetric metric)
    {
        float raw = Score(segment.Row(a), segment.Row(b), metric);
        return _centre is null ? raw : (raw - _offsets[a] - _offsets[b] + _centreNorm2) * _inverseNorms[a] * _inverseNorms[b];
    }

    // How an insert of `row` turns the raw scores of its searches (the row against others) into similarities.
    private BuildScoring ScoringFor(int row) =>
        _centre is null ? default : new BuildScoring(true, _offsets[row] - _centreNorm2, _inverseNorms[row]);

    // Raw scores of `rows` against the inserted row, in place, to similarities.
    private void Rescore(BuildScoring scoring, ReadOnlySpan<int> rows, Span<float> scores)
    {
        if (!scoring.Centred)
        {
            return;
        }

        for (int i = 0; i < rows.Length; i++)
        {
            scores[i] = Rescore(scoring, rows[i], scores[i]);
        }
    }

    private float Rescore(BuildScoring scoring, int row, float raw) =>
        scoring.Centred ? (raw - _offsets[row] - scoring.Shift) * _inverseNorms[row] * scoring.Scale : raw;
}

// What a centred build applies to a raw score r of a row y against the inserted row x: (r − y·μ − Shift) / |y − μ| ·
// Scale, with Shift = x·μ − μ·μ and Scale = 1 / |x − μ|. The default (a search, or an uncentred build) leaves r alone.
internal readonly record struct BuildScoring(bool Centred, float Shift, float Scale);
