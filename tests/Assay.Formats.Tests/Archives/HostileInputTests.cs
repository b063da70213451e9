using Assay.Core.Content;
using Assay.Core.Formats;
using Assay.Core.Model;
using Assay.Core.Pipeline;

namespace Assay.Formats.Tests.Archives;

/// <summary>Traversal, links, devices, bombs, deep nesting, self-containing archives and damaged fixtures.</summary>
public sealed class HostileInputTests : IDisposable
{
    private readonly string _temp = Path.Combine(Path.GetTempPath(), $"assay-test-{Guid.NewGuid():N}");

    // Recursing through the recreated link (escape -> /tmp) would walk the whole host temp folder, loops included.
    private static readonly EnumerationOptions NoLinks = new() { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint };

    public void Dispose()
    {
        if (Directory.Exists(_temp))
            Directory.Delete(_temp, recursive: true);
    }

    [Fact]
    public void TarTraversal_Listing_ReportsClimbingNamesAndKeepsThemInside()
    {
        var e = ScanHelper.Scan("archives/traversal.tar");
        Assert.Contains(e.Errors, x => x.Category == ErrorCategory.Unsafe && x.Message.Contains("../../evil.txt", StringComparison.Ordinal));
        Assert.Contains(e.Files, f => f.Path == "traversal.tar!/evil.txt");
        Assert.Contains(e.Files, f => f.Path == "traversal.tar!/abs/evil.txt");
        Assert.DoesNotContain(e.Files, f => f.Path.Contains("..", StringComparison.Ordinal));
    }

    [Fact]
    public void TarTraversal_Extract_WritesNothingOutsideAndNeverThroughALink()
    {
        var root = Path.Combine(_temp, "out");
        var e = ScanHelper.Scan("archives/traversal.tar", extractTo: root);
        var written = Directory.EnumerateFileSystemEntries(_temp, "*", NoLinks).Select(p => Path.GetRelativePath(_temp, p)).ToList();
        Assert.All(written, p => Assert.StartsWith("out", p, StringComparison.Ordinal));
        // The symlink is recreated as a link, with its target verbatim, and nothing is written through it.
        var link = new FileInfo(Path.Combine(root, "traversal.tar.extracted", "escape"));
        Assert.Equal("/tmp", link.LinkTarget);
        Assert.False(File.Exists("/tmp/through-link.txt"));
        Assert.Contains(e.Errors, x => x.Handler == "extract" && x.Message.Contains("symbolic link", StringComparison.Ordinal));
        // Drive letters are refused; devices are never created.
        Assert.Contains(e.Errors, x => x.Handler == "extract" && x.Message.Contains("drive letter", StringComparison.Ordinal));
        Assert.Contains(e.Errors, x => x.Handler == "extract" && x.Message.Contains("character device", StringComparison.Ordinal));
        Assert.False(File.Exists(Path.Combine(root, "traversal.tar.extracted", "null")));
        Assert.True(File.Exists(Path.Combine(root, "traversal.tar.extracted", "ok.txt")));
    }

    [Fact]
    public void ZipTraversal_Extract_StaysInside()
    {
        var root = Path.Combine(_temp, "zip");
        var e = ScanHelper.Scan("archives/traversal.zip", extractTo: root);
        Assert.Contains(e.Errors, x => x.Category == ErrorCategory.Unsafe);
        Assert.True(File.Exists(Path.Combine(root, "traversal.zip.extracted", "zip-evil.txt")));
        Assert.False(File.Exists(Path.Combine(_temp, "zip-evil.txt")));
    }

    [Fact]
    public void NestedZipBomb_DefaultLimits_StopsWithALimitError()
    {
        // 128 GiB when fully unpacked; the budget (100x the input, at least 1 GiB) stops it.
        var e = ScanHelper.Scan("archives/bomb.zip", new ScanLimits { MinTotalBytes = 256L << 20 });
        Assert.Contains(e.Errors, x => x.Category == ErrorCategory.Limit && (x.Message.Contains("bomb", StringComparison.Ordinal)));
        Assert.True(e.Files.Where(f => f.Size is not null).Sum(f => f.Size!.Value) < 2L << 30);
    }

    [Theory]
    [InlineData("sparse-gnu.tar")]
    [InlineData("sparse-pax.tar")]
    public void SparseTar_RatioOverLimit_IsStopped(string fixture)
    {
        // 1 MiB of holes from a few stored bytes: the ratio check applies to sparse entries too.
        var e = ScanHelper.Scan($"archives/{fixture}", new ScanLimits { RatioFloorBytes = 4096, MaxRatio = 100 });
        Assert.Contains(e.Errors, x => x.Category == ErrorCategory.Limit && x.Message.Contains("ratio", StringComparison.Ordinal));
    }

    [Fact]
    public void EntryNamedLikeAContainerBoundary_CannotPoseAsNestedContent()
    {
        var tar = new MemoryStream();
        using (var writer = new System.Formats.Tar.TarWriter(tar, System.Formats.Tar.TarEntryFormat.Gnu, leaveOpen: true))
        {
            var entry = new System.Formats.Tar.GnuTarEntry(System.Formats.Tar.TarEntryType.RegularFile, "rootfs.img!/etc/shadow") { DataStream = new MemoryStream("root:$1$x$y:1:0:99999:7:::\n"u8.ToArray()) };
            writer.WriteEntry(entry);
        }
        var e = ScanHelper.ScanBytes(tar.ToArray(), "bang.tar");
        Assert.Contains(e.Files, f => f.Path == "bang.tar!/rootfs.img!_/etc/shadow");
        Assert.DoesNotContain(e.Files, f => f.Path.Contains("rootfs.img!/", StringComparison.Ordinal));
    }

    [Fact]
    public void DeepNesting_MaxDepth_StopsAtTheLimit()
    {
        var e = ScanHelper.Scan("archives/deep.zip", new ScanLimits { MaxDepth = 8 });
        Assert.Contains(e.Errors, x => x.Category == ErrorCategory.Limit && x.Message.Contains("--max-depth 8", StringComparison.Ordinal));
        Assert.True(e.Files.Max(f => f.Path.Split("!/").Length) <= 9);
    }

    [Fact]
    public void SelfContainingArchive_Quine_IsNotUnpackedAgain()
    {
        // A handler that, like a zip quine, yields its own input as its child.
        var registry = new HandlerRegistry([new QuineHandler()]);
        using var input = ScanInput.FromBlob(new MemoryBlob("QUINE-self-reproducing"u8.ToArray()), "q.bin");
        var e = ScanPipeline.Run(new ScanOptions { Handlers = registry }, input);
        Assert.Equal(2, e.Files.Count);
        Assert.Contains(e.Errors, x => x.Message.Contains("identical to a container", StringComparison.Ordinal));
    }

    public static TheoryData<string> Fixtures() =>
    [
        "tree-gnu.tar", "tree-newc.cpio", "tree-odc.cpio", "tree-bin.cpio", "tree-deflate.zip", "tree-bzip2.zip", "tree.7z",
        "tree.tar.gz", "tree.tar.bz2", "tree.tar.xz", "tree.tar.lzma", "tree.tar.zst", "tree.tar.lz4", "sparse-pax.tar", "chain.zip",
    ];

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void DamagedFixture_TruncatedOrFlipped_IsReportedNeverCrashes(string fixture)
    {
        var good = Fixture.Bytes($"archives/{fixture}");
        var random = new Random(fixture.Length);
        var variants = new List<byte[]> { good[..(good.Length / 2)], good[..(good.Length * 9 / 10)], good[..Math.Min(good.Length, 40)] };
        for (var i = 0; i < 6; i++)
        {
            var flipped = (byte[])good.Clone();
            for (var j = 0; j < 8; j++)
                flipped[random.Next(flipped.Length)] ^= (byte)(1 << random.Next(8));
            variants.Add(flipped);
        }
        foreach (var variant in variants)
        {
            var e = ScanHelper.ScanBytes(variant, fixture, new ScanLimits { HandlerTimeout = TimeSpan.FromSeconds(20) });
            Assert.DoesNotContain(e.Errors, x => x.Category == ErrorCategory.Internal);
            Assert.NotEmpty(e.Files);
        }
        // And the truncated half is always reported as a problem.
        var truncated = ScanHelper.ScanBytes(good[..(good.Length / 2)], fixture);
        Assert.NotEmpty(truncated.Errors);
    }

    private sealed class QuineHandler : IFormatHandler
    {
        public string Id => "quine";
        public string Description => "test handler yielding its input";
        public FormatCategory Category => FormatCategory.Archive;
        public IReadOnlyList<MagicSignature> Magics { get; } = [MagicSignature.Ascii("QUINE")];
        public IReadOnlyList<string> References { get; } = [];
        public IReadOnlyList<string> Limitations { get; } = [];
        public FormatMatch? TryMatch(IBlob blob, long offset) => new(offset, null, "quine");
        public void Unpack(IBlob chunk, FormatMatch match, IUnpackContext context) => context.AddFile(new EntryMeta("q.bin"), chunk);
    }
}
