using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ModelGen.Bench;

/// <summary>
/// The other half of the roofline for batch-1 inference, where every weight is used once: how fast one core reads a
/// block of a given size that sits in its cache. A 64-byte-aligned block is read as two sequential streams (its two
/// halves, four vectors each per step, eight independent sums): the fastest read pattern measured on this machine
/// (one stream or four are slower). Weight bytes over this rate is the least time a pass can take.
/// </summary>
public static unsafe class StreamBandwidth
{
    /// <summary>Best of several rounds, GB/s, reading <paramref name="bytes"/> bytes again and again.</summary>
    public static double Measure(long bytes, int rounds = 25)
    {
        int vectorFloats = Vector512.IsHardwareAccelerated ? 16 : 8;
        long floats = Math.Max(bytes / sizeof(float) / (8 * vectorFloats) * (8 * vectorFloats), 8 * vectorFloats); // whole steps of both halves
        float* block = (float*)NativeMemory.AlignedAlloc((nuint)(floats * sizeof(float)), 64);
        try
        {
            new Span<float>(block, (int)floats).Fill(1f);
            int reads = (int)Math.Clamp(200_000_000 / (floats * sizeof(float)), 50, 200_000);
            Sink = Read(block, floats, reads / 10); // warm-up, tier-up, block into cache
            var best = 0.0;
            for (var r = 0; r < rounds; r++)
            {
                var start = Stopwatch.GetTimestamp();
                Sink = Read(block, floats, reads);
                best = Math.Max(best, floats * sizeof(float) * (double)reads / Stopwatch.GetElapsedTime(start).TotalSeconds / 1e9);
            }

            return best;
        }
        finally
        {
            NativeMemory.AlignedFree(block);
        }
    }

    /// <summary>Keeps the sums alive so the reads are not removed.</summary>
    public static float Sink { get; private set; }

    private static float Read(float* block, long floats, int reads)
    {
        float sum = 0f;
        for (var i = 0; i < reads; i++)
        {
            sum += Vector512.IsHardwareAccelerated ? Read512(block, floats) : Read256(block, floats);
        }

        return sum;
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Read512(float* a, long floats)
    {
        Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
        long half = floats / 2;
        float* b = a + half;
        for (long i = 0; i < half; i += 64)
        {
            s0 += Vector512.LoadAligned(a + i); s1 += Vector512.LoadAligned(a + i + 16);
            s2 += Vector512.LoadAligned(a + i + 32); s3 += Vector512.LoadAligned(a + i + 48);
            s4 += Vector512.LoadAligned(b + i); s5 += Vector512.LoadAligned(b + i + 16);
            s6 += Vector512.LoadAligned(b + i + 32); s7 += Vector512.LoadAligned(b + i + 48);
        }

        return Vector512.Sum(((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7)));
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Read256(float* a, long floats)
    {
        Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
        long half = floats / 2;
        float* b = a + half;
        for (long i = 0; i < half; i += 32)
        {
            s0 += Vector256.LoadAligned(a + i); s1 += Vector256.LoadAligned(a + i + 8);
            s2 += Vector256.LoadAligned(a + i + 16); s3 += Vector256.LoadAligned(a + i + 24);
            s4 += Vector256.LoadAligned(b + i); s5 += Vector256.LoadAligned(b + i + 8);
            s6 += Vector256.LoadAligned(b + i + 16); s7 += Vector256.LoadAligned(b + i + 24);
        }

        return Vector256.Sum(((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7)));
    }
}
