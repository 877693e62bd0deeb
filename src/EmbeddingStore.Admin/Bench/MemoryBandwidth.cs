// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace EmbeddingStore.Admin.Bench;

// Measures the memory read bandwidth the scan can hope for: sums a buffer far larger than the last-level cache with
// wide loads and several independent accumulators (the scan's own access pattern, minus the arithmetic), with the
// given number of threads, and keeps the best of a few passes. One query of an exact scan must read N·D·4 bytes, so
// this bandwidth divided by that size is the floor latency, and its inverse the ceiling in queries per second.
internal static class MemoryBandwidth
{
    public static double MeasureBytesPerSecond(long bufferBytes, int threads, int passes = 5)
    {
        int perThread = (int)Math.Min(int.MaxValue / sizeof(float), bufferBytes / threads / sizeof(float)) & ~63;
        float[][] buffers = [.. Enumerable.Range(0, threads).Select(_ => new float[perThread])];
        foreach (float[] b in buffers)
        {
            // Touch every page so the first pass does not measure page faults.
            b.AsSpan().Fill(1f);
        }

        double best = 0;
        float sink = 0;
        for (int pass = 0; pass < passes; pass++)
        {
            long started = Stopwatch.GetTimestamp();
            if (threads == 1)
            {
                sink += Sum(buffers[0]);
            }
            else
            {
                var sums = new float[threads];
                Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t => sums[t] = Sum(buffers[t]));
                sink += sums.Sum();
            }

            double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            best = Math.Max(best, (double)perThread * sizeof(float) * threads / seconds);
        }

        GC.KeepAlive(sink);
        return best;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static float Sum(float[] buffer)
    {
        ref float start = ref MemoryMarshal.GetArrayDataReference(buffer);
        int length = buffer.Length;
        Vector256<float> a0 = Vector256<float>.Zero, a1 = Vector256<float>.Zero, a2 = Vector256<float>.Zero, a3 = Vector256<float>.Zero;
        for (int i = 0; i <= length - 32; i += 32)
        {
            a0 += Vector256.LoadUnsafe(ref start, (nuint)i);
            a1 += Vector256.LoadUnsafe(ref start, (nuint)(i + 8));
            a2 += Vector256.LoadUnsafe(ref start, (nuint)(i + 16));
            a3 += Vector256.LoadUnsafe(ref start, (nuint)(i + 24));
        }

        return Vector256.Sum((a0 + a1) + (a2 + a3));
    }
}
