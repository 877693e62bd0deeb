// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;

namespace EmbeddingStore.Core.Vectors;

// A segment's floats, outside the GC heap (docs/memory.md). A pinned array, what segments used before, had three costs
// the resident set showed: an outgrown array stayed resident as garbage until a gen2 collection freed and decommitted
// it; the doubling slack was address space the GC had usually touched already; and every growth copied every row.
// This block instead:
//  - frees an outgrown block at once (munmap or free), so nothing outgrown stays resident;
//  - on Linux takes large blocks straight from mmap, whose pages are committed on first write: capacity beyond the rows
//    in use costs address space, not memory;
//  - grows a large block with mremap, which moves page mappings instead of copying the rows;
//  - advises large blocks for transparent huge pages (THP "madvise" mode is Debian's default): one fault per 2 MiB
//    instead of per 4 KiB while start-up fills a segment, and fewer TLB misses in the scans over it;
//  - starts on a 64-byte boundary (mmap gives a page, AlignedAlloc the asked alignment), so rows whose byte length is a
//    multiple of 64 are all cache-line aligned (docs/bench/issue-3.md: a .NET array's data is only 8-byte aligned).
// Lifetime: Resize frees the old block, which is safe only because its owner resizes under a lock that excludes every
// reader of the floats (VectorSegment: the collection's write lock and writer gate). The finalizer frees the last block,
// once nothing can reach this object and so nothing can read through it. Not thread-safe.
internal sealed unsafe partial class NativeFloats
{
    public const int Alignment = 64;

    // Below this a block comes from the C heap: mmap rounds up to pages and costs a syscall and a mapping per block,
    // which many small segments (thousands of test collections) should not pay.
    private const long MapThresholdBytes = 1L << 20;

    private const long HugePageBytes = 2L << 20;

    private const int ProtRead = 0x1;
    private const int ProtWrite = 0x2;
    private const int MapPrivate = 0x02;
    private const int MapAnonymous = 0x20;
    private const int MremapMayMove = 0x1;
    private const int MadvHugePage = 14;

    private static readonly bool CanMap = OperatingSystem.IsLinux();

    private float* _pointer;
    private long _bytes;
    private bool _mapped;

    ~NativeFloats() => Release(_pointer, _bytes, _mapped);

    // Floats the block holds.
    public long Capacity { get; private set; }

    // Bytes the block has reserved (its resident part is what has been written).
    public long ReservedBytes => _bytes;

    // Whether the block is a private mapping (large blocks on Linux) rather than C-heap memory.
    public bool IsMapped => _mapped;

    // The first float's address: what the alignment tests look at.
    public nuint Address => (nuint)_pointer;

    // On every row access (HNSW scores rows one by one through it), so the throw stays out of line and this inlines.
    public Span<float> Slice(long start, int length)
    {
        if (start < 0 || length < 0 || start + length > Capacity)
        {
            ThrowOutside(start, length, Capacity);
        }

        return new Span<float>(_pointer + start, length);
    }

    // Makes the block hold `floats` floats, keeping the first `keep` (keep <= both the old and the new capacity). The old
    // block is gone when this returns: no span over it may outlive the call.
    public void Resize(long floats, long keep)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(floats);
        if (keep < 0 || keep > floats || keep > Capacity)
        {
            throw new ArgumentOutOfRangeException(nameof(keep), $"Cannot keep {keep} floats of {Capacity} in a block of {floats}.");
        }

        long bytes = floats * sizeof(float);
        bool map = CanMap && bytes >= MapThresholdBytes;
        long size = map ? RoundUp(bytes, Environment.SystemPageSize) : RoundUp(bytes, Alignment);
        if (size == _bytes && map == _mapped)
        {
            Capacity = floats;
            return;
        }

        float* pointer;
        if (map && _mapped)
        {
            pointer = Remap(_pointer, _bytes, size);
        }
        else
        {
            pointer = size == 0 ? null : Allocate(size, map);
            if (keep > 0)
            {
                Buffer.MemoryCopy(_pointer, pointer, size, keep * sizeof(float));
            }

            Release(_pointer, _bytes, _mapped);
        }

        if (map)
        {
            Advise(pointer, size);
        }

        if (size > _bytes)
        {
            GC.AddMemoryPressure(size - _bytes);
        }
        else if (size < _bytes)
        {
            GC.RemoveMemoryPressure(_bytes - size);
        }

        _pointer = pointer;
        _bytes = size;
        _mapped = map;
        Capacity = floats;
    }

    [DoesNotReturn]
    private static void ThrowOutside(long start, int length, long capacity) =>
        throw new ArgumentOutOfRangeException(nameof(start), $"Floats [{start}, {start + length}) are outside a block of {capacity}.");

    private static long RoundUp(long value, long multiple) => (value + multiple - 1) / multiple * multiple;

    private static float* Allocate(long size, bool map)
    {
        if (map)
        {
            nint address = Mmap(0, (nuint)size, ProtRead | ProtWrite, MapPrivate | MapAnonymous, -1, 0);
            if (address == -1)
            {
                throw new OutOfMemoryException($"mmap of {size} bytes failed (errno {Marshal.GetLastPInvokeError()}).");
            }

            return (float*)address;
        }

        return (float*)NativeMemory.AlignedAlloc((nuint)size, Alignment);
    }

    private static float* Remap(float* pointer, long oldSize, long newSize)
    {
        nint address = Mremap((nint)pointer, (nuint)oldSize, (nuint)newSize, MremapMayMove);
        if (address == -1)
        {
            throw new OutOfMemoryException($"mremap from {oldSize} to {newSize} bytes failed (errno {Marshal.GetLastPInvokeError()}).");
        }

        return (float*)address;
    }

    // Advice only: a kernel without THP, or with it off, refuses and the block works on small pages.
    private static void Advise(float* pointer, long size)
    {
        if (size >= HugePageBytes)
        {
            _ = Madvise((nint)pointer, (nuint)size, MadvHugePage);
        }
    }

    private static void Release(float* pointer, long size, bool mapped)
    {
        if (pointer is null)
        {
            return;
        }

        if (mapped)
        {
            _ = Munmap((nint)pointer, (nuint)size);
        }
        else
        {
            NativeMemory.AlignedFree(pointer);
        }

        GC.RemoveMemoryPressure(size);
    }

    [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    private static partial nint Mmap(nint address, nuint length, int protection, int flags, int fd, nint offset);

    // mremap is variadic in C; the fifth argument is read only with MREMAP_FIXED, which is never passed here.
    [LibraryImport("libc", EntryPoint = "mremap", SetLastError = true)]
    private static partial nint Mremap(nint oldAddress, nuint oldLength, nuint newLength, int flags);

    [LibraryImport("libc", EntryPoint = "munmap")]
    private static partial int Munmap(nint address, nuint length);

    [LibraryImport("libc", EntryPoint = "madvise")]
    private static partial int Madvise(nint address, nuint length, int advice);
}
