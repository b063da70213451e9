using Assay.Core.Model;

namespace Assay.Core.Tests;

/// <summary>
/// In-tree paths and finding fingerprints: the identity of a file and of a finding must survive
/// what a new release changes without changing them (delivery and container names, a carved
/// filesystem's offset, a line's number) and must change with what does change them.
/// </summary>
public sealed class FingerprintTests
{
    /// <summary>The sample delivery's layout, as one release names it: version in the zip and firmware names, SquashFS carved at an offset.</summary>
    private static List<FileRecord> Release(string version, long squashOffset)
    {
        var zip = $"EX1000_{version}.zip";
        var bin = $"{zip}!/firmware/EX1000_{version}.bin";
        var squash = $"{bin}!/0x{squashOffset:x}.squashfs";
        var gz = $"{zip}!/firmware/initramfs.cpio.gz";
        return
        [
            File(zip, null, "zip", "archive"),
            File(bin, "zip", "uimage", "firmware"),
            File(squash, "carver", "squashfs", "filesystem"),
            File($"{squash}!/etc/snmpd.conf", "squashfs", null, "text"),
            File($"{squash}!/usr/sbin/httpd", "squashfs", null, "elf"),
            File(gz, "zip", "gzip", "compressed"),
            File($"{gz}!/initramfs.cpio", "gzip", "cpio", "archive"),
            File($"{gz}!/initramfs.cpio!/etc/snmpd.conf", "cpio", null, "text"),
        ];
    }

    private static FileRecord File(string path, string? container, string? format, string cls) => new()
    {
        Path = path,
        Kind = NodeKind.File,
        Container = container,
        Format = format,
        Type = new FileTypeInfo { Class = cls, Description = cls },
    };

    private static Finding Line(string rule, string path, int line, string evidence) =>
        new() { RuleId = rule, Category = "configuration", Severity = Severity.High, Title = rule, Path = path, Line = line, Evidence = evidence };

    private static Finding Whole(string rule, string path, string evidence) =>
        new() { RuleId = rule, Category = "hardening", Severity = Severity.Medium, Title = rule, Path = path, Evidence = evidence };

    private static string Fingerprint(List<FileRecord> files, Finding finding) =>
        Assert.Single(FindingFingerprints.Assign(new Evaluation { Tool = new("assay", "0"), Input = new("x", 0, ""), Files = files, Findings = [finding] }).Findings).Fingerprint!;

    [Fact]
    public void InTreePath_NestedDelivery_DropsTheDeliveryNameAndDecompressedStreams()
    {
        var tree = new DeliveryTree(Release("1.2.0", 0x10000));
        Assert.Equal("/firmware/EX1000_1.2.0.bin!/0x10000.squashfs!/etc/snmpd.conf", tree.InTreePath("EX1000_1.2.0.zip!/firmware/EX1000_1.2.0.bin!/0x10000.squashfs!/etc/snmpd.conf"));
        Assert.Equal("/firmware/initramfs.cpio.gz!/etc/snmpd.conf", tree.InTreePath("EX1000_1.2.0.zip!/firmware/initramfs.cpio.gz!/initramfs.cpio!/etc/snmpd.conf"));
        Assert.Equal("/firmware/initramfs.cpio.gz!/initramfs.cpio", tree.InTreePath("EX1000_1.2.0.zip!/firmware/initramfs.cpio.gz!/initramfs.cpio"));
        Assert.Equal("/", tree.InTreePath("EX1000_1.2.0.zip"));
    }

    [Fact]
    public void InTreePath_SquashFsAndTarGzOfOneTree_AreTheSame()
    {
        var squash = new DeliveryTree([File("rootfs.squashfs", null, "squashfs", "filesystem"), File("rootfs.squashfs!/etc/passwd", "squashfs", null, "text")]);
        var tar = new DeliveryTree([File("rootfs.tar.gz", null, "gzip", "compressed"), File("rootfs.tar.gz!/rootfs.tar", "gzip", "tar", "archive"), File("rootfs.tar.gz!/rootfs.tar!/etc/passwd", "tar", null, "text")]);
        Assert.Equal("/etc/passwd", squash.InTreePath("rootfs.squashfs!/etc/passwd"));
        Assert.Equal("/etc/passwd", tar.InTreePath("rootfs.tar.gz!/rootfs.tar!/etc/passwd"));
        Assert.Equal(squash.Key("rootfs.squashfs!/etc/passwd"), tar.Key("rootfs.tar.gz!/rootfs.tar!/etc/passwd"));
    }

    [Fact]
    public void Key_RenamedContainersAndMovedPartition_MatchAcrossReleases()
    {
        var old = new DeliveryTree(Release("1.2.0", 0x10000));
        var @new = new DeliveryTree(Release("1.3.0", 0x24000));
        var key = old.Key("EX1000_1.2.0.zip!/firmware/EX1000_1.2.0.bin!/0x10000.squashfs!/etc/snmpd.conf");
        Assert.Equal("/firmware/EX#_#.bin!/squashfs!/etc/snmpd.conf", key);
        Assert.Equal(key, @new.Key("EX1000_1.3.0.zip!/firmware/EX1000_1.3.0.bin!/0x24000.squashfs!/etc/snmpd.conf"));
        Assert.NotEqual(key, @new.Key("EX1000_1.3.0.zip!/firmware/initramfs.cpio.gz!/initramfs.cpio!/etc/snmpd.conf"));
        // The containers themselves match too.
        Assert.Equal(old.Key("EX1000_1.2.0.zip!/firmware/EX1000_1.2.0.bin"), @new.Key("EX1000_1.3.0.zip!/firmware/EX1000_1.3.0.bin"));
        Assert.Equal("/firmware/EX#_#.bin!/squashfs", @new.Key("EX1000_1.3.0.zip!/firmware/EX1000_1.3.0.bin!/0x24000.squashfs"));
    }

    [Fact]
    public void Key_TwoCarvedFilesystemsOfOneFormat_AreRankedByOffset()
    {
        var tree = new DeliveryTree(
        [
            File("flash.bin", null, null, "data"),
            File("flash.bin!/0x400000.squashfs", "carver", "squashfs", "filesystem"),
            File("flash.bin!/0x40000.squashfs", "carver", "squashfs", "filesystem"),
            File("flash.bin!/0x1000.uimage", "carver", "uimage", "firmware"),
        ]);
        Assert.Equal("/squashfs!/etc/a", tree.Key("flash.bin!/0x40000.squashfs!/etc/a"));
        Assert.Equal("/squashfs#2!/etc/a", tree.Key("flash.bin!/0x400000.squashfs!/etc/a"));
        Assert.Equal("/uimage!/kernel", tree.Key("flash.bin!/0x1000.uimage!/kernel"));
    }

    [Fact]
    public void Key_SiblingsThatDifferOnlyInNumbers_KeepTheirNumbers()
    {
        var tree = new DeliveryTree(
        [
            File("fw.zip", null, "zip", "archive"),
            File("fw.zip!/mtd0.bin", "zip", "squashfs", "filesystem"),
            File("fw.zip!/mtd1.bin", "zip", "squashfs", "filesystem"),
            File("fw.zip!/kernel-5.10.bin", "zip", "uimage", "firmware"),
        ]);
        Assert.Equal("/mtd0.bin!/etc/a", tree.Key("fw.zip!/mtd0.bin!/etc/a"));
        Assert.Equal("/mtd1.bin!/etc/a", tree.Key("fw.zip!/mtd1.bin!/etc/a"));
        Assert.Equal("/kernel-#.bin!/Image", tree.Key("fw.zip!/kernel-5.10.bin!/Image"));
    }

    [Fact]
    public void Key_PathInsideTheInnermostContainer_IsKeptExactly() =>
        Assert.Equal("/lib/libssl.so.1.0.2", new DeliveryTree([File("r.squashfs", null, "squashfs", "filesystem")]).Key("r.squashfs!/lib/libssl.so.1.0.2"));

    [Fact]
    public void Fingerprint_LineMovedAndContainersRenamed_IsStable()
    {
        var a = Fingerprint(Release("1.2.0", 0x10000), Line("ASSAY-SNMP-V1V2C", "EX1000_1.2.0.zip!/firmware/EX1000_1.2.0.bin!/0x10000.squashfs!/etc/snmpd.conf", 1, "rocommunity public"));
        var b = Fingerprint(Release("1.3.0", 0x24000), Line("ASSAY-SNMP-V1V2C", "EX1000_1.3.0.zip!/firmware/EX1000_1.3.0.bin!/0x24000.squashfs!/etc/snmpd.conf", 9, "rocommunity   public"));
        Assert.Equal(a, b);
        Assert.Matches("^[0-9a-f]{32}$", a);
    }

    [Fact]
    public void Fingerprint_SameLineInAnotherFilesystemOrWithOtherContent_Differs()
    {
        var files = Release("1.2.0", 0x10000);
        var squash = Fingerprint(files, Line("ASSAY-SNMP-V1V2C", "EX1000_1.2.0.zip!/firmware/EX1000_1.2.0.bin!/0x10000.squashfs!/etc/snmpd.conf", 1, "rocommunity public"));
        Assert.NotEqual(squash, Fingerprint(files, Line("ASSAY-SNMP-V1V2C", "EX1000_1.2.0.zip!/firmware/initramfs.cpio.gz!/initramfs.cpio!/etc/snmpd.conf", 1, "rocommunity public")));
        Assert.NotEqual(squash, Fingerprint(files, Line("ASSAY-SNMP-V1V2C", "EX1000_1.2.0.zip!/firmware/EX1000_1.2.0.bin!/0x10000.squashfs!/etc/snmpd.conf", 1, "rocommunity lab")));
        Assert.NotEqual(squash, Fingerprint(files, Line("ASSAY-SNMP-DEFAULT-COMMUNITY", "EX1000_1.2.0.zip!/firmware/EX1000_1.2.0.bin!/0x10000.squashfs!/etc/snmpd.conf", 1, "rocommunity public")));
    }

    [Fact]
    public void Fingerprint_WholeFileFindingWithOtherDetail_IsStable()
    {
        const string httpd = "EX1000_1.2.0.zip!/firmware/EX1000_1.2.0.bin!/0x10000.squashfs!/usr/sbin/httpd";
        var files = Release("1.2.0", 0x10000);
        Assert.Equal(
            Fingerprint(files, Whole("ASSAY-ELF-FORTIFY", httpd, "unchecked: printf, strcpy; no __*_chk function")),
            Fingerprint(files, Whole("ASSAY-ELF-FORTIFY", httpd, "unchecked: memcpy, printf, strcpy; no __*_chk function")));
    }

    [Fact]
    public void Fingerprint_Secret_FollowsTheSecretNotTheLine()
    {
        const string shadow = "r.squashfs!/etc/shadow";
        var files = new List<FileRecord> { File("r.squashfs", null, "squashfs", "filesystem") };
        var weak = Line("ASSAY-PASSWD-WEAK-HASH", shadow, 1, "root: MD5-crypt $1$ab…") with { SecretFingerprint = "aa" };
        Assert.Equal(Fingerprint(files, weak), Fingerprint(files, weak with { Line = 4 }));
        Assert.NotEqual(Fingerprint(files, weak), Fingerprint(files, weak with { SecretFingerprint = "bb" }));
    }

    [Fact]
    public void Assign_EqualFindings_GetDistinctFingerprintsRankedByLine()
    {
        var files = new List<FileRecord> { File("r.squashfs", null, "squashfs", "filesystem") };
        Finding Dup(int line) => Line("ASSAY-SSH-ROOT-LOGIN", "r.squashfs!/etc/ssh/sshd_config", line, "PermitRootLogin yes");
        var e = new Evaluation { Tool = new("assay", "0"), Input = new("x", 0, ""), Files = files, Findings = [Dup(30), Dup(3)] };
        var assigned = FindingFingerprints.Assign(e).Findings;
        Assert.NotEqual(assigned[0].Fingerprint, assigned[1].Fingerprint);
        // The first by line gets the plain fingerprint: printf 'assay-finding/1\0ASSAY-SSH-ROOT-LOGIN\0/etc/ssh/sshd_config\0line:PermitRootLogin yes' | sha256sum | cut -c1-32
        Assert.Equal("534d14ceb319c52624648dcd482706ba", assigned[1].Fingerprint);
        Assert.Equal(FindingFingerprints.Compute("ASSAY-SSH-ROOT-LOGIN", "/etc/ssh/sshd_config", "line:PermitRootLogin yes", 1), assigned[0].Fingerprint);
    }

    [Fact]
    public void Assign_FingerprintAlreadyThere_IsKept()
    {
        var f = Line("ASSAY-SSH-ROOT-LOGIN", "r!/etc/ssh/sshd_config", 3, "PermitRootLogin yes") with { Fingerprint = "0123456789abcdef0123456789abcdef" };
        var e = new Evaluation { Tool = new("assay", "0"), Input = new("x", 0, ""), Findings = [f, f with { Fingerprint = null, Line = 9 }] };
        var assigned = FindingFingerprints.Assign(e).Findings;
        Assert.Equal("0123456789abcdef0123456789abcdef", assigned[0].Fingerprint);
        Assert.NotNull(assigned[1].Fingerprint);
    }

    [Theory]
    [InlineData("EX1000_1.2.0.bin", "EX#_#.bin")]
    [InlineData("fw-v2.4.1-rc3.img", "fw-v#-rc#.img")]
    [InlineData("rootfs.squashfs", "rootfs.squashfs")]
    public void MaskNumbers_VersionedName_IsMasked(string name, string expected) => Assert.Equal(expected, DeliveryTree.MaskNumbers(name));
}
