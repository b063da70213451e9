using System.Text;
using Assay.Catalog.Binaries;
using Assay.Core.Content;

namespace Assay.Catalog.Tests;

public sealed class BinarySignatureCatalogerTests
{
    private static byte[] Latin1(string s) => Encoding.Latin1.GetBytes(s);

    [Fact]
    public void Groups_OfTheShippedSignatures_AreEverySearchPassVectorized()
    {
        // .NET falls back to Aho-Corasick (a character at a time) for a whole set of strings when one
        // of them has a NUL in its first three characters; node's "\0ares\0" anchor did that to every
        // scan of a node binary (3 s of 4.7). Every pass, with each file-scoped set, must stay vectorized.
        var anchored = SignatureDatabase.Default.Signatures.Where(s => s.Kind is SignatureKind.Anchor or SignatureKind.Lone).ToList();
        var unscoped = anchored.Where(s => s.File is null).ToList();
        var scoped = anchored.Where(s => s.File is not null).ToList();
        Assert.Contains(scoped, s => s.Anchors.Any(a => !BinarySignatureCataloger.Vectorizable(a)));
        var sets = scoped.Select(s => unscoped.Append(s)).Prepend(unscoped).Append(anchored);
        foreach (var set in sets)
        {
            var groups = BinarySignatureCataloger.Groups(set);
            Assert.All(groups, g => Assert.DoesNotContain("AhoCorasick", g.Values.GetType().Name, StringComparison.Ordinal));
            Assert.Equal(set.SelectMany(s => s.Anchors).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal), groups.SelectMany(g => g.Anchors).Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public void Scan_AnchorsOfTwoPassesMatchingAtOnePlace_GiveOneHitEach()
    {
        // "ab\0" and "ab\0c" each get a pass of their own (NUL in the head); at the one place where
        // both match, each pass must report only its own anchor, not both again.
        const string yaml = "components:\n"
            + "  - name: a\n    signatures:\n      - { id: a-sig, anchors: [\"ab\\0\"], after: 16, pattern: 'ab\\x00c (?<v>[0-9]\\.[0-9])' }\n"
            + "  - name: b\n    signatures:\n      - { id: b-sig, anchors: [\"ab\\0c\"], after: 16, pattern: 'ab\\x00c (?<v>[0-9]\\.[0-9])' }\n";
        var db = SignatureDatabase.Load(new MemoryStream(Encoding.UTF8.GetBytes(yaml)));
        Assert.All(db.Signatures.SelectMany(s => s.Anchors), a => Assert.False(BinarySignatureCataloger.Vectorizable(a)));
        var hits = new BinarySignatureCataloger(db).Scan(new MemoryBlob(Latin1("xxxx ab\0c 1.2 yyyy")), "prog", headerOnly: false, out var truncated);
        Assert.False(truncated);
        Assert.Equal([("a", "1.2", 5L), ("b", "1.2", 5L)], hits.Select(h => (h.Component, h.Version, h.AnchorOffset)));
    }

    [Fact]
    public void Inspect_ElfWithLinkedInCopies_ReportsEachAsStaticCopyWithEvidence()
    {
        // versions.c defines the version strings of OpenSSL 1.0.2k, zlib 1.2.8 and BusyBox 1.24.1.
        var sink = TreeScan.One(new BinarySignatureCataloger(), "img!/usr/bin/versions", Fixture.Bytes("elf/versions.elf"));
        var found = sink.Components.Select(c => (c.Name, c.Version)).Order().ToList();
        Assert.Equal([("busybox", "1.24.1"), ("openssl", "1.0.2k"), ("zlib", "1.2.8")], found);
        var openssl = sink.Components.Single(c => c.Name == "openssl");
        Assert.Equal("static", openssl.Linkage);
        Assert.Equal("pkg:generic/openssl@1.0.2k", openssl.Purl);
        Assert.Equal("cpe:2.3:a:openssl:openssl:1.0.2k:*:*:*:*:*:*:*", openssl.Cpe);
        var evidence = Assert.Single(openssl.Evidence);
        Assert.Equal("binary-signature:openssl-version-text", evidence.Source);
        Assert.Equal("OpenSSL 1.0.2k-fips  26 Jan 2017", evidence.Text);
        var bytes = Fixture.Bytes("elf/versions.elf");
        Assert.Equal(bytes.AsSpan().IndexOf("OpenSSL 1.0.2k"u8), evidence.Offset);
    }

    [Fact]
    public void Inspect_DynamicallyLinkedHeaderVersion_IsNotACopy()
    {
        // headerref.elf: DT_NEEDED libcrypto.so.3 and the OpenSSL 1.1.1w header version text
        var bytes = Fixture.Bytes("elf/headerref.elf");
        Assert.True(bytes.AsSpan().IndexOf("OpenSSL 1.1.1w"u8) > 0);
        var sink = TreeScan.One(new BinarySignatureCataloger(), "img!/usr/sbin/daemon", bytes);
        Assert.Empty(sink.Components);
    }

    [Fact]
    public void Inspect_SameBytesTwice_ReportsEachLocation()
    {
        // the second file is answered from the per-scan cache keyed by SHA-256 and name
        var bytes = Latin1("\u007fELF\0\0\0OpenSSL 3.0.20 7 Apr 2026\0");
        var cataloger = new BinarySignatureCataloger();
        var sink = new Core.Plugins.InspectionSink();
        foreach (var path in new[] { "img!/a/libcrypto.so.3", "img!/b/libcrypto.so.3" })
        {
            var record = TreeScan.Record(path, bytes) with { Sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)) };
            cataloger.Inspect(new Core.Plugins.InspectedFile(record, new MemoryBlob(bytes)), sink);
        }
        Assert.Equal(["img!/a/libcrypto.so.3", "img!/b/libcrypto.so.3"], sink.Components.Select(c => c.Location).Order(StringComparer.Ordinal));
        Assert.All(sink.Components, c => Assert.Equal(("openssl", "3.0.20", 7L), (c.Name, c.Version, c.Evidence[0].Offset ?? -1)));
        Assert.Equal("img!/b/libcrypto.so.3", sink.Components.Max(c => c.Evidence[0].Path));
    }

    [Fact]
    public void Inspect_ComponentsOwnLibrary_IsSharedLinkage()
    {
        var bytes = Latin1("\u007fELF\0\0\0OpenSSL 3.0.20 7 Apr 2026\0");
        var sink = TreeScan.One(new BinarySignatureCataloger(), "img!/usr/lib/libcrypto.so.3", bytes);
        Assert.Equal("shared", Assert.Single(sink.Components).Linkage);
    }

    [Theory]
    [InlineData("img!/usr/lib/libcrypto.so.3", "shared")]
    [InlineData("img!/usr/bin/openssl", "shared")]
    [InlineData("img!/opt/vendor/app/lib/libcrypto.so.1.0.0", "vendored")]
    [InlineData("img!/usr/bin/node", "static")]
    public void Inspect_Linkage_FollowsFileNameAndFolder(string path, string linkage)
    {
        var bytes = Latin1("\u007fELF\0\0\0OpenSSL 1.0.2u  20 Dec 2019\0");
        Assert.Equal(linkage, Assert.Single(TreeScan.One(new BinarySignatureCataloger(), path, bytes).Components).Linkage);
    }

    [Fact]
    public void Scan_AnchorAcrossChunkBoundary_IsFound()
    {
        // 1 MiB chunks: put the anchor so that it starts 5 bytes before the first boundary.
        var bytes = new byte[(1 << 20) + 4096];
        var text = Latin1("OpenSSL 1.1.1w  11 Sep 2023\0");
        text.CopyTo(bytes, (1 << 20) - 5);
        var hits = new BinarySignatureCataloger().Scan(new MemoryBlob(bytes), "blob", headerOnly: false, out var truncated);
        Assert.False(truncated);
        var hit = Assert.Single(hits);
        Assert.Equal(("openssl", "1.1.1w", (long)(1 << 20) - 5), (hit.Component, hit.Version, hit.Offset));
    }

    [Fact]
    public void Scan_DebianKernelBanner_HigherPrioritySignatureWins()
    {
        var banner = "Linux version 6.1.0-50-armmp (debian-kernel@lists.debian.org) (gcc-12 (Debian 12.2.0-14) 12.2.0) #1 SMP Debian 6.1.176-1 (2026-07-02)\n\0";
        var hits = new BinarySignatureCataloger().Scan(new MemoryBlob(Latin1("\0\0" + banner)), "Image", headerOnly: false, out _);
        var hit = Assert.Single(hits);
        Assert.Equal(("linux-kernel", "6.1.176", "linux-banner-debian"), (hit.Component, hit.Version, hit.Signature.Id));
    }

    [Fact]
    public void Inspect_UnpackedContainer_ReadsOnlyTheHeader()
    {
        // A uImage that a format handler unpacked: the name field counts, the body does not
        // (its children are scanned as files of their own).
        var header = new byte[64];
        new byte[] { 0x27, 0x05, 0x19, 0x56 }.CopyTo(header, 0);
        Latin1("fw Linux-5.10.110").CopyTo(header, 32);
        var bytes = header.Concat(Latin1("\0OpenSSL 1.1.1w  11 Sep 2023\0")).ToArray();
        var sink = TreeScan.One(new BinarySignatureCataloger(), "fw.bin", bytes, format: "uimage");
        var c = Assert.Single(sink.Components);
        Assert.Equal(("linux-kernel", "5.10.110", "kernel"), (c.Name, c.Version, c.Type));
        Assert.Equal("cpe:2.3:o:linux:linux_kernel:5.10.110:*:*:*:*:*:*:*", c.Cpe);
    }

    [Fact]
    public void Inspect_ContainerLargerThanTheScanBound_ReadsItsHeaderWithoutALimitError()
    {
        // A tar streamed out of a 1.1 GB tar.gz is 2.5 GB; only its header is searched, so the
        // 512 MiB bound on searched bytes does not apply (it made that scan "incomplete", exit 5).
        // The pipeline gives such a container as its head (here 4 KiB) in a window of its full size.
        var header = new byte[4096];
        new byte[] { 0x27, 0x05, 0x19, 0x56 }.CopyTo(header, 0);
        Latin1("fw Linux-5.10.110").CopyTo(header, 32);
        var size = BinarySignatureCataloger.MaxFileSize + 1;
        var record = TreeScan.Record("big.bin", header, format: "uimage") with { Size = size };
        var sink = new Core.Plugins.InspectionSink();
        var cataloger = new BinarySignatureCataloger();
        Assert.True(cataloger.Wants(record));
        cataloger.Inspect(new Core.Plugins.InspectedFile(record, new WindowBlob(size, 0, new MemoryBlob(header))), sink);
        Assert.Empty(sink.Errors);
        Assert.Equal("5.10.110", Assert.Single(sink.Components).Version);
    }

    [Fact]
    public void Inspect_RegularFileLargerThanTheScanBound_IsALimitError()
    {
        var size = BinarySignatureCataloger.MaxFileSize + 1;
        var record = TreeScan.Record("blob.bin", [0x01, 0x02, 0x03]) with { Size = size };
        var sink = new Core.Plugins.InspectionSink();
        new BinarySignatureCataloger().Inspect(new Core.Plugins.InspectedFile(record, new WindowBlob(size, 0, new MemoryBlob(new byte[] { 1, 2, 3 }))), sink);
        Assert.Equal(Core.Model.ErrorCategory.Limit, Assert.Single(sink.Errors).Category);
        Assert.Empty(sink.Components);
    }

    [Fact]
    public void Scan_FileScopedSignature_IgnoredInOtherFiles()
    {
        var bytes = Latin1("\0%s version 4.99.3\n\0");
        Assert.Single(new BinarySignatureCataloger().Scan(new MemoryBlob(bytes), "tcpdump", false, out _));
        Assert.Empty(new BinarySignatureCataloger().Scan(new MemoryBlob(bytes), "other-tool", false, out _));
    }

    [Fact]
    public void Scan_FileNameSignatureWithConfirm_NeedsTheBareVersionInTheFile()
    {
        var cataloger = new BinarySignatureCataloger();
        var hit = Assert.Single(cataloger.Scan(new MemoryBlob(Latin1("\u007fELF\0\0\0" + "1.5.4\0")), "libzstd.so.1.5.4", false, out _));
        Assert.Equal(("zstd", "1.5.4", 7L), (hit.Component, hit.Version, hit.Offset));
        Assert.Empty(cataloger.Scan(new MemoryBlob(Latin1("\u007fELF\0\0\0" + "1.5.5\0")), "libzstd.so.1.5.4", false, out _));
    }

    [Fact]
    public void Scan_RandomBytes_FindsNothingAndDoesNotThrow()
    {
        var random = new Random(1234);
        var bytes = new byte[3 << 20];
        random.NextBytes(bytes);
        Assert.Empty(new BinarySignatureCataloger().Scan(new MemoryBlob(bytes), "random.bin", false, out _));
    }

    [Fact]
    public void Wants_TextAndContainers_OnlyContainersForHeaders()
    {
        var cataloger = new BinarySignatureCataloger();
        Assert.False(cataloger.Wants(TreeScan.Record("img!/etc/motd", Latin1("hello world\n"))));
        Assert.True(cataloger.Wants(TreeScan.Record("img!/bin/x", Fixture.Bytes("elf/versions.elf"))));
        Assert.True(cataloger.Wants(TreeScan.Record("fw.bin", new byte[64], format: "uimage")));
    }

    [Fact]
    public void Sanitize_ControlBytes_AreShownNotCopied()
    {
        Assert.Equal("a\\0b.c", BinarySignatureCataloger.Sanitize("a\0b\u0001c"));
    }
}
