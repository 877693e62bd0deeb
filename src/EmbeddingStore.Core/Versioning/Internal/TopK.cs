// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Core.Versioning.Internal;

/// <summary>
/// Bounded selection of the k best (score, id) pairs: higher score first, equal scores to the lower id, the same
/// order the shared ground-truth files use. A min-heap of size k, reused across queries, allocates nothing per call.
/// </summary>
internal sealed class TopK
{
    private readonly float[] _scores;
    private readonly int[] _ids;
    private int _count;

    public TopK(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _scores = new float[capacity];
        _ids = new int[capacity];
    }

    public int Count => _count;

    public void Clear() => _count = 0;

    public void Add(float score, int id)
    {
        if (_count < _scores.Length)
        {
            // Sift up.
            int i = _count++;
            while (i > 0)
            {
                int parent = (i - 1) / 2;
                if (!Worse(score, id, _scores[parent], _ids[parent]))
                {
                    break;
                }

                _scores[i] = _scores[parent];
                _ids[i] = _ids[parent];
                i = parent;
            }

            _scores[i] = score;
            _ids[i] = id;
            return;
        }

        if (!Worse(_scores[0], _ids[0], score, id))
        {
            return;
        }

        // Replace the root (the worst kept) and sift down.
        int index = 0;
        while (true)
        {
            int left = (2 * index) + 1;
            if (left >= _count)
            {
                break;
            }

            int child = left + 1 < _count && Worse(_scores[left + 1], _ids[left + 1], _scores[left], _ids[left]) ? left + 1 : left;
            if (!Worse(_scores[child], _ids[child], score, id))
            {
                break;
            }

            _scores[index] = _scores[child];
            _ids[index] = _ids[child];
            index = child;
        }

        _scores[index] = score;
        _ids[index] = id;
    }

    /// <summary>Writes the kept ids best first into <paramref name="ids"/> (and scores if given); returns how many.</summary>
    public int Drain(Span<int> ids, Span<float> scores = default)
    {
        int n = _count;
        for (int i = n - 1; i >= 0; i--)
        {
            // Pop the worst into the last free slot.
            ids[i] = _ids[0];
            if (!scores.IsEmpty)
            {
                scores[i] = _scores[0];
            }

            float lastScore = _scores[_count - 1];
            int lastId = _ids[_count - 1];
            _count--;
            if (_count > 0)
            {
                int index = 0;
                while (true)
                {
                    int left = (2 * index) + 1;
                    if (left >= _count)
                    {
                        break;
                    }

                    int child = left + 1 < _count && Worse(_scores[left + 1], _ids[left + 1], _scores[left], _ids[left]) ? left + 1 : left;
                    if (!Worse(_scores[child], _ids[child], lastScore, lastId))
                    {
                        break;
                    }

                    _scores[index] = _scores[child];
                    _ids[index] = _ids[child];
                    index = child;
                }

                _scores[index] = lastScore;
                _ids[index] = lastId;
            }
        }

        return n;
    }

    // True when (s1, id1) ranks below (s2, id2).
    private static bool Worse(float s1, int id1, float s2, int id2) => s1 < s2 || (s1 == s2 && id1 > id2);
}
