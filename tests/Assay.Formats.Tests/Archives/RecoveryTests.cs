using Assay.Core.Model;

namespace Assay.Formats.Tests.Archives;

/// <summary>A zip cut short is recovered from its local headers; 7z links and modes (issue 19).</summary>
public sealed class RecoveryTests
{
    [Theory]
    [InlineData("tree-deflate.zip")]
    [InlineData("tree-stored.zip")]
    [InlineData("tree-bzip2.zip")]
    public void Zip_CentralDirectoryCutOff_WholeEntriesRecoveredWithTheirContent(string fixture)
    {
        var whole = ScanHelper.Scan($"archives/{fixture}");
        var bytes = Fixture.Bytes($"archives/{fixture}");
        // Cut inside the data of big.dat: the entries before it are whole, the rest is lost.
        var cut = bytes.AsSpan().IndexOf("bin/big.dat"u8) + 40;
        var e = ScanHelper.ScanBytes(bytes[..cut], "cut.zip");

        Assert.Equal("zip", e.Files.Single(f => f.Path == "cut.zip").Format);
        Assert.Contains(e.Errors, x => x.Handler == "zip" && x.Message.Contains("recovered from their local headers", StringComparison.Ordinal));
        var recovered = e.Files.Where(f => f.Path.StartsWith("cut.zip!/", StringComparison.Ordinal) && f.Container == "zip" && f.Kind == NodeKind.File).ToList();
        Assert.NotEmpty(recovered);
        foreach (var f in recovered)
        {
            var original = whole.Files.SingleOrDefault(w => w.Path == fixture + f.Path["cut.zip".Length..]);
            Assert.True(original is not null, f.Path);
            if (original.Kind == NodeKind.Symlink)
                Assert.Equal(original.Target!.Length, f.Size); // without the central directory's mode a link is a file holding its target
            else
                Assert.Equal(original.Sha256, f.Sha256);
        }
        Assert.DoesNotContain(e.Files, f => f.Path == "cut.zip!/bin/big.dat");
        Assert.DoesNotContain(e.Errors, x => x.Category == ErrorCategory.Internal);
    }

    [Fact]
    public void Zip_FollowedByMoreThan64KiB_IsFoundThroughItsLocalHeaders()
    {
        var zip = Fixture.Bytes("archives/tree-deflate.zip");
        var tail = new byte[200_000];
        new Random(4).NextBytes(tail);
        var e = ScanHelper.ScanBytes([.. zip, .. tail], "zip+data.bin");
        Assert.Contains(e.Chunks, c => c.Path == "zip+data.bin" && c.Format == "zip" && c.Offset == 0 && c.Length == zip.Length);
        Assert.Contains(e.Files, f => f.Path == "zip+data.bin!/bin/tiny.elf" && f.Mode == "4755");
    }

    [Fact]
    public void SevenZip_LinksAndModes_AsSevenZipListsThem()
    {
        var e = ScanHelper.Scan("sevenzip/links.7z");
        Assert.Empty(e.Errors);
        var entries = ScanHelper.Below(e, "links.7z!/");
        var lines = File.ReadAllLines(Fixture.Path("sevenzip/expected.txt"));
        for (var i = 0; i < lines.Length; i += 2)
        {
            var path = lines[i]["Path = ".Length..];
            var attributes = lines[i + 1]["Attributes = ".Length..].Split(' ')[1];
            var f = entries[path];
            Assert.Equal(attributes[0] switch { 'd' => NodeKind.Dir, 'l' => NodeKind.Symlink, _ => NodeKind.File }, f.Kind);
            Assert.Equal(Mode(attributes), f.Mode);
        }
        Assert.Equal("../etc/passwd", entries["bin/passwd-link"].Target);
        Assert.Equal("/proc/self/mounts", entries["etc/mtab"].Target);
    }

    /// <summary>"-rwsr-xr-x" as four octal digits.</summary>
    private static string Mode(string ls)
    {
        var bits = 0;
        for (var i = 0; i < 9; i++)
        {
            var c = ls[1 + i];
            if (c is 'r' or 'w' or 'x' or 's' or 't')
                bits |= 1 << (8 - i);
        }
        if (ls[3] is 's' or 'S')
            bits |= 0x800;
        if (ls[6] is 's' or 'S')
            bits |= 0x400;
        if (ls[9] is 't' or 'T')
            bits |= 0x200;
        return Convert.ToString(bits, 8).PadLeft(4, '0');
    }
}
