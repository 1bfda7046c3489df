using System.IO.Compression;
using SharpTune.Weights;

namespace SharpTune.Tests.Reliability;

public class PickleGuardTests
{
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    [Fact]
    public void A_real_torch_save_file_loads_with_its_values()
    {
        var sd = StateDictFile.Read(Fixture("torch_state_dict.pth"));
        Assert.Equal([0f, 0.1f, 0.2f, 0.3f, 0.4f, 0.5f], sd["fc.weight"].flatten().data<float>().ToArray());
        Assert.Equal([0.5f, -0.5f], sd["fc.bias"].data<float>().ToArray());
        Assert.Equal(new long[] { 2, 3 }, sd["fc.weight"].shape);
        Assert.Equal(TorchSharp.torch.ScalarType.Int64, sd["bn.num_batches_tracked"].dtype);
    }

    public static TheoryData<string, byte[]> Payloads => new()
    {
        // GLOBAL 'posix system', ("ls",), REDUCE: os.system("ls") under pickle.load.
        { "posix.system", [0x80, 0x02, .. "cposix\nsystem\n"u8, 0x58, 2, 0, 0, 0, .. "ls"u8, 0x85, 0x52, 0x2e] },
        // Protocol 4 STACK_GLOBAL 'builtins' 'eval' with memoised strings.
        { "builtins.eval", [0x80, 0x04, 0x8c, 8, .. "builtins"u8, 0x94, 0x8c, 4, .. "eval"u8, 0x94, 0x93, 0x94, 0x8c, 1, .. "1"u8, 0x85, 0x52, 0x2e] },
    };

    [Theory]
    [MemberData(nameof(Payloads))]
    public void A_pickle_that_calls_anything_but_state_dict_builders_is_refused_before_unpickling(string callable, byte[] pickle)
    {
        using var dir = new TempDirectory();
        var path = dir.File("evil.pth");
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            using var entry = zip.CreateEntry("archive/data.pkl").Open();
            entry.Write(pickle);
        }
        var e = Assert.Throws<WeightsException>(() => StateDictFile.Read(path));
        Assert.Contains(callable, e.Message);
        Assert.Contains(path, e.Message);
        Assert.Contains("refused", e.Message);
    }
}
