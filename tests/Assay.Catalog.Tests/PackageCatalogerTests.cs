using Assay.Catalog.Ecosystems;
using Assay.Catalog.Packages;

namespace Assay.Catalog.Tests;

/// <summary>The package-database fixtures of Fixtures/packages (made by make.py there).</summary>
public sealed class PackageCatalogerTests
{
    [Fact]
    public void Dpkg_StatusWithLists_ReportsInstalledPackagesWithOwnedFilesAndPurls()
    {
        var sink = TreeScan.Run(Fixture.Path("packages/dpkg"), new DpkgStatusCataloger());
        var found = sink.Components.Select(c => (c.Name, c.Version)).Order().ToList();
        // busybox is "deinstall ok config-files" (removed); "broken" has no Version
        Assert.Equal([("libssl3", "3.0.11-1~deb12u2"), ("zlib1g", "1:1.2.13.dfsg-1")], found);
        var ssl = sink.Components.Single(c => c.Name == "libssl3");
        Assert.Equal("pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12", ssl.Purl);
        Assert.Equal("cpe:2.3:a:openssl:openssl:3.0.11:*:*:*:*:*:*:*", ssl.Cpe);
        Assert.Equal("openssl", ssl.SourcePackage);
        // the .list names /usr (a directory) and two libraries; the fixture tree holds neither library
        Assert.Empty(ssl.Files);
        var zlib = sink.Components.Single(c => c.Name == "zlib1g");
        Assert.Equal("pkg:deb/debian/zlib1g@1%3A1.2.13.dfsg-1?arch=amd64&distro=debian-12", zlib.Purl);
        Assert.Equal("cpe:2.3:a:zlib:zlib:1.2.13:*:*:*:*:*:*:*", zlib.Cpe);
        Assert.Equal(2, sink.Errors.Count);
        Assert.Contains(sink.Errors, e => e.Message.Contains("'this line is not a field'", StringComparison.Ordinal));
        Assert.Contains(sink.Errors, e => e.Message.Contains("no Package or Version", StringComparison.Ordinal));
    }

    [Fact]
    public void Dpkg_OwnedFiles_AreTheListedEntriesPresentInTheTree()
    {
        var root = Fixture.Path("packages/dpkg");
        var status = File.ReadAllBytes(Path.Combine(root, "var/lib/dpkg/status"));
        var list = File.ReadAllBytes(Path.Combine(root, "var/lib/dpkg/info/libssl3:amd64.list"));
        var cataloger = new DpkgStatusCataloger();
        var sink = new Core.Plugins.InspectionSink();
        var records = new List<Core.Model.FileRecord>
        {
            TreeScan.Record("img!/var/lib/dpkg/status", status),
            TreeScan.Record("img!/var/lib/dpkg/info/libssl3:amd64.list", list),
            TreeScan.Record("img!/usr/lib/x86_64-linux-gnu/libcrypto.so.3", [0x7f]),
            new() { Path = "img!/usr", Kind = Core.Model.NodeKind.Dir },
        };
        foreach (var r in records.Take(2))
            cataloger.Inspect(new Core.Plugins.InspectedFile(r, new Core.Content.MemoryBlob(r.Path.EndsWith("status", StringComparison.Ordinal) ? status : list)), sink);
        cataloger.Complete(records, sink);
        Assert.Equal(["img!/usr/lib/x86_64-linux-gnu/libcrypto.so.3"], sink.Components.Single(c => c.Name == "libssl3").Files);
    }

    [Fact]
    public void Dpkg_VendorOsRelease_TakesDebianReleaseFromVersionMarkers()
    {
        var sink = TreeScan.Run(Fixture.Path("packages/dpkg-vendor"), new DpkgStatusCataloger());
        var lighttpd = sink.Components.Single(c => c.Name == "lighttpd");
        Assert.Equal("pkg:deb/debian/lighttpd@1.4.69-1?arch=armhf&distro=debian-12", lighttpd.Purl);
        Assert.Equal("cpe:2.3:a:thekelleys:dnsmasq:2.90:*:*:*:*:*:*:*", sink.Components.Single(c => c.Name == "dnsmasq-base").Cpe);
    }

    [Fact]
    public void Opkg_Status_ReportsPackagesWithOwnedFiles()
    {
        var sink = TreeScan.Run(Fixture.Path("packages/opkg"), new OpkgStatusCataloger());
        Assert.Equal([("dnsmasq-full", "2.89-4"), ("dropbear", "2022.82-2"), ("libcurl4", "8.4.0-1"), ("libopenssl3", "3.0.12-1"), ("uhttpd", "2023-06-25-34a8a74d-2")],
            sink.Components.Select(c => (c.Name, c.Version)).Order().ToList());
        var dropbear = sink.Components.Single(c => c.Name == "dropbear");
        Assert.Equal("pkg:opkg/openwrt/dropbear@2022.82-2?arch=mipsel_24kc", dropbear.Purl);
        Assert.Equal(["img!/etc/init.d/dropbear", "img!/usr/sbin/dropbear"], dropbear.Files);
        Assert.Equal("cpe:2.3:a:dropbear_ssh_project:dropbear_ssh:2022.82:*:*:*:*:*:*:*", dropbear.Cpe);
        var ssl = sink.Components.Single(c => c.Name == "libopenssl3");
        Assert.Equal("cpe:2.3:a:openssl:openssl:3.0.12:*:*:*:*:*:*:*", ssl.Cpe); // from CPE-ID
        Assert.Equal("openssl", ssl.SourcePackage); // SourceName, not the tree path of Source
        Assert.Equal("cpe:2.3:a:haxx:curl:8.4.0:*:*:*:*:*:*:*", sink.Components.Single(c => c.Name == "libcurl4").Cpe); // SourceName through sources:
        Assert.Equal("cpe:2.3:a:thekelleys:dnsmasq:2.89:*:*:*:*:*:*:*", sink.Components.Single(c => c.Name == "dnsmasq-full").Cpe);
        Assert.Null(sink.Components.Single(c => c.Name == "uhttpd").Cpe); // no CPE-ID, no known source: no guess
    }

    [Theory]
    [InlineData("openssl", "package/libs/openssl", "libopenssl3", "openssl")]
    [InlineData(null, "package/libs/openssl", "libopenssl3", "openssl")]
    [InlineData(null, "openssl (3.0.12-1)", "libopenssl3", "openssl")]
    [InlineData(null, null, "libopenssl3", "libopenssl3")]
    [InlineData(null, "feeds/packages/", "x", "packages")]
    public void Opkg_SourceName_PrefersSourceNameThenPathTail(string? sourceName, string? source, string name, string expected) =>
        Assert.Equal(expected, OpkgStatusCataloger.SourceName(sourceName, source, name));

    [Theory]
    [InlineData("cpe:/a:openssl:openssl", "3.0.12", "cpe:2.3:a:openssl:openssl:3.0.12:*:*:*:*:*:*:*")]
    [InlineData("cpe:2.3:a:haxx:curl:*:*:*:*:*:*:*:*", "8.4.0", "cpe:2.3:a:haxx:curl:8.4.0:*:*:*:*:*:*:*")]
    [InlineData("cpe:/o:linux:linux_kernel", "6.1.1", "cpe:2.3:o:linux:linux_kernel:6.1.1:*:*:*:*:*:*:*")]
    [InlineData("cpe:/h:vendor:board", "1", null)]
    [InlineData("openssl", "1", null)]
    [InlineData("cpe:/a:openssl", "1", null)]
    public void Cpe_WithVersion_ReadsProductCpes(string text, string version, string? expected) =>
        Assert.Equal(expected, Assay.Core.Identifiers.Cpe23.WithVersion(text, version));

    [Fact]
    public void Yocto_LicenseManifest_ReportsPackagesWithRecipeCpes()
    {
        var sink = TreeScan.Run(Fixture.Path("packages/yocto"), new YoctoLicenseManifestCataloger());
        Assert.Equal(["busybox", "kernel-6.1.38-yocto-standard", "libssl3"], sink.Components.Select(c => c.Name).Order().ToList());
        var ssl = sink.Components.Single(c => c.Name == "libssl3");
        Assert.Equal(("3.1.4", "openssl", "cpe:2.3:a:openssl:openssl:3.1.4:*:*:*:*:*:*:*"), (ssl.Version, ssl.SourcePackage, ssl.Cpe));
        Assert.Equal("pkg:generic/libssl3@3.1.4?distro=yocto", ssl.Purl);
        Assert.Equal(["Apache-2.0"], ssl.Licenses);
        Assert.Equal("cpe:2.3:a:busybox:busybox:1.36.1:*:*:*:*:*:*:*", sink.Components.Single(c => c.Name == "busybox").Cpe);
        Assert.Equal("cpe:2.3:o:linux:linux_kernel:6.1.38:*:*:*:*:*:*:*", sink.Components.Single(c => c.Name.StartsWith("kernel-", StringComparison.Ordinal)).Cpe);
        Assert.Contains("no PACKAGE NAME or PACKAGE VERSION", Assert.Single(sink.Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void YoctoInstalledPackages_ArchWithUnderscore_AndHostileLines_ReadInLinearTime()
    {
        // NAME_VERSION_ARCH.ipk: the version is the shortest run that leaves a valid arch (core2_64 keeps its '_').
        var list = YoctoImageManifestCataloger.ReadInstalledPackages("busybox_1.36.1-r0_core2_64.ipk\nlibz1_1.3-r0_x86_64.deb\nopenssl-3.1.4-r0.core2_64.rpm\n");
        Assert.Equal([("busybox", "core2_64", "1.36.1-r0"), ("libz1", "x86_64", "1.3-r0"), ("openssl", "core2_64", "3.1.4-r0")], list);
        // A 200 KB line of underscores is quadratic for a backtracking engine; it is just not a package line.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Assert.Null(YoctoImageManifestCataloger.ReadInstalledPackages("a_" + new string('_', 200_000) + "1.ipk\n"));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");
    }

    [Fact]
    public void Yocto_ImageManifestAndInstalledPackages_ReportPackages()
    {
        var sink = TreeScan.Run(Fixture.Path("packages/yocto"), new YoctoImageManifestCataloger());
        Assert.Equal([("busybox", "1.36.1"), ("busybox", "1.36.1"), ("dnsmasq", "2.89"), ("dropbear", "2022.83"), ("libz1", "1.3"), ("openssl-bin", "3.1.4")],
            sink.Components.Select(c => (c.Name, c.Version)).Order().ToList());
        var dropbear = sink.Components.Single(c => c.Name == "dropbear");
        Assert.Equal(("2022.83-r0", "cpe:2.3:a:dropbear_ssh_project:dropbear_ssh:2022.83:*:*:*:*:*:*:*"), (dropbear.PackageVersion, dropbear.Cpe));
        Assert.Equal("pkg:generic/dropbear@2022.83-r0?arch=cortexa15t2hf_neon&distro=yocto", dropbear.Purl);
        Assert.Equal("cpe:2.3:a:thekelleys:dnsmasq:2.89:*:*:*:*:*:*:*", sink.Components.Single(c => c.Name == "dnsmasq").Cpe);
        Assert.Null(sink.Components.Single(c => c.Name == "openssl-bin").Cpe); // no recipe name in these lists: no guess
        Assert.Empty(sink.Errors); // etc/other.manifest is not a package list: skipped silently
    }

    [Fact]
    public void Buildroot_Manifest_ReportsPackagesThroughBuildrootNames()
    {
        var sink = TreeScan.Run(Fixture.Path("packages/buildroot"), new BuildrootManifestCataloger());
        Assert.Equal([("busybox", "1.36.1"), ("dropbear", "2022.83"), ("libopenssl", "3.1.4"), ("linux", "6.1.44")], sink.Components.Select(c => (c.Name, c.Version)).Order().ToList());
        Assert.Equal("cpe:2.3:a:openssl:openssl:3.1.4:*:*:*:*:*:*:*", sink.Components.Single(c => c.Name == "libopenssl").Cpe);
        Assert.Equal("cpe:2.3:o:linux:linux_kernel:6.1.44:*:*:*:*:*:*:*", sink.Components.Single(c => c.Name == "linux").Cpe);
        Assert.Equal(["GPL-2.0, bzip2-1.0.4"], sink.Components.Single(c => c.Name == "busybox").Licenses);
        Assert.Equal("pkg:generic/busybox@1.36.1?distro=buildroot", sink.Components.Single(c => c.Name == "busybox").Purl);
        Assert.Contains("row 6", Assert.Single(sink.Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Buildroot_Csv_QuotesAndEscapes()
    {
        var rows = BuildrootManifestCataloger.ReadCsv("\"a\",\"b,c\",\"d\"\"e\"\r\nx,y\n");
        Assert.Equal([["a", "b,c", "d\"e"], ["x", "y"]], rows);
    }

    [Fact]
    public void Apk_Installed_ReportsPackagesFilesAndDistro()
    {
        var sink = TreeScan.Run(Fixture.Path("packages/apk"), new ApkInstalledCataloger());
        Assert.Equal([("libcrypto3", "3.1.4-r0"), ("musl", "1.2.4-r2")], sink.Components.Select(c => (c.Name, c.Version)).Order().ToList());
        var musl = sink.Components.Single(c => c.Name == "musl");
        Assert.Equal("pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64&distro=alpine-3.18", musl.Purl);
        Assert.Equal(["img!/lib/ld-musl-x86_64.so.1", "img!/lib/libc.musl-x86_64.so.1"], musl.Files);
        Assert.Equal(["MIT"], musl.Licenses);
        Assert.Equal("cpe:2.3:a:openssl:openssl:3.1.4:*:*:*:*:*:*:*", sink.Components.Single(c => c.Name == "libcrypto3").Cpe);
        Assert.Equal(2, sink.Errors.Count);
    }

    [Fact]
    public void Rpm_Sqlite_ReportsPackagesFromHeaderBlobs()
    {
        var sink = TreeScan.Run(Fixture.Path("packages/rpm"), new RpmSqliteCataloger());
        Assert.Equal([("bash", "5.2.21-1.fc39"), ("openssl-libs", "1:3.1.1-4.fc39")], sink.Components.Select(c => (c.Name, c.Version)).Order().ToList());
        var ssl = sink.Components.Single(c => c.Name == "openssl-libs");
        Assert.Equal("pkg:rpm/fedora/openssl-libs@3.1.1-4.fc39?arch=x86_64&distro=fedora-39&epoch=1", ssl.Purl);
        Assert.Equal("openssl", ssl.SourcePackage);
        Assert.Equal("cpe:2.3:a:openssl:openssl:3.1.1:*:*:*:*:*:*:*", ssl.Cpe);
        Assert.Equal(["img!/usr/lib64/libcrypto.so.3", "img!/usr/lib64/libssl.so.3"], ssl.Files);
        // the third row's blob claims 1,000,000 index entries in 13 bytes
        Assert.Contains("do not fit", Assert.Single(sink.Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rpm_NotSqlite_IsAnError()
    {
        var sink = TreeScan.One(new RpmSqliteCataloger(), "img!/var/lib/rpm/rpmdb.sqlite", "not a database at all, just text"u8.ToArray());
        Assert.Empty(sink.Components);
        Assert.Single(sink.Errors);
    }

    [Theory]
    [InlineData("openssl-3.0.7-6.el9.src.rpm", "openssl")]
    [InlineData("python3.11-3.11.5-1.fc39.src.rpm", "python3.11")]
    [InlineData("", null)]
    public void Rpm_SourceName_DropsVersionAndRelease(string sourceRpm, string? expected) =>
        Assert.Equal(expected, RpmSqliteCataloger.SourceName(sourceRpm));

    [Fact]
    public void Python_DistInfoAndEggInfo_AreReportedWithNormalizedNames()
    {
        var sink = TreeScan.Run(Fixture.Path("packages/python"), new PythonDistInfoCataloger());
        Assert.Equal([("requests-oauthlib", "1.3.1"), ("six", "1.16.0")], sink.Components.Select(c => (c.Name, c.Version)).Order().ToList());
        Assert.Equal("pkg:pypi/requests-oauthlib@1.3.1", sink.Components.Single(c => c.Name == "requests-oauthlib").Purl);
        Assert.Single(sink.Errors);
    }

    [Fact]
    public void Npm_PackageJson_ReportsNamedVersionedManifests()
    {
        var sink = TreeScan.Run(Fixture.Path("packages/npm"), new NodePackageJsonCataloger());
        Assert.Equal([("@img/sharp-libvips-linux-x64", "1.0.4"), ("lodash", "4.17.21")], sink.Components.Select(c => (c.Name, c.Version)).Order().ToList());
        var sharp = sink.Components.Single(c => c.Name.StartsWith('@'));
        Assert.Equal("pkg:npm/%40img/sharp-libvips-linux-x64@1.0.4", sharp.Purl);
        Assert.Equal("Lovell Fuller", sharp.Supplier);
        Assert.Equal(["MIT"], sink.Components.Single(c => c.Name == "lodash").Licenses);
        Assert.Single(sink.Errors);
    }

    [Theory]
    [InlineData("install ok installed", true)]
    [InlineData("deinstall ok config-files", false)]
    [InlineData("purge ok not-installed", false)]
    [InlineData(null, true)]
    public void Dpkg_IsInstalled_FollowsTheStatusWord(string? status, bool expected) =>
        Assert.Equal(expected, DpkgStatusCataloger.IsInstalled(status));

    [Theory]
    [InlineData("rpm", "pkg:rpm/fedora/openssl-libs@3.1.1-4.fc39?arch=x86_64&distro=fedora-39&epoch=1")]
    [InlineData("apk", "pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64&distro=alpine-3.18")]
    public void OsRelease_OnlyUnderUsrLib_StillGivesTheDistro(string fixture, string purl)
    {
        // On Fedora, RHEL and Alpine /etc/os-release is a symbolic link to /usr/lib/os-release.
        var folder = Path.Combine(Path.GetTempPath(), $"assay-osrel-{Guid.NewGuid():N}");
        try
        {
            foreach (var file in Directory.EnumerateFiles(Fixture.Path($"packages/{fixture}"), "*", SearchOption.AllDirectories))
            {
                var rel = Path.GetRelativePath(Fixture.Path($"packages/{fixture}"), file).Replace('\\', '/');
                var target = Path.Combine(folder, rel == "etc/os-release" ? "usr/lib/os-release" : rel);
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target);
            }
            Core.Plugins.IInspector cataloger = fixture == "rpm" ? new RpmSqliteCataloger() : new ApkInstalledCataloger();
            var sink = TreeScan.Run(folder, cataloger);
            Assert.Contains(sink.Components, c => c.Purl == purl);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
