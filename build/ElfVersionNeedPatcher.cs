// MSBuild inline task (RoslynCodeTaskFactory): marks one ELF version need (e.g. GLIBCXX_3.4.32) as weak.
// Kept dependency-free: it runs inside MSBuild before anything of the project is built.
using System;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public class SharpTuneMarkElfVersionNeedWeak : Task
{
    [Required] public ITaskItem[] Files { get; set; }
    [Required] public string VersionName { get; set; }

    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const ushort VerFlgWeak = 0x2;

    public override bool Execute()
    {
        foreach (var item in Files)
        {
            var path = item.GetMetadata("FullPath");
            try
            {
                var result = Patch(path);
                Log.LogMessage(MessageImportance.Normal, "SharpTune: " + path + ": " + result);
            }
            catch (Exception e)
            {
                Log.LogError("SharpTune: could not patch " + path + ": " + e.Message);
            }
        }
        return !Log.HasLoggedErrors;
    }

    private string Patch(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var offset = FindVernauxFlagsOffset(bytes, VersionName);
        if (offset < 0) return "no version need on " + VersionName + " (nothing to do)";
        var flags = BitConverter.ToUInt16(bytes, offset);
        if ((flags & VerFlgWeak) != 0) return VersionName + " already weak";

        // Write a fresh file and rename it over the old one: if the output file were a hard link into the NuGet
        // cache, writing in place would change the cache too; a new inode never does.
        var newFlags = (ushort)(flags | VerFlgWeak);
        bytes[offset] = (byte)(newFlags & 0xff);
        bytes[offset + 1] = (byte)(newFlags >> 8);
        var temp = path + ".sharptune-patch.tmp";
        File.WriteAllBytes(temp, bytes);
        File.Delete(path);
        File.Move(temp, path);
        return "marked " + VersionName + " weak";
    }

    /// <summary>Returns the file offset of vna_flags of the named version need, or -1 when absent.</summary>
    public static int FindVernauxFlagsOffset(byte[] elf, string versionName)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InvalidDataException("not an ELF file");
        if (elf[4] != 2 || elf[5] != 1) throw new InvalidDataException("only 64-bit little-endian ELF is supported");
        long shoff = BitConverter.ToInt64(elf, 0x28);
        int shentsize = BitConverter.ToUInt16(elf, 0x3A);
        int shnum = BitConverter.ToUInt16(elf, 0x3C);
        for (int i = 0; i < shnum; i++)
        {
            long sh = shoff + (long)i * shentsize;
            uint type = BitConverter.ToUInt32(elf, (int)sh + 4);
            if (type != ShtGnuVerneed) continue;
            long offset = BitConverter.ToInt64(elf, (int)sh + 0x18);
            uint link = BitConverter.ToUInt32(elf, (int)sh + 0x28);
            uint count = BitConverter.ToUInt32(elf, (int)sh + 0x2C);
            long strSh = shoff + (long)link * shentsize;
            long strOffset = BitConverter.ToInt64(elf, (int)strSh + 0x18);

            long need = offset;
            for (uint n = 0; n < count; n++)
            {
                int auxCount = BitConverter.ToUInt16(elf, (int)need + 2);
                long aux = need + BitConverter.ToUInt32(elf, (int)need + 8);
                for (int a = 0; a < auxCount; a++)
                {
                    uint nameOffset = BitConverter.ToUInt32(elf, (int)aux + 8);
                    if (ReadCString(elf, strOffset + nameOffset) == versionName) return (int)aux + 4;
                    uint nextAux = BitConverter.ToUInt32(elf, (int)aux + 12);
                    if (nextAux == 0) break;
                    aux += nextAux;
                }
                uint nextNeed = BitConverter.ToUInt32(elf, (int)need + 12);
                if (nextNeed == 0) break;
                need += nextNeed;
            }
        }
        return -1;
    }

    private static string ReadCString(byte[] bytes, long start)
    {
        long end = start;
        while (end < bytes.Length && bytes[end] != 0) end++;
        return Encoding.ASCII.GetString(bytes, (int)start, (int)(end - start));
    }
}
