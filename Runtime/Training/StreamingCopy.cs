using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ModelGen.Training;

/// <summary>A copy whose stores bypass the cache (non-temporal), for data another core reads next.</summary>
internal static unsafe class StreamingCopy
{
    /// <summary>destination ← source (same length); non-temporal where AVX-512 and 64-byte alignment allow, else a plain copy.</summary>
    public static void Copy(ReadOnlySpan<float> source, Span<float> destination)
    {
        if (source.Length != destination.Length)
            throw new ArgumentException($"source has {source.Length} floats but destination {destination.Length}.", nameof(destination));
        fixed (float* from = source, to = destination)
        {
            if (!Avx512F.IsSupported || ((nuint)from & 63) != 0 || ((nuint)to & 63) != 0)
            {
                source.CopyTo(destination);
                return;
            }

            int i = 0, n = source.Length;
            for (; i + 64 <= n; i += 64)
            {
                Avx512F.StoreAlignedNonTemporal(to + i, Avx512F.LoadAlignedVector512(from + i));
                Avx512F.StoreAlignedNonTemporal(to + i + 16, Avx512F.LoadAlignedVector512(from + i + 16));
                Avx512F.StoreAlignedNonTemporal(to + i + 32, Avx512F.LoadAlignedVector512(from + i + 32));
                Avx512F.StoreAlignedNonTemporal(to + i + 48, Avx512F.LoadAlignedVector512(from + i + 48));
            }
            source.Slice(i).CopyTo(destination.Slice(i));
            Sse.StoreFence(); // the other core's loads must see every streamed line
        }
    }
}
