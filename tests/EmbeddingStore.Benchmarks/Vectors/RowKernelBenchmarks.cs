// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using EmbeddingStore.Core.Vectors;

namespace EmbeddingStore.Benchmarks.Vectors;

// The scan kernels on one block of rows that stays in cache (the kernel's own speed, not memory's): the fused kernels
// against a TensorPrimitives.Dot call per row, the batched kernel per query scored, and the int8 kernel.
[MemoryDiagnoser]
public class RowKernelBenchmarks
{
    private const int Rows = 256;
    private float[] _query = [];
    private float[] _queries = [];
    private float[] _rows = [];
    private float[] _scores = [];
    private float[] _batchScores = [];
    private sbyte[] _codeQuery = [];
    private byte[] _codes = [];
    private int[] _intScores = [];

    [Params(128, 384, 768, 1536, 383)]
    public int Dimension { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        _query = Seeded(random, Dimension);
        _queries = Seeded(random, VectorMath.BatchQueryBlock * Dimension);
        _rows = Seeded(random, Rows * Dimension);
        _scores = new float[Rows];
        _batchScores = new float[VectorMath.BatchQueryBlock * Rows];
        _codeQuery = [.. Enumerable.Range(0, Dimension).Select(_ => (sbyte)random.Next(-127, 128))];
        _codes = new byte[Rows * Dimension];
        random.NextBytes(_codes);
        _intScores = new int[Rows];
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Rows)]
    public void TensorPrimitivesDotPerRow()
    {
        for (int r = 0; r < Rows; r++)
        {
            _scores[r] = TensorPrimitives.Dot(_query, _rows.AsSpan(r * Dimension, Dimension));
        }
    }

    [Benchmark(OperationsPerInvoke = Rows)]
    public void DotRows() => VectorMath.DotRows(_query, _rows, _scores);

    [Benchmark(OperationsPerInvoke = Rows)]
    public void SquaredEuclideanRows() => VectorMath.SquaredEuclideanRows(_query, _rows, _scores);

    // Per (query, row) pair, so it compares directly with DotRows.
    [Benchmark(OperationsPerInvoke = Rows * VectorMath.BatchQueryBlock)]
    public void ScoreRowsBatch() => VectorMath.ScoreRowsBatch(_queries, Dimension, _rows, Rows, DistanceMetric.DotProduct, _batchScores);

    [Benchmark(OperationsPerInvoke = Rows)]
    public void DotRowsInt8() => VectorMath.DotRowsInt8(_codeQuery, _codes, _intScores);

    private static float[] Seeded(Random random, int n) => [.. Enumerable.Range(0, n).Select(_ => (float)((random.NextDouble() * 2) - 1))];
}
