using System.Runtime.CompilerServices;

namespace ModelGen;

/// <summary>
/// Deterministic pseudo-random generator (xoshiro256**, seeded through SplitMix64).
/// Used instead of <see cref="System.Random"/> because its sequence is fixed by this code alone:
/// the same seed gives the same numbers on every platform and .NET version, so training runs reproduce.
/// </summary>
public sealed class Rng
{
    private ulong _s0, _s1, _s2, _s3;
    private float _spareGaussian;
    private bool _hasSpareGaussian;

    /// <summary>Creates a generator whose whole sequence is determined by <paramref name="seed"/>.</summary>
    /// <param name="seed">Any value, zero included.</param>
    public Rng(ulong seed) => Reseed(seed);

    /// <summary>Restarts the sequence as if the generator had just been created with <paramref name="seed"/>.</summary>
    /// <param name="seed">Any value, zero included.</param>
    public void Reseed(ulong seed)
    {
        // SplitMix64 spreads any seed (even 0) over the 256-bit state, which must not be all zero.
        ulong x = seed;
        _s0 = SplitMix64(ref x);
        _s1 = SplitMix64(ref x);
        _s2 = SplitMix64(ref x);
        _s3 = SplitMix64(ref x);
        _hasSpareGaussian = false;
        _spareGaussian = 0f;
    }

    /// <summary>Returns the next 64 uniformly distributed random bits.</summary>
    public ulong NextUInt64()
    {
        ulong result = RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Returns a uniform float in [0, 1) built from 24 random bits (exactly representable).</summary>
    public float NextFloat() => (NextUInt64() >> 40) * (1.0f / (1 << 24));

    /// <summary>Returns a uniform double in [0, 1) built from 53 random bits (exactly representable).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Returns a uniform integer in [0, <paramref name="maxExclusive"/>).</summary>
    /// <param name="maxExclusive">Exclusive upper bound; must be positive.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxExclusive"/> is zero or negative.</exception>
    public int NextInt(int maxExclusive)
    {
        if (maxExclusive <= 0)
            throw new ArgumentOutOfRangeException(nameof(maxExclusive), maxExclusive, "Upper bound must be positive.");
        // Lemire's multiply-high on 32 bits: bias is at most 2^-32 relative, far below anything observable here,
        // and it is a pure function of the bit stream, so it stays deterministic.
        ulong r = NextUInt64() >> 32;
        return (int)((r * (ulong)maxExclusive) >> 32);
    }

    /// <summary>Returns a standard normal sample (mean 0, standard deviation 1) by the Box–Muller transform.</summary>
    public float NextGaussian()
    {
        if (_hasSpareGaussian)
        {
            _hasSpareGaussian = false;
            return _spareGaussian;
        }
        // 1 - u keeps the logarithm's argument in (0, 1]; Math (not MathF) keeps the result platform-stable enough
        // and precise in the tails.
        double u1 = 1.0 - NextDouble();
        double u2 = NextDouble();
        double radius = Math.Sqrt(-2.0 * Math.Log(u1));
        double angle = 2.0 * Math.PI * u2;
        _spareGaussian = (float)(radius * Math.Sin(angle));
        _hasSpareGaussian = true;
        return (float)(radius * Math.Cos(angle));
    }

    /// <summary>Permutes <paramref name="items"/> uniformly at random in place (Fisher–Yates).</summary>
    /// <param name="items">The values to shuffle.</param>
    public void Shuffle(Span<int> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    private static ulong SplitMix64(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong RotateLeft(ulong x, int k) => (x << k) | (x >> (64 - k));
}
