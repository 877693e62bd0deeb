// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Indexes;
using EmbeddingStore.Core.Vectors;

namespace EmbeddingStore.Core.Tests.Indexes.Conformance;

// An index kind that exists only in this test project: a plain scalar scan that walks the rows backwards. It shows what a
// new kind costs: this one file (the index, its factory, a registry that knows it) and not one line in src/. It passes
// the same conformance suite as the built-in kinds, searched by name like them.
public sealed class TestOnlyIndexConformanceTests : IndexConformanceTests
{
    private static readonly IndexKind s_kind = new("test-backwards");

    private protected override IndexKind Kind => s_kind;

    private protected override double RecallFloor => 1.0;

    private protected override IndexRegistry Registry { get; } = IndexRegistry.CreateDefault().Add(new BackwardsFactory());

    private sealed class BackwardsFactory : IVectorIndexFactory
    {
        public IndexKind Kind => s_kind;

        public IVectorIndex Create(VectorSegment segment) => new BackwardsIndex();

        public StoreError? Validate(IndexOptions options, EngineLimits limits) => null;
    }

    private sealed class BackwardsIndex : IVectorIndex
    {
        public IndexKind Kind => s_kind;

        public bool NeedsBuild => false;

        public long MemoryBytes => 0;

        public void Search(IndexSearch search, ReadOnlySpan<float> query, TopKCollector top)
        {
            Span<float> score = stackalloc float[1];
            for (int row = search.Segment.RowCount - 1; row >= 0; row--)
            {
                search.CancellationToken.ThrowIfCancellationRequested();
                VectorMath.ScoreRows(query, search.Segment.Row(row), search.Segment.Version.Metric, score);
                if (top.Admits(score[0]) && search.Accept(row) is { } item)
                {
                    top.Offer(score[0], item);
                }
            }
        }

        public void SearchBatch(IndexSearch search, float[] queries, TopKCollector[] tops)
        {
            int dimension = search.Segment.Dimension;
            for (int i = 0; i < tops.Length; i++)
            {
                Search(search, queries.AsSpan(i * dimension, dimension), tops[i]);
            }
        }

        public void OnUpsert(int row, ReadOnlySpan<float> vector)
        {
        }

        public void OnDelete(int row)
        {
        }

        public void OnCompacted(ReadOnlySpan<int> oldToNew, int newRowCount)
        {
        }

        public void Build(VectorSegment segment, CancellationToken cancellationToken)
        {
        }

        public bool TrySave(Stream destination) => false;

        public bool TryLoad(Stream source, VectorSegment segment) => false;
    }
}
