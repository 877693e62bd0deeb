// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace EmbeddingStore.Core.Vectors;

// Float storage whose first element sits on a cache-line boundary. A .NET array's data is only 8-byte aligned
// (docs/bench/issue-3.md), so every 512-bit load of an unaligned segment straddles two cache lines; with the base
// aligned, rows whose byte length is a multiple of 64 (d = 16, 32, ..., 384, 768) are all line-aligned. The array is
// allocated on the pinned object heap, because the alignment holds only while the GC never moves it.
internal static class AlignedFloats
{
    public const int Alignment = 64;

    private const int Slack = (Alignment / sizeof(float)) - 1;

    // An uninitialised pinned array of at least `floats` floats from `origin` on, with &array[origin] 64-byte aligned.
    public static float[] Allocate(long floats, out int origin)
    {
        if (floats + Slack > Array.MaxLength)
        {
            throw new OutOfMemoryException($"{floats} floats do not fit one array.");
        }

        float[] array = GC.AllocateUninitializedArray<float>((int)floats + Slack, pinned: true);
        origin = OriginOf(array);
        return array;
    }

    // The first index of `array` on a 64-byte boundary (valid only for pinned arrays, which never move).
    public static unsafe int OriginOf(float[] array)
    {
        nuint address = (nuint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));
        int misalignment = (int)(address % Alignment);
        return misalignment == 0 ? 0 : (Alignment - misalignment) / sizeof(float);
    }
}
