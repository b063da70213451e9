using System.Buffers.Binary;
using Assay.Core.Formats;

namespace Assay.Formats.Tests.SquashFs;

/// <summary>
/// The packed identity of SquashFS files (what lets the next release's unchanged files be answered
/// from the result cache without decompressing them): the same stored form gives the same identity
/// in another image, one identity never stands for two contents, and it is asked for only when the
/// walk keeps results.
/// </summary>
public sealed class SquashFsIdentityTests
{
    private static readonly SquashFsHandler Handler = new();

    [Theory]
    [InlineData("xz.sqfs")]
    [InlineData("gzip-4k.sqfs")]
    [InlineData("zstd.sqfs")]
    [InlineData("nofrag.sqfs")]
    [InlineData("stored.sqfs")]
    [InlineData("lzo.sqfs")]
    public void OtherImage_SameStoredFiles_SameIdentities(string fixture)
    {
        var bytes = Fixture.Bytes($"squashfs/{fixture}");
        var before = IdentityRecorder.Files(Handler, bytes);
        // another build of the image: only the superblock's creation time differs (mkfs_time, offset 8),
        // so the image has another hash while its files are stored alike
        var rebuilt = (byte[])bytes.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(rebuilt.AsSpan(8), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8)) ^ 0x5a5a);
        var after = IdentityRecorder.Files(Handler, rebuilt);
        // files from PackedIdentity.MinimumSize on have one (blocks, holes, fragment tails); smaller ones none
        var large = before.Values.Where(f => f.Size >= PackedIdentity.MinimumSize).ToList();
        Assert.NotEmpty(large);
        Assert.All(large, f => Assert.NotNull(f.Identity));
        Assert.All(before.Values.Where(f => f.Size < PackedIdentity.MinimumSize), f => Assert.Null(f.Identity));
        Assert.Equal(before.ToDictionary(kv => kv.Key, kv => kv.Value.Identity), after.ToDictionary(kv => kv.Key, kv => kv.Value.Identity));
        // every identity is of the file's own bytes: its size, and distinct contents have distinct identities
        Assert.All(large, f => Assert.Equal(f.Size, f.Identity!.Size));
        foreach (var group in large.GroupBy(f => f.Identity!.Digest))
            Assert.Single(group.Select(f => f.Sha256).Distinct());
    }

    [Fact]
    public void OtherCompressor_SameContent_OtherIdentity()
    {
        // the identity is of the stored form, not of the content (which is only known once decoded)
        var xz = IdentityRecorder.Files(Handler, Fixture.Bytes("squashfs/xz.sqfs"));
        var zstd = IdentityRecorder.Files(Handler, Fixture.Bytes("squashfs/zstd.sqfs"));
        var common = xz.Keys.Intersect(zstd.Keys).Where(p => xz[p].Sha256 == zstd[p].Sha256 && xz[p].Size >= PackedIdentity.MinimumSize).ToList();
        Assert.NotEmpty(common);
        Assert.All(common, p => Assert.NotEqual(xz[p].Identity!.Digest, zstd[p].Identity!.Digest));
    }

    [Fact]
    public void WithoutResultCache_NoIdentityIsComputed()
    {
        var files = IdentityRecorder.Files(Handler, Fixture.Bytes("squashfs/xz.sqfs"), keepsResults: false);
        Assert.NotEmpty(files);
        Assert.All(files.Values, f => Assert.Null(f.Identity));
    }
}
