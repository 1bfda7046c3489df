using System.IO.Compression;
using System.Text;

namespace SharpTune.Weights;

/// <summary>
/// Checks the pickle inside a PyTorch <c>.pth</c> archive before anything unpickles it. A pickle is a program: its
/// GLOBAL/STACK_GLOBAL opcodes name Python callables that REDUCE then calls (<c>os.system</c> in a crafted file).
/// SharpTune's unpickler cannot run Python, but a state dict needs only a handful of callables, so any other name is
/// refused up front with a message naming it. Opcodes that the state-dict format never uses (INST/OBJ, extension
/// registry) are refused too.
/// </summary>
public static class PickleGuard
{
    private static readonly HashSet<string> Allowed =
    [
        "collections.OrderedDict",
        "torch._utils._rebuild_tensor",
        "torch._utils._rebuild_tensor_v2",
        "torch._utils._rebuild_parameter",
        "torch._utils._rebuild_parameter_with_state",
        "torch.DoubleStorage", "torch.FloatStorage", "torch.HalfStorage", "torch.BFloat16Storage",
        "torch.LongStorage", "torch.IntStorage", "torch.ShortStorage", "torch.CharStorage", "torch.ByteStorage",
        "torch.BoolStorage", "torch.ComplexDoubleStorage", "torch.ComplexFloatStorage",
    ];

    /// <summary>Throws <see cref="WeightsException"/> unless every callable the archive's pickle names is allowed.</summary>
    public static void Verify(string path)
    {
        using var zip = ZipFile.OpenRead(path);
        var entry = zip.Entries.FirstOrDefault(e => e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal) || e.FullName == "data.pkl")
                    ?? throw new WeightsException($"{path}: no data.pkl in the archive; not a torch.save file");
        using var stream = entry.Open();
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        foreach (var name in GlobalsOf(memory.ToArray(), path))
            if (!Allowed.Contains(name))
                throw new WeightsException($"{path}: refused: its pickle calls '{name}', which a state dict never needs (a crafted file can run code this way); only plain state dicts are loaded — prefer .safetensors");
    }

    /// <summary>The callables (<c>module.name</c>) a pickle references, in order.</summary>
    public static IReadOnlyList<string> GlobalsOf(byte[] pickle, string path)
    {
        var globals = new List<string>();
        var memo = new Dictionary<long, string?>();
        var recent = new List<string?>(); // values pushed, strings only tracked (null = something else)
        int i = 0;
        string Fail(string why) => throw new WeightsException($"{path}: refused: {why} at byte {i} of its pickle");
        int Need(int n) { if (i + n > pickle.Length) Fail("truncated pickle"); int at = i; i += n; return at; }
        string Line() { int start = i; while (i < pickle.Length && pickle[i] != '\n') i++; if (i >= pickle.Length) Fail("truncated pickle"); return Encoding.UTF8.GetString(pickle, start, i++ - start); }
        long Le(int n) { int at = Need(n); long v = 0; for (int k = n - 1; k >= 0; k--) v = (v << 8) | pickle[at + k]; return v; }
        string Str(long n) { if (n < 0 || n > pickle.Length) Fail("bad string length"); int at = Need((int)n); return Encoding.UTF8.GetString(pickle, at, (int)n); }
        void Push(string? s) => recent.Add(s);

        while (i < pickle.Length)
        {
            byte op = pickle[i++];
            switch ((char)op)
            {
                case '.': return globals; // STOP
                case '(': case '0': case '1': case '2': case 'N': case 'Q': case 'R': case 'a': case 'b': case 'd': case '}':
                case 'e': case 'l': case ']': case 's': case 't': case ')': case 'u':
                case '\x81': case '\x85': case '\x86': case '\x87': case '\x88': case '\x89': case '\x8f': case '\x90':
                case '\x91': case '\x92': case '\x97': case '\x98':
                    Push(null); break;
                case 'F': case 'I': case 'L': case 'P': case 'S': Line(); Push(null); break;
                case 'V': Push(Line()); break;
                case 'J': Need(4); Push(null); break;
                case 'K': Need(1); Push(null); break;
                case 'M': Need(2); Push(null); break;
                case 'G': Need(8); Push(null); break;
                case 'T': case 'B': Str(Le(4)); Push(null); break;
                case 'U': case 'C': Str(Le(1)); Push(null); break;
                case 'X': Push(Str(Le(4))); break;
                case '\x8c': Push(Str(Le(1))); break;
                case '\x8d': Push(Str(Le(8))); break;
                case '\x8e': case '\x96': Str(Le(8)); Push(null); break;
                case '\x8a': Str(Le(1)); Push(null); break;
                case '\x8b': Str(Le(4)); Push(null); break;
                case '\x80': Need(1); break; // PROTO
                case '\x95': Need(8); break; // FRAME
                case 'c': globals.Add(Line() + "." + Line()); Push(null); break; // GLOBAL
                case '\x93': // STACK_GLOBAL: module and name are the two values pushed last
                    if (recent.Count < 2 || recent[^1] is null || recent[^2] is null) Fail("STACK_GLOBAL with a computed name");
                    globals.Add(recent[^2] + "." + recent[^1]);
                    Push(null);
                    break;
                case 'p': memo[long.Parse(Line(), System.Globalization.CultureInfo.InvariantCulture)] = recent.LastOrDefault(); break;
                case 'q': memo[Le(1)] = recent.LastOrDefault(); break;
                case 'r': memo[Le(4)] = recent.LastOrDefault(); break;
                case '\x94': memo[memo.Count] = recent.LastOrDefault(); break; // MEMOIZE
                case 'g': Push(memo.GetValueOrDefault(long.Parse(Line(), System.Globalization.CultureInfo.InvariantCulture))); break;
                case 'h': Push(memo.GetValueOrDefault(Le(1))); break;
                case 'j': Push(memo.GetValueOrDefault(Le(4))); break;
                case 'i': Fail($"INST opcode ({Line()}.{Line()})"); break;
                case 'o': Fail("OBJ opcode"); break;
                case '\x82': case '\x83': case '\x84': Fail("extension-registry opcode"); break;
                default: Fail($"unknown pickle opcode 0x{op:x2}"); break;
            }
        }
        Fail("pickle without STOP");
        return globals;
    }
}
