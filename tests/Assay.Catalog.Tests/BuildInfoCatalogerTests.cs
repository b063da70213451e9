using Assay.Catalog.Binaries;

namespace Assay.Catalog.Tests;

/// <summary>sections.elf carries the Go, cargo-auditable and FDO package blocks written by Fixtures/elf/blobs.py.</summary>
public sealed class BuildInfoCatalogerTests
{
    private static readonly byte[] Elf = Fixture.Bytes("elf/sections.elf");

    [Fact]
    public void GoBuildInfo_InlineFormat_ReportsGoModulesAndReplacement()
    {
        var sink = TreeScan.One(new GoBuildInfoCataloger(), "img!/usr/bin/fwtool", Elf);
        var found = sink.Components.Select(c => (c.Name, c.Version)).Order().ToList();
        // blobs.py: go1.21.5, main module v1.4.2, x/crypto v0.17.0, github.com/old/lib replaced by github.com/fork/lib v1.0.1
        Assert.Equal([("example.com/fwtool", "v1.4.2"), ("github.com/fork/lib", "v1.0.1"), ("go", "1.21.5"), ("golang.org/x/crypto", "v0.17.0")], found);
        var crypto = sink.Components.Single(c => c.Name == "golang.org/x/crypto");
        Assert.Equal("pkg:golang/golang.org/x/crypto@v0.17.0", crypto.Purl);
        Assert.Equal("cpe:2.3:a:golang:go:1.21.5:*:*:*:*:*:*:*", sink.Components.Single(c => c.Name == "go").Cpe);
    }

    [Fact]
    public void GoBuildInfo_CorruptMagic_IsAnErrorNotAComponent()
    {
        var bytes = (byte[])Elf.Clone();
        var at = bytes.AsSpan().IndexOf(" Go buildinf:"u8);
        bytes[at + 1] = (byte)'X';
        var sink = TreeScan.One(new GoBuildInfoCataloger(), "img!/usr/bin/fwtool", bytes);
        Assert.Empty(sink.Components);
        Assert.Contains("magic", Assert.Single(sink.Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CargoAuditable_DepSection_ReportsRuntimeCratesOnly()
    {
        var sink = TreeScan.One(new CargoAuditableCataloger(), "img!/usr/bin/fwagent", Elf);
        var found = sink.Components.Select(c => (c.Name, c.Version, c.Linkage)).Order().ToList();
        Assert.Equal([("fwagent", "0.3.0", "shared"), ("serde", "1.0.193", "static")], found);
        Assert.Equal("pkg:cargo/serde@1.0.193", sink.Components.Single(c => c.Name == "serde").Purl);
    }

    [Fact]
    public void CargoAuditable_CorruptStream_IsAnError()
    {
        var bytes = (byte[])Elf.Clone();
        var layout = ElfSections.TryRead(new Core.Content.MemoryBlob(bytes))!;
        var dep = layout.Find(".dep-v0")!.Value;
        for (var i = 2; i < dep.Size; i++)
            bytes[dep.Offset + i] = 0xff;
        var sink = TreeScan.One(new CargoAuditableCataloger(), "img!/usr/bin/fwagent", bytes);
        Assert.Empty(sink.Components);
        Assert.Single(sink.Errors);
    }

    [Fact]
    public void ElfPackageNote_FdoNote_ReportsThePackage()
    {
        var sink = TreeScan.One(new ElfPackageNoteCataloger(), "img!/usr/lib/libsystemd.so.0", Elf);
        var c = Assert.Single(sink.Components);
        Assert.Equal(("systemd", "252.39-1~deb12u2", "shared"), (c.Name, c.Version, c.Linkage));
        Assert.Equal("cpe:2.3:a:systemd_project:systemd:252.39:*:*:*:*:*:*:*", c.Cpe);
    }

    [Fact]
    public void ElfSections_TruncatedFile_IsNull()
    {
        Assert.Null(ElfSections.TryRead(new Core.Content.MemoryBlob(Elf.AsMemory(0, 2000))));
        Assert.NotNull(ElfSections.TryRead(new Core.Content.MemoryBlob(Elf)));
    }
}
