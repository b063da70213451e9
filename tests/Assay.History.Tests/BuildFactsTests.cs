using System.Buffers.Binary;
using System.Text;
using Assay.Core.Content;
using Assay.Core.Model;
using Assay.History.Build;

namespace Assay.History.Tests;

/// <summary>The readers behind the build facts, on real bytes and on broken ones: they say what a file is or refuse it, never crash and never read past it.</summary>
public sealed class BuildFactsTests
{
    private static readonly byte[] Magic = "~Module signature appended~\n"u8.ToArray();

    /// <summary>module + signature + struct module_signature + magic, as scripts/sign-file writes it.</summary>
    private static byte[] Signed(byte[] module, byte[] signature, byte idType = 2)
    {
        var info = new byte[ModuleSignature.StructLength];
        info[2] = idType;
        BinaryPrimitives.WriteUInt32BigEndian(info.AsSpan(8), (uint)signature.Length);
        return [.. module, .. signature, .. info, .. Magic];
    }

    /// <summary>The start of a DER CMS ContentInfo: SEQUENCE, OID id-signedData, then anything.</summary>
    private static byte[] Cms(int length) => [0x30, 0x82, 0x01, 0x00, .. ModuleSignature.SignedDataOid, .. new byte[length - 15]];

    private static MemoryBlob Blob(byte[] bytes) => new(bytes);

    [Fact]
    public void ModuleSignature_SignFileLayout_IsRead()
    {
        var module = Encoding.ASCII.GetBytes("\x7f" + "ELF not really a module");
        var trailer = ModuleSignature.TryRead(Blob(Signed(module, Cms(300))));
        Assert.NotNull(trailer);
        Assert.Equal(module.Length, trailer.Value.ContentLength);
        Assert.Equal(300 + 12 + 28, trailer.Value.TrailerLength);
    }

    [Theory]
    [InlineData("x509-id-type")]
    [InlineData("not-cms")]
    [InlineData("length-past-start")]
    [InlineData("no-magic")]
    [InlineData("tiny")]
    public void ModuleSignature_NotWhatTheKernelAccepts_IsNoSignature(string broken)
    {
        var module = new byte[64];
        byte[] bytes = broken switch
        {
            "x509-id-type" => Signed(module, Cms(100), idType: 1),
            "not-cms" => Signed(module, new byte[100]),
            "length-past-start" => Patch(Signed(module, Cms(100)), b => BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(b.Length - 28 - 4), 0x7fffffff)),
            "no-magic" => Patch(Signed(module, Cms(100)), b => b[^2] = (byte)'X'),
            _ => Magic,
        };
        Assert.Null(ModuleSignature.TryRead(Blob(bytes)));
    }

    private static byte[] Patch(byte[] bytes, Action<byte[]> edit)
    {
        edit(bytes);
        return bytes;
    }

    [Theory]
    [InlineData("image.sig", "-----BEGIN PGP SIGNATURE-----\n\niQEz\n", "openpgp")]
    [InlineData("image.asc", "-----BEGIN PGP SIGNATURE-----\n", "openpgp")]
    [InlineData("image.p7s", "-----BEGIN PKCS7-----\nMIIB\n", "cms")]
    [InlineData("image.sig", "-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n", "ssh")]
    [InlineData("image.minisig", "untrusted comment: signature from minisign secret key\nRWQ\n", "signify")]
    [InlineData("image.sig", "raw bytes that no format marks as a signature", null)]
    [InlineData("image.txt", "-----BEGIN PGP SIGNATURE-----\n", null)]
    public void DetachedSignature_NameAndContent_BothDecide(string name, string content, string? expected) =>
        Assert.Equal(expected, DetachedSignature.Classify(name, Blob(Encoding.ASCII.GetBytes(content))));

    [Fact]
    public void DetachedSignature_BinaryOpenPgpAndDerCms_AreRecognised()
    {
        // RFC 4880 old-format packet, tag 2, one-octet length, version 4.
        Assert.Equal("openpgp", DetachedSignature.Classify("a.sig", Blob([0x89, 0x01, 0x33, 0x04, 0x00, 0x01, 0x08])));
        Assert.Equal("openpgp", DetachedSignature.Classify("a.sig", Blob([0xc2, 0x50, 0x04, 0x00, 0x01, 0x08])));
        Assert.Equal("cms", DetachedSignature.Classify("a.sig", Blob(Cms(40))));
        Assert.Null(DetachedSignature.Classify("a.sig", Blob([0x89, 0x01, 0x33, 0x09])));
    }

    [Fact]
    public void ElfSectionTable_RealExecutable_NamesSectionsAndHeaders()
    {
        var bytes = File.ReadAllBytes(Fixture.Path("rebuild/hello.elf"));
        var regions = ElfSectionTable.Read(Blob(bytes), bytes.Length);
        var names = regions.Select(r => r.Name).ToList();
        Assert.Contains(".text", names);
        Assert.Contains(".note.gnu.build-id", names);
        Assert.Contains(ElfSectionTable.ElfHeader, names);
        Assert.Contains(ElfSectionTable.SectionHeaders, names);
        Assert.DoesNotContain(".bss", names);
        Assert.All(regions, r => Assert.True(r.Offset + r.Length <= bytes.Length));
    }

    [Fact]
    public void ElfSectionTable_TruncatedAnywhere_RefusedWithAMessage()
    {
        var bytes = File.ReadAllBytes(Fixture.Path("rebuild/hello.elf"));
        for (var cut = 0; cut < bytes.Length; cut += 97)
        {
            var part = bytes[..cut];
            try
            {
                var regions = ElfSectionTable.Read(Blob(part), part.Length);
                Assert.All(regions, r => Assert.True(r.Offset + r.Length <= part.Length));
            }
            catch (InvalidDataException e)
            {
                Assert.StartsWith("elf: ", e.Message, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void ElfSectionTable_HostileSectionCount_Refused()
    {
        var bytes = File.ReadAllBytes(Fixture.Path("rebuild/hello.elf"));
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(0x3c), 0); // e_shnum 0: the count is in section 0's sh_size
        var shoff = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(0x28));
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(shoff + 32), ulong.MaxValue);
        Assert.Throws<InvalidDataException>(() => ElfSectionTable.Read(Blob(bytes), bytes.Length));
    }

    [Fact]
    public void BlockDigests_OneByteChanged_LocatedToItsBlock()
    {
        var a = new byte[10_000];
        new Random(7).NextBytes(a);
        var b = (byte[])a.Clone();
        b[5000] ^= 1;
        var ranges = BlockDigests.DifferingRanges(BlockDigests.Compute(Blob(a), a.Length), BlockDigests.Compute(Blob(b), b.Length));
        Assert.Equal([(4864L, 256L)], ranges);
        var longer = BlockDigests.DifferingRanges(BlockDigests.Compute(Blob(a), a.Length), BlockDigests.Compute(Blob([.. a, 1, 2, 3]), a.Length + 3));
        Assert.Equal([(9984L, 19L)], longer);
    }

    [Fact]
    public void BlockDigests_HugeFile_BlockSizeBoundsTheDigestCount()
    {
        Assert.Equal(BlockDigests.MinBlock, BlockDigests.BlockSizeFor(1 << 20));
        var size = BlockDigests.BlockSizeFor(64L << 30);
        Assert.True((64L << 30) / size <= BlockDigests.MaxBlocks);
    }

    [Fact]
    public void Recorder_BrokenDeviceTree_IsAProblemNotACrash()
    {
        var record = new FileRecord { Path = "x!/k.fit", Kind = NodeKind.File, Format = "fit" };
        var facts = BuildRecorder.Record(record, Blob([0xd0, 0x0d, 0xfe, 0xed, 0, 0, 0, 1]));
        Assert.Null(facts.DeviceTree);
        Assert.NotNull(facts.Problem);
    }

    [Fact]
    public void FdtStructure_SignedFit_MarksSignatureAndTimestampEntries()
    {
        var bytes = File.ReadAllBytes(Fixture.Path("rebuild/kernel.fit"));
        var entries = FdtStructure.Read(Blob(bytes), isFit: true);
        Assert.Contains(entries, e => e.Name == "/:timestamp" && e.Kind == FdtStructure.EntryKind.Timestamp);
        Assert.Contains(entries, e => e.Name == "/configurations/conf-1/signature-1:value" && e.Kind == FdtStructure.EntryKind.Signature);
        Assert.Contains(entries, e => e.Name == "/images/kernel-1/hash-1:value" && e.Kind == FdtStructure.EntryKind.Other);
        Assert.DoesNotContain(entries, e => e.Name == "/images/kernel-1:data");
        // A plain device tree has no FIT signature nodes even where the names match.
        Assert.All(FdtStructure.Read(Blob(bytes), isFit: false), e => Assert.Equal(FdtStructure.EntryKind.Other, e.Kind));
    }
}
