namespace SharpTune.Data;

/// <summary>
/// A small, fast, seedable random generator (xoshiro256** seeded through SplitMix64) whose sequence is fixed by its seed
/// on every platform and .NET version. <see cref="For(int, int, long)"/> derives one independent stream per
/// (seed, epoch, sample), so augmentation does not depend on worker count or timing.
/// </summary>
public sealed class SampleRandom
{
    private ulong _s0, _s1, _s2, _s3;

    /// <summary>Creates a generator from a 64-bit seed.</summary>
    public SampleRandom(ulong seed)
    {
        ulong x = seed;
        _s0 = SplitMix(ref x);
        _s1 = SplitMix(ref x);
        _s2 = SplitMix(ref x);
        _s3 = SplitMix(ref x);
    }

    /// <summary>The stream for one sample of one epoch of a run with seed <paramref name="seed"/>.</summary>
    /// <param name="seed">The run's seed.</param>
    /// <param name="epoch">Epoch number.</param>
    /// <param name="stream">Sample index in the dataset (or a negative value for per-epoch streams such as the shuffle).</param>
    public static SampleRandom For(int seed, int epoch, long stream)
    {
        ulong h = 0x9E3779B97F4A7C15UL;
        h = Mix(h ^ (uint)seed);
        h = Mix(h ^ ((ulong)(uint)epoch << 1));
        h = Mix(h ^ (ulong)stream);
        return new SampleRandom(h);
    }

    /// <summary>Next raw 64-bit value.</summary>
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

    /// <summary>Uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform double in [<paramref name="low"/>, <paramref name="high"/>) (torch's <c>uniform_(low, high)</c>).</summary>
    public double Uniform(double low, double high) => low + (high - low) * NextDouble();

    /// <summary>Uniform integer in [<paramref name="low"/>, <paramref name="highExclusive"/>) (torch's <c>randint(low, high)</c>), without modulo bias.</summary>
    public int NextInt(int low, int highExclusive)
    {
        if (highExclusive <= low) throw new ArgumentOutOfRangeException(nameof(highExclusive), $"empty range [{low}, {highExclusive})");
        ulong range = (ulong)((long)highExclusive - low);
        // Lemire's multiply-shift with rejection.
        ulong x = NextUInt64();
        UInt128 m = (UInt128)x * range;
        ulong l = (ulong)m;
        if (l < range)
        {
            ulong threshold = (0UL - range) % range;
            while (l < threshold)
            {
                x = NextUInt64();
                m = (UInt128)x * range;
                l = (ulong)m;
            }
        }
        return (int)((long)low + (long)(ulong)(m >> 64));
    }

    /// <summary>A uniformly random permutation of 0 … <paramref name="n"/>−1 (Fisher–Yates).</summary>
    public int[] Permutation(int n)
    {
        var p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--)
        {
            int j = NextInt(0, i + 1);
            (p[i], p[j]) = (p[j], p[i]);
        }
        return p;
    }

    private static ulong SplitMix(ref ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        return Mix(x);
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static ulong RotateLeft(ulong x, int k) => (x << k) | (x >> (64 - k));
}
