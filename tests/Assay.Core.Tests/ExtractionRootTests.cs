using Assay.Core.Content;
using Assay.Core.Extraction;

namespace Assay.Core.Tests;

/// <summary>The one writer to the host refuses every path that could leave its root.</summary>
public sealed class ExtractionRootTests : IDisposable
{
    private readonly string _temp = Path.Combine(Path.GetTempPath(), $"assay-root-{Guid.NewGuid():N}");
    private readonly ExtractionRoot _root;

    public ExtractionRootTests() => _root = new ExtractionRoot(Path.Combine(_temp, "out"));

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private static MemoryBlob Bytes(string s) => new(System.Text.Encoding.UTF8.GetBytes(s));

    [Fact]
    public void WriteFile_NestedContainers_LandUnderExtractedFolders()
    {
        _root.WriteFile("a.zip!/b.tar.gz!/b.tar!/etc/x", Bytes("hi"), 0x1a4);
        Assert.Equal("hi", File.ReadAllText(Path.Combine(_root.Root, "a.zip.extracted", "b.tar.gz.extracted", "b.tar.extracted", "etc", "x")));
    }

    [Theory]
    [InlineData("a.zip!/../escape")]
    [InlineData("a.zip!/x/../../escape")]
    [InlineData("a.zip!//etc/passwd")]
    [InlineData("a.zip!/C:/windows/x")]
    [InlineData("a.zip!/bad\0name")]
    [InlineData("a.zip!/dir\\..\\..\\x")]
    public void WriteFile_UnsafeName_IsRefused(string path)
    {
        Assert.Throws<ExtractionRefusedException>(() => _root.WriteFile(path, Bytes("x"), null));
        Assert.Empty(Directory.EnumerateFiles(_temp, "escape", SearchOption.AllDirectories));
    }

    [Fact]
    public void WriteFile_ThroughSymlink_IsRefusedAndTargetUntouched()
    {
        var outside = Path.Combine(_temp, "outside");
        Directory.CreateDirectory(outside);
        _root.CreateSymlink("a.tar!/link", outside);
        Assert.Throws<ExtractionRefusedException>(() => _root.WriteFile("a.tar!/link/x", Bytes("x"), null));
        Assert.Empty(Directory.EnumerateFileSystemEntries(outside));
    }

    [Fact]
    public void WriteFile_OverSymlink_IsRefused()
    {
        var outsideFile = Path.Combine(_temp, "victim");
        File.WriteAllText(outsideFile, "original");
        _root.CreateSymlink("a.tar!/f", outsideFile);
        Assert.Throws<ExtractionRefusedException>(() => _root.WriteFile("a.tar!/f", Bytes("evil"), null));
        Assert.Equal("original", File.ReadAllText(outsideFile));
    }

    [Fact]
    public void CreateSymlink_AbsoluteTarget_IsStoredVerbatimNotFollowed()
    {
        _root.CreateSymlink("a.tar!/etc/shadow-link", "/etc/shadow");
        var info = new FileInfo(Path.Combine(_root.Root, "a.tar.extracted", "etc", "shadow-link"));
        Assert.Equal("/etc/shadow", info.LinkTarget);
    }

    [Fact]
    public void WriteFile_SetuidMode_IsNotSetOnTheHost()
    {
        _root.WriteFile("a.tar!/bin/su", Bytes("x"), 0xded); // 06755
        var mode = File.GetUnixFileMode(Path.Combine(_root.Root, "a.tar.extracted", "bin", "su"));
        Assert.Equal(0, (int)mode & 0xe00);
    }

    [Fact]
    public void Root_GivenWithTrailingSlash_StillWritesInside()
    {
        var root = new ExtractionRoot(Path.Combine(_temp, "slash") + "/");
        root.WriteFile("a.tar!/x", Bytes("ok"), null);
        Assert.True(File.Exists(Path.Combine(_temp, "slash", "a.tar.extracted", "x")));
    }

    [Fact]
    public void RefuseSpecial_Device_AlwaysThrows() =>
        Assert.Throws<ExtractionRefusedException>(() => ExtractionRoot.RefuseSpecial("a.tar!/dev/sda", "block device"));

    [Fact]
    public void CreateHardlink_TargetOutsideTree_IsRefused() =>
        Assert.Throws<ExtractionRefusedException>(() => _root.CreateHardlink("a.tar!/h", "a.tar!/../../etc/passwd"));
}
