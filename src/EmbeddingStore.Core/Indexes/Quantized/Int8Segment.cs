// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Core.Collections;
using EmbeddingStore.Core.Vectors;

namespace EmbeddingStore.Core.Indexes.Quantized;

// The int8 codes of one VectorSegment, row for row (the segment's stable row numbers; tombstoned rows keep stale codes
// that searches skip, and compaction remaps both together), a quarter of its bytes.
//
// Lifecycle and retraining policy (Int8Index applies it, on the write side):
//  - Built by the index's Build (training costs one pass over the floats), then kept up to date by every upsert under
//    the collection's write lock, so queries pay nothing.
//  - A value outside the trained range is clamped to the nearest end. Clamping only costs candidate quality, never
//    correctness: results are re-scored with the float vectors. The segment asks to be retrained when more than 1 row
//    in 32 written since training was clamped, or when it has doubled in size since training (ranges learnt from a
//    small start rarely describe a large collection). Retraining builds a new Int8Segment and swaps the reference, so
//    searches already scanning the old one finish undisturbed.
internal sealed class Int8Segment
{
    private readonly int _dimension;
    private byte[] _codes;
    private float[] _squaredNorms;
    private int _clampedRows;

    private Int8Segment(ScalarQuantizer quantizer, int dimension, int capacity, int trainedCount)
    {
        Quantizer = quantizer;
        _dimension = dimension;
        _codes = new byte[Math.Max(1, capacity) * dimension];
        _squaredNorms = new float[Math.Max(1, capacity)];
        TrainedCount = trainedCount;
    }

    public ScalarQuantizer Quantizer { get; }

    public int TrainedCount { get; }

    public int Count { get; private set; }

    public ReadOnlySpan<byte> Codes => _codes.AsSpan(0, Count * _dimension);

    // ‖x‖² per row, which turns an approximate dot product into an approximate L2 ranking.
    public ReadOnlySpan<float> SquaredNorms => _squaredNorms.AsSpan(0, Count);

    public bool NeedsRetraining(int segmentCount) =>
        _clampedRows > Math.Max(8, segmentCount / 32) || (segmentCount >= 2 * TrainedCount && segmentCount - TrainedCount >= 1_024);

    public static Int8Segment Build(VectorSegment segment)
    {
        int count = segment.RowCount;
        int dimension = segment.Dimension;
        ScalarQuantizer quantizer = ScalarQuantizer.Train(segment.Data, dimension, count);
        var built = new Int8Segment(quantizer, dimension, count, count);
        for (int row = 0; row < count; row++)
        {
            built.Set(row, segment.Row(row));
        }

        built._clampedRows = 0;
        return built;
    }

    // Writes (or appends, when row == Count) one row's codes.
    public void Set(int row, ReadOnlySpan<float> vector)
    {
        if (row >= Count)
        {
            EnsureCapacity(row + 1);
            Count = row + 1;
        }

        if (Quantizer.Encode(vector, _codes.AsSpan(row * _dimension, _dimension)) > 0)
        {
            _clampedRows++;
        }

        _squaredNorms[row] = VectorMath.Dot(vector, vector);
    }

    // Mirrors VectorSegment.Compact: live rows move down, keeping their order.
    public void Compact(ReadOnlySpan<int> oldToNew, int newRowCount)
    {
        int rows = Math.Min(Count, oldToNew.Length);
        for (int row = 0; row < rows; row++)
        {
            int target = oldToNew[row];
            if (target >= 0 && target != row)
            {
                _codes.AsSpan(row * _dimension, _dimension).CopyTo(_codes.AsSpan(target * _dimension, _dimension));
                _squaredNorms[target] = _squaredNorms[row];
            }
        }

        Count = newRowCount;
    }

    public long MemoryBytes => _codes.LongLength + (_squaredNorms.LongLength * sizeof(float));

    private void EnsureCapacity(int rows)
    {
        if (rows <= _squaredNorms.Length)
        {
            return;
        }

        int capacity = Math.Max(rows, _squaredNorms.Length * 2);
        Array.Resize(ref _codes, capacity * _dimension);
        Array.Resize(ref _squaredNorms, capacity);
    }
}
