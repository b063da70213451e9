using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Assay.Core.Content;
using Assay.Core.Formats;
using Assay.Core.Model;
using Assay.Formats.Iso9660;
using FormatException = Assay.Core.Formats.FormatException;

namespace Assay.Formats.Tests.Iso9660;

public sealed class Iso9660HandlerTests
{
    private static readonly Iso9660Handler Handler = new();

    // ECMA-119 8.4: the primary volume descriptor at sector 16 holds the root record at BP 157
    private const int RootExtentOffset = 0x8000 + 156 + 2;

    private static byte[] Image(string name)
    {
        using var gz = new GZipStream(File.OpenRead(Fixture.Path($"iso9660/{name}.iso.gz")), CompressionMode.Decompress);
        using var ms = new MemoryStream();
        gz.CopyTo(ms);
        return ms.ToArray();
    }

    private static CollectingUnpackContext Unpack(byte[] image)
    {
        using var blob = new MemoryBlob(image);
        var match = Handler.TryMatch(blob, 0) ?? throw new InvalidOperationException("fixture not matched");
        var context = new CollectingUnpackContext();
        Handler.Unpack(blob.Slice(0, match.Length!.Value), match, context);
        return context;
    }

    private static int IndexOf(byte[] haystack, ReadOnlySpan<byte> needle) => haystack.AsSpan().IndexOf(needle);

    private static string Text(CollectedEntry? entry) => Encoding.UTF8.GetString(entry!.Content!);

    [Theory]
    [InlineData("rr-joliet", "iso9660 volume \"ASSAY_RR\", 2048-byte blocks, 230 blocks, Rock Ridge, Joliet")]
    [InlineData("rr-relocated", "iso9660 volume \"ASSAY_DEEP\", 2048-byte blocks, 216 blocks, Rock Ridge")]
    [InlineData("joliet", "iso9660 volume \"ASSAY_JOLIET\", 2048-byte blocks, 205 blocks, Joliet")]
    [InlineData("plain", "iso9660 volume \"ASSAY_PLAIN\", 2048-byte blocks, 197 blocks")]
    public void TryMatch_Fixture_DescribesVolumeWithExactLength(string name, string description)
    {
        var image = Image(name);
        using var blob = new MemoryBlob(image);
        var match = Handler.TryMatch(blob, 0);
        Assert.NotNull(match);
        Assert.Equal(description, match.Description);
        Assert.Equal(image.Length, match.Length);
    }

    [Theory]
    [InlineData("rr-joliet")]
    [InlineData("rr-relocated")]
    public void Unpack_RockRidge_MatchesTheTreeTheImageWasMadeFrom(string name)
    {
        var context = Unpack(Image(name));
        Assert.Empty(context.Errors);
        var expected = File.ReadAllLines(Fixture.Path("iso9660/tree.txt")).Select(l => l.Split('\t')).ToList();
        var extra = 0;
        if (name == "rr-relocated")
        {
            // genisoimage moved d1/../d9 into rr_moved (RE) and left a CL record in d8; Linux shows rr_moved empty
            var moved = context.Find("rr_moved");
            Assert.Equal(NodeKind.Dir, moved?.Kind);
            Assert.DoesNotContain(context.Entries, e => e.Meta.Path.StartsWith("rr_moved/", StringComparison.Ordinal));
            extra = 1;
        }
        Assert.Equal(expected.Count + extra, context.Entries.Count);
        foreach (var f in expected)
        {
            var (type, mode, uid, gid, size, value, path) = (f[0], f[1], f[2], f[3], f[4], f[5], f[6]);
            var entry = context.Find(path);
            Assert.True(entry is not null, $"{path} missing");
            Assert.Equal(Convert.ToInt32(mode, 8), entry.Meta.Mode);
            Assert.Equal(long.Parse(uid, CultureInfo.InvariantCulture), entry.Meta.Uid);
            Assert.Equal(long.Parse(gid, CultureInfo.InvariantCulture), entry.Meta.Gid);
            Assert.Equal(1699963200, entry.Meta.Mtime); // touch -t 202311141200 (UTC), from TF
            switch (type)
            {
                case "file":
                    Assert.Equal(NodeKind.File, entry.Kind);
                    Assert.Equal(long.Parse(size, CultureInfo.InvariantCulture), entry.Content!.Length);
                    Assert.Equal(value, Convert.ToHexStringLower(SHA256.HashData(entry.Content)));
                    break;
                case "dir":
                    Assert.Equal(NodeKind.Dir, entry.Kind);
                    break;
                case "symlink":
                    Assert.Equal(NodeKind.Symlink, entry.Kind);
                    Assert.Equal(value, entry.Target);
                    break;
                case "chardev" or "blockdev":
                    Assert.Equal(NodeKind.Device, entry.Kind);
                    Assert.Equal(type == "blockdev", entry.IsBlockDevice);
                    Assert.Equal(value, $"{entry.Meta.Major},{entry.Meta.Minor}");
                    break;
                case "fifo":
                    Assert.Equal(NodeKind.Fifo, entry.Kind);
                    break;
                default:
                    Assert.Fail($"unknown kind {type} in tree.txt");
                    break;
            }
        }
    }

    [Fact]
    public void Unpack_JolietWithoutRockRidge_UsesUcs2Names()
    {
        var context = Unpack(Image("joliet"));
        Assert.Empty(context.Errors);
        Assert.Equal(
            ["README", "docs", "docs/lines.txt", "docs/sub", "docs/sub/A Long Joliet Name.txt", "hello.txt"],
            context.Entries.Select(e => e.Meta.Path).Order(StringComparer.Ordinal));
        Assert.Equal("sub\n", Text(context.Find("docs/sub/A Long Joliet Name.txt")));
        Assert.Null(context.Find("hello.txt")!.Meta.Mode); // no Rock Ridge: no POSIX attributes
    }

    [Fact]
    public void Unpack_PlainLevel1_UsesIsoNamesWithoutVersion()
    {
        var context = Unpack(Image("plain"));
        Assert.Empty(context.Errors);
        Assert.Equal(
            ["DOCS", "DOCS/LINES.TXT", "DOCS/SUB", "DOCS/SUB/A_LONG_J.TXT", "HELLO.TXT", "README"],
            context.Entries.Select(e => e.Meta.Path).Order(StringComparer.Ordinal));
        Assert.Equal("hello world\n", Text(context.Find("HELLO.TXT")));
        Assert.Equal(36000, context.Find("DOCS/LINES.TXT")!.Content!.Length);
    }

    [Fact]
    public void TryMatch_ImageInsideFlashDump_FindsItAtItsOffsetWithItsLength()
    {
        var image = Image("rr-joliet");
        const int offset = 0x20000 + 0x40;
        var dump = new byte[offset + image.Length + 8192];
        dump.AsSpan(0, offset).Fill(0xff);
        image.CopyTo(dump, offset);
        using var blob = new MemoryBlob(dump);
        Assert.Equal(0x8001, Handler.Magics[0].Offset);
        Assert.Null(Handler.TryMatch(blob, 0));
        var match = Handler.TryMatch(blob, offset);
        Assert.NotNull(match);
        Assert.Equal(image.Length, match.Length);
        var context = new CollectingUnpackContext();
        Handler.Unpack(blob.Slice(offset, match.Length!.Value), match, context);
        Assert.Empty(context.Errors);
        Assert.Equal("hello world\n", Text(context.Find("bin/hardlink")));
    }

    [Fact]
    public void TryMatch_NotIso_ReturnsNull()
    {
        var data = new byte[0x9000];
        using var blob = new MemoryBlob(data);
        Assert.Null(Handler.TryMatch(blob, 0));
        // the magic alone is not enough: the block size and root record must be sane
        data[0x8000] = 1;
        "CD001"u8.CopyTo(data.AsSpan(0x8001));
        data[0x8006] = 1;
        Assert.Null(Handler.TryMatch(blob, 0));
        Assert.Null(Handler.TryMatch(new MemoryBlob(new byte[100]), 0));
    }

    [Fact]
    public void Unpack_MultiExtentRecords_AreJoinedIntoOneFile()
    {
        var image = Image("plain");
        // root: DOCS, HELLO.TXT;1, README.;1 — flag HELLO.TXT as continued by the next record (9.1.6 bit 7)
        var at = IndexOf(image, [11, .. "HELLO.TXT;1"u8]) - 32;
        Assert.True(at > 0);
        image[at + 25] |= 0x80;
        var context = Unpack(image);
        Assert.Empty(context.Errors);
        Assert.Null(context.Find("HELLO.TXT"));
        Assert.Equal("hello world\nreadme\n", Text(context.Find("README")));
    }

    [Fact]
    public void Unpack_DirectoryRecordPointingAtRoot_ReportsLoopAndListsTheRest()
    {
        var image = Image("plain");
        var root = BinaryPrimitives.ReadUInt32LittleEndian(image.AsSpan(RootExtentOffset));
        var at = IndexOf(image, [3, .. "SUB"u8]) - 32;
        Assert.True(at > 0);
        BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(at + 2), root);
        BinaryPrimitives.WriteUInt32BigEndian(image.AsSpan(at + 6), root);
        var context = Unpack(image);
        Assert.Contains(context.Errors, e => e.Path == "DOCS/SUB" && e.Message.Contains("loop", StringComparison.Ordinal));
        Assert.NotNull(context.Find("DOCS/LINES.TXT"));
        Assert.NotNull(context.Find("README"));
    }

    [Theory]
    [InlineData("rr-joliet")]
    [InlineData("plain")]
    public void Unpack_TruncatedImage_ReportsErrorsNotCrashes(string name)
    {
        var image = Image(name);
        foreach (var keep in new[] { 0x8800, 0x9000, 0xa000, 0xc000, 0x10000, image.Length / 2 })
        {
            using var blob = new MemoryBlob(image.AsSpan(0, keep).ToArray());
            var match = Handler.TryMatch(blob, 0);
            Assert.NotNull(match);
            Assert.Contains("truncated", match.Description, StringComparison.Ordinal);
            var context = new CollectingUnpackContext();
            try
            {
                Handler.Unpack(blob, match, context);
                // the tail of an image is often padding; a cut into directories and data must show
                if (keep <= 0x10000)
                    Assert.NotEmpty(context.Errors);
            }
            catch (FormatException e)
            {
                Assert.Equal("iso9660", e.FormatId);
            }
        }
    }

    [Theory]
    [InlineData("rr-joliet", 1)]
    [InlineData("rr-relocated", 2)]
    [InlineData("joliet", 3)]
    public void Unpack_CorruptedMetadata_FailsOnlyWithFormatErrors(string name, int seed)
    {
        var original = Image(name);
        var random = new Random(seed);
        for (var round = 0; round < 150; round++)
        {
            var image = (byte[])original.Clone();
            var flips = random.Next(1, 30);
            for (var i = 0; i < flips; i++)
                image[random.Next(0x8000, Math.Min(image.Length, 0x30000))] = (byte)random.Next(256);
            using var blob = new MemoryBlob(image);
            var match = Handler.TryMatch(blob, 0);
            if (match is null)
                continue;
            var context = new CollectingUnpackContext();
            try
            {
                Handler.Unpack(blob.Slice(0, match.Length!.Value), match, context);
            }
            catch (FormatException e)
            {
                Assert.Equal("iso9660", e.FormatId);
            }
        }
    }
}
