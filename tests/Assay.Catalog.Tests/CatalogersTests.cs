using Assay.Core.Model;
using Assay.Core.Plugins;

namespace Assay.Catalog.Tests;

/// <summary>The registry (STYLE.md rule 2): unique sorted ids, fresh instances, no crash on hostile input.</summary>
public sealed class CatalogersTests
{
    [Fact]
    public void CreateAll_Ids_AreUniqueSortedLowerCase()
    {
        var ids = Catalogers.CreateAll().Select(c => c.Id).ToList();
        Assert.Equal(ids.Order(StringComparer.Ordinal), ids);
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.All(ids, id => Assert.Equal(id.ToLowerInvariant(), id));
        Assert.Equal(13, ids.Count);
    }

    [Fact]
    public void CreateAll_EachCall_GivesNewInstances()
    {
        var a = Catalogers.CreateAll();
        var b = Catalogers.CreateAll();
        Assert.All(a.Zip(b), p => Assert.NotSame(p.First, p.Second));
    }

    public static TheoryData<string> MalformedPaths() => new()
    {
        "img!/var/lib/dpkg/status",
        "img!/var/lib/dpkg/info/x.list",
        "img!/usr/lib/opkg/status",
        "img!/lib/apk/db/installed",
        "img!/var/lib/rpm/rpmdb.sqlite",
        "img!/usr/lib/python3/x-1.dist-info/METADATA",
        "img!/node_modules/x/package.json",
        "img!/usr/bin/tool",
        "img!/etc/os-release",
        "img!/usr/share/common-licenses/license.manifest",
        "img!/core-image-minimal-qemuarm.manifest",
        "img!/buildhistory/images/x/installed-packages.txt",
        "img!/legal-info/manifest.csv",
    };

    [Theory]
    [MemberData(nameof(MalformedPaths))]
    public void AllCatalogers_GarbageAtDatabasePaths_DoNotThrow(string path)
    {
        var random = new Random(path.Length * 7919);
        foreach (var size in new[] { 1, 17, 4096, 70_000 })
        {
            var bytes = new byte[size];
            random.NextBytes(bytes);
            if (size > 4)
                "\u007fELF"u8.CopyTo(bytes);
            foreach (var inspector in Catalogers.CreateAll())
            {
                var sink = new InspectionSink();
                var record = TreeScan.Record(path, bytes);
                if (inspector.Wants(record))
                    inspector.Inspect(new InspectedFile(record, new Core.Content.MemoryBlob(bytes)), sink);
                inspector.Complete([record], sink);
                Assert.All(sink.Components, c => Assert.False(string.IsNullOrEmpty(c.Version)));
            }
        }
    }

    [Fact]
    public void AllCatalogers_TruncatedElfFixture_DoNotThrow()
    {
        var elf = Fixture.Bytes("elf/sections.elf");
        for (var cut = 0; cut < elf.Length; cut += 509)
        {
            var bytes = elf[..cut];
            foreach (var inspector in Catalogers.CreateAll())
            {
                var sink = new InspectionSink();
                var record = TreeScan.Record("img!/usr/bin/x", bytes);
                if (inspector.Wants(record))
                    inspector.Inspect(new InspectedFile(record, new Core.Content.MemoryBlob(bytes)), sink);
                Assert.DoesNotContain(sink.Errors, e => e.Category == ErrorCategory.Internal);
            }
        }
    }
}
