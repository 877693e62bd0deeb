// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using BenchmarkDotNet.Attributes;
using EmbeddingStore.Core.Versioning;

namespace EmbeddingStore.Benchmarks.Versioning;

// Issue 4's cost targets for bridges between 384-d versions: applying a bridge to one query (≤ 10 µs, allocation-free)
// and fitting one on 5,000 pairs (≤ 1 s). Synthetic pairs (a seeded rotation plus noise) have the shape of the real
// task; the shared MiniLM/Arctic figures are in docs/harmonic-bridges.md.
[MemoryDiagnoser]
public class BridgeBenchmarks
{
    private const int Dimension = 384;
    private const int Pairs = 5_000;
    private float[] _sources = [];
    private float[] _targets = [];
    private float[] _query = [];
    private float[] _mapped = [];
    private VectorBridge _bridge = null!;

    [Params(BridgeKind.Procrustes, BridgeKind.Ridge, BridgeKind.LowRankAffine)]
    public BridgeKind Kind { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(4);
        _sources = Seeded(random, Pairs * Dimension);
        _targets = new float[Pairs * Dimension];

        // Target = a fixed random mix of the source coordinates plus noise: a linear relation with residual, like two models.
        float[] mix = Seeded(random, Dimension * 8);
        for (int p = 0; p < Pairs; p++)
        {
            for (int d = 0; d < Dimension; d++)
            {
                float sum = 0;
                for (int j = 0; j < 8; j++)
                {
                    sum += mix[(d * 8) + j] * _sources[(p * Dimension) + ((d + (j * 47)) % Dimension)];
                }

                _targets[(p * Dimension) + d] = sum + ((float)random.NextDouble() * 0.1f);
            }
        }

        _query = Seeded(random, Dimension);
        _mapped = new float[Dimension];
        _bridge = Fit();
    }

    [Benchmark]
    public void Apply() => _bridge.Apply(_query, _mapped);

    [Benchmark]
    public VectorBridge Fit() =>
        BridgeFitter.Fit(Kind, _sources, Dimension, _targets, Dimension, new BridgeFitOptions { NormalizeOutput = true, Rank = Kind == BridgeKind.LowRankAffine ? 128 : 0 });

    private static float[] Seeded(Random random, int length) => [.. Enumerable.Range(0, length).Select(_ => (float)((random.NextDouble() * 2) - 1))];
}
