using static TorchSharp.torch;

namespace SharpTune.Training;

/// <summary>
/// Checks a saved libtorch CPU generator state before it is handed to <c>set_rng_state</c>. libtorch rejects a bad
/// state with a <c>c10::Error</c> that TorchSharp 0.107 does not catch on that call, so the process aborts natively
/// (exit 134): the checks libtorch's <c>CPUGeneratorImpl::set_state</c> makes are repeated here first. Layout of its
/// <c>CPUGeneratorImplState</c> (libtorch 1.x–2.x, x86-64): <c>uint64 the_initial_seed; int left; int seeded;
/// uint64 next; uint64 state[624]; …</c>; valid when the size is the current state's, <c>seeded</c> is non-zero,
/// 1 ≤ <c>left</c> ≤ 624 and <c>(uint32)next</c> ≤ 624 (mt19937's <c>is_valid</c>).
/// </summary>
internal static class RngState
{
    private const int MersenneStateN = 624;
    private static readonly Lazy<long> CurrentSize = new(() =>
    {
        using var state = get_rng_state();
        return state.numel();
    });

    /// <summary>Decodes and checks a base64 state; throws <see cref="RunDirectoryException"/> naming <paramref name="file"/>.</summary>
    public static byte[] Check(string base64, string file)
    {
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(base64);
        }
        catch (FormatException)
        {
            throw new RunDirectoryException($"{file}: torch_rng_state is not base64");
        }
        if (bytes.Length != CurrentSize.Value)
            throw new RunDirectoryException($"{file}: torch_rng_state has {bytes.Length} bytes; libtorch's CPU generator state has {CurrentSize.Value}");
        int left = BitConverter.ToInt32(bytes, 8);
        int seeded = BitConverter.ToInt32(bytes, 12);
        uint next = (uint)BitConverter.ToUInt64(bytes, 16);
        if (seeded == 0 || left < 1 || left > MersenneStateN || next > MersenneStateN)
            throw new RunDirectoryException($"{file}: torch_rng_state is not a valid mt19937 state (left {left}, seeded {seeded}, next {next})");
        return bytes;
    }
}
