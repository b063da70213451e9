using Assay.Core.Model;

namespace Assay.Formats.Tests.Archives;

/// <summary>
/// Every archive and compressor handler over fixtures made by Fixtures/archives/make.sh from one
/// small tree: the same paths, modes, symlink targets and content hashes must come out of each.
/// </summary>
public sealed class ArchiveHandlerTests
{
    // big.dat is 70,000 'A' bytes (make.sh): larger than one block of every format.
    private static readonly string BigSha = ScanHelper.Sha256([.. Enumerable.Repeat((byte)'A', 70000)]);

    private static readonly string[] TreePaths =
        ["bin", "bin/big.dat", "bin/passwd-link", "bin/tiny.elf", "empty", "etc", "etc/config", "etc/config/network", "etc/empty.conf", "etc/passwd"];

    [Theory]
    [InlineData("tree-gnu.tar", "tar")]
    [InlineData("tree-ustar.tar", "tar")]
    [InlineData("tree-newc.cpio", "cpio")]
    [InlineData("tree-crc.cpio", "cpio")]
    [InlineData("tree-odc.cpio", "cpio")]
    [InlineData("tree-bin.cpio", "cpio")]
    [InlineData("tree-deflate.zip", "zip")]
    [InlineData("tree-stored.zip", "zip")]
    [InlineData("tree-bzip2.zip", "zip")]
    public void Archive_Tree_ListsEveryEntryWithModeTargetAndHash(string fixture, string format)
    {
        var e = ScanHelper.Scan($"archives/{fixture}");
        Assert.Empty(e.Errors);
        Assert.Equal(format, e.Files.Single(f => f.Path == fixture).Format);
        var entries = ScanHelper.Below(e, fixture + "!/");
        Assert.Equal(TreePaths, entries.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(NodeKind.Symlink, entries["bin/passwd-link"].Kind);
        Assert.Equal("../etc/passwd", entries["bin/passwd-link"].Target);
        Assert.Equal(NodeKind.Dir, entries["etc/config"].Kind);
        Assert.Equal(BigSha, entries["bin/big.dat"].Sha256);
        Assert.Equal(70000, entries["bin/big.dat"].Size);
        Assert.Equal(0, entries["etc/empty.conf"].Size);
        Assert.Equal("4755", entries["bin/tiny.elf"].Mode);
        Assert.Equal("0600", entries["etc/passwd"].Mode);
        Assert.Equal("elf", entries["bin/tiny.elf"].Type?.Class);
    }

    [Theory]
    [InlineData("tree-deflate64.zip")]
    [InlineData("tree-lzma.zip")]
    [InlineData("tree-zip64.zip")]
    public void Zip_OtherMethodsAndZip64_DecodeTheSameContent(string fixture)
    {
        var e = ScanHelper.Scan($"archives/{fixture}");
        Assert.Empty(e.Errors);
        var entries = ScanHelper.Below(e, fixture + "!/");
        Assert.Equal(BigSha, entries["bin/big.dat"].Sha256);
        Assert.Equal(ScanHelper.Sha256("root:x:0:0:root:/root:/bin/sh\n"u8.ToArray()), entries["etc/passwd"].Sha256);
    }

    [Fact]
    public void Cpio_OldBinaryBigEndian_IsRead()
    {
        var e = ScanHelper.Scan("archives/tree-bin-be.cpio");
        Assert.Empty(e.Errors);
        var passwd = e.Files.Single(f => f.Path == "tree-bin-be.cpio!/etc/passwd");
        Assert.Equal("0600", passwd.Mode);
        Assert.Equal(ScanHelper.Sha256("root:x:0:0:root:/root:/bin/sh\n"u8.ToArray()), passwd.Sha256);
    }

    [Fact]
    public void SevenZip_Tree_ListsFilesAndContent()
    {
        var e = ScanHelper.Scan("archives/tree.7z");
        Assert.Empty(e.Errors);
        var entries = ScanHelper.Below(e, "tree.7z!/");
        Assert.Equal(BigSha, entries["bin/big.dat"].Sha256);
        Assert.Contains("etc/config/network", entries.Keys);
        Assert.Equal(NodeKind.File, entries["etc/passwd"].Kind);
    }

    [Theory]
    [InlineData("tree.tar.gz", "gzip", "tree.tar")]
    [InlineData("tree.tar.bz2", "bzip2", "tree.tar")]
    [InlineData("tree.tar.xz", "xz", "tree.tar")]
    [InlineData("tree.tar.lzma", "lzma", "tree.tar")]
    [InlineData("tree.tar.zst", "zstd", "tree.tar")]
    [InlineData("tree.tar.lz4", "lz4", "tree.tar")]
    public void Compressor_TarInside_IsDecompressedAndUnpacked(string fixture, string format, string child)
    {
        var e = ScanHelper.Scan($"archives/{fixture}");
        Assert.Empty(e.Errors);
        Assert.Equal(format, e.Files.Single(f => f.Path == fixture).Format);
        var tar = e.Files.Single(f => f.Path == $"{fixture}!/{child}");
        Assert.Equal(ScanHelper.Sha256(Fixture.Bytes("archives/tree-gnu.tar")), tar.Sha256);
        Assert.Equal("tar", tar.Format);
        Assert.Equal(BigSha, e.Files.Single(f => f.Path == $"{fixture}!/{child}!/bin/big.dat").Sha256);
    }

    [Theory]
    [InlineData("long-pax.tar")]
    [InlineData("long-gnu.tar")]
    public void Tar_LongNames_AreReadWhole(string fixture)
    {
        var e = ScanHelper.Scan($"archives/{fixture}");
        Assert.Empty(e.Errors);
        var expected = $"{fixture}!/{new string('d', 120)}/{new string('f', 110)}.txt";
        Assert.Equal(5, e.Files.Single(f => f.Path == expected).Size);
    }

    [Theory]
    [InlineData("sparse-gnu.tar")]
    [InlineData("sparse-pax.tar")]
    public void Tar_SparseFile_IsRebuiltWithHoles(string fixture)
    {
        var e = ScanHelper.Scan($"archives/{fixture}");
        Assert.Empty(e.Errors);
        var expected = new byte[1 << 20];
        "abc"u8.CopyTo(expected.AsSpan(512 * 1024));
        var file = e.Files.Single(f => f.Path == $"{fixture}!/sparse.bin");
        Assert.Equal(1 << 20, file.Size);
        Assert.Equal(ScanHelper.Sha256(expected), file.Sha256);
    }

    [Fact]
    public void NestedChain_ZipTarXzCpioGz_ReachesTheInnermostFile()
    {
        var e = ScanHelper.Scan("archives/chain.zip");
        Assert.Empty(e.Errors);
        var deep = e.Files.Single(f => f.Path == "chain.zip!/mid.tar.xz!/mid.tar!/inner.cpio.gz!/inner.cpio!/deep.txt");
        Assert.Equal(ScanHelper.Sha256("deep inside\n"u8.ToArray()), deep.Sha256);
        Assert.Equal(["zip", "xz", "tar", "gzip", "cpio"], e.Files.Where(f => f.Format is not null).OrderBy(f => f.Path.Length).Select(f => f.Format!));
    }
}
