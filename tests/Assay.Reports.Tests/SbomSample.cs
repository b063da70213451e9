using Assay.Core.Model;

namespace Assay.Reports.Tests;

/// <summary>A small evaluation with the shapes an SBOM must carry: a static copy inside another binary, a package-database component owning files, a kernel, a component at the input itself.</summary>
internal static class SbomSample
{
    public const string Image = "fw image.bin";
    public const string Node = Image + "!/rootfs.sqfs!/usr/bin/node";
    public const string Status = Image + "!/rootfs.sqfs!/var/lib/dpkg/status";
    public const string Crypto = Image + "!/rootfs.sqfs!/usr/lib/libcrypto.so.3";
    public const string Kernel = Image + "!/kernel.xz!/kernel";

    private static FileRecord File(string path, char hash, string cls = "elf") => new()
    {
        Path = path,
        Kind = NodeKind.File,
        Size = 1234,
        Mode = "0755",
        Sha256 = new string(hash, 64),
        Type = new FileTypeInfo { Class = cls, Description = cls == "elf" ? "ELF 64-bit LSB executable, x86-64" : "text" },
    };

    public static Evaluation Create() => new()
    {
        Tool = new ToolInfo("assay", "0.1.0"),
        Input = new InputInfo("/data/" + Image, 4096, new string('a', 64)),
        StartedAt = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero),
        FinishedAt = new DateTimeOffset(2026, 11, 1, 0, 1, 0, TimeSpan.Zero),
        Files =
        [
            new FileRecord { Path = Image + "!/rootfs.sqfs!/usr", Kind = NodeKind.Dir },
            File(Node, 'b'),
            File(Status, 'c', "text"),
            File(Crypto, 'd'),
            File(Kernel, 'e', "data"),
            new FileRecord { Path = Image + "!/rootfs.sqfs!/usr/lib/libcrypto.so", Kind = NodeKind.Symlink, Target = "libcrypto.so.3" },
        ],
        Components =
        [
            new Component
            {
                Name = "libssl3", Version = "3.0.11-1~deb12u2", Location = Status, Type = "deb", Linkage = "package",
                Purl = "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12", Cpe = "cpe:2.3:a:openssl:openssl:3.0.11:*:*:*:*:*:*:*",
                PackageVersion = "3.0.11-1~deb12u2", SourcePackage = "openssl", Supplier = "Debian OpenSSL Team <pkg-openssl-devel@alioth-lists.debian.net>",
                Licenses = ["Apache-2.0"], Files = [Crypto],
                Support = new SupportStatus { Branch = "3.0", EndOfSupport = new DateOnly(2026, 9, 7), Supported = false, Source = "https://openssl-library.org/policies/releasestrat/" },
                Evidence = [new Evidence { Source = "dpkg-status", Path = Status, Text = "Package: libssl3 Version: 3.0.11-1~deb12u2" }],
            },
            new Component
            {
                Name = "linux-kernel", Version = "6.1.176", Location = Kernel, Type = "kernel", Confidence = 0.9,
                Purl = "pkg:generic/linux-kernel@6.1.176", Cpe = "cpe:2.3:o:linux:linux_kernel:6.1.176:*:*:*:*:*:*:*",
                Evidence = [new Evidence { Source = "binary-signature:linux-banner-debian", Path = Kernel, Offset = 12550340, Text = "Linux version 6.1.0-50-armmp ... Debian 6.1.176-1", Confidence = 0.9 }],
            },
            new Component
            {
                Name = "openssl", Version = "3.0.7+quic", Location = Node, Linkage = "static", Confidence = 0.9,
                Purl = "pkg:generic/openssl@3.0.7%2Bquic", Cpe = "cpe:2.3:a:openssl:openssl:3.0.7\\+quic:*:*:*:*:*:*:*",
                Evidence =
                [
                    new Evidence { Source = "binary-signature:openssl-version-text", Path = Node, Offset = 100, Text = "OpenSSL 3.0.7+quic 1 Nov 2022", Confidence = 0.9 },
                    new Evidence { Source = "binary-signature:openssl-version-text", Path = Node, Offset = 9000, Text = "OpenSSL 3.0.7+quic 1 Nov 2022\\0", Confidence = 0.9 },
                ],
            },
            new Component
            {
                Name = "vendor-fw", Version = "2.4.1", Location = Image, Type = "firmware", Confidence = 0.5,
                Evidence = [new Evidence { Source = "binary-signature:x", Path = Image, Offset = 32, Text = "EN-R100 2.4.1", Confidence = 0.5 }],
            },
        ],
    };

    public static string Write(IReportWriter writer, Evaluation evaluation)
    {
        using var stream = new MemoryStream();
        writer.Write(evaluation, stream);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }
}

/// <summary>The SBOM sample with a dependency between two packages and vulnerabilities: one known exploited with EPSS, one triaged by VEX, one on a binary copy.</summary>
internal static class VulnerableSample
{
    public static Evaluation Create()
    {
        var e = SbomSample.Create();
        var libc = new Component
        {
            Name = "libc6", Version = "2.36-9+deb12u4", Location = SbomSample.Status, Type = "deb", Linkage = "package",
            Purl = "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12", PackageVersion = "2.36-9+deb12u4", SourcePackage = "glibc",
            Evidence = [new Evidence { Source = "dpkg-status", Path = SbomSample.Status, Text = "Package: libc6 Version: 2.36-9+deb12u4" }],
        };
        var components = e.Components.Select(c => c.Name == "libssl3" ? c with { DependsOn = ["debconf", "libc6"] } : c).Append(libc).ToList();
        return e with
        {
            Components = components,
            Vulnerabilities =
            [
                new Vulnerability
                {
                    Id = "CVE-2023-5678", Component = "libssl3", Version = "3.0.11-1~deb12u2", Location = SbomSample.Status, Severity = Severity.Medium,
                    CvssV31Score = 5.3, CvssV31Vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L", Cwes = ["CWE-754", "NVD-CWE-noinfo"],
                    Description = "Generating excessively long X9.42 DH keys or checking them may be very slow.",
                    Published = new DateTimeOffset(2023, 11, 6, 16, 15, 0, TimeSpan.Zero), MayBeBackported = true,
                    VexState = "not_affected", VexJustification = "vulnerable_code_not_in_execute_path",
                },
                new Vulnerability
                {
                    Id = "CVE-2099-0001", Component = "openssl", Version = "3.0.7+quic", Location = SbomSample.Node, Severity = Severity.High,
                    CvssV31Score = 7.5, CvssV31Vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N",
                    CvssV40Score = 8.7, CvssV40Vector = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N",
                    Kev = new KevListing { DateAdded = new DateOnly(2099, 1, 2), DueDate = new DateOnly(2099, 1, 23), KnownRansomwareUse = true, Name = "OpenSSL Test Vulnerability", RequiredAction = "Apply updates." },
                    Epss = new EpssScore { Score = 0.9412, Percentile = 0.9991, Date = new DateOnly(2099, 1, 3) },
                    MatchedBy = "cpe:2.3:a:openssl:openssl:*:*:*:*:*:*:*:* versionEndExcluding 3.0.8",
                },
                new Vulnerability
                {
                    Id = "CVE-2099-0002", Component = "openssl", Version = "3.0.7+quic", Location = SbomSample.Node, Severity = Severity.Critical,
                    CvssV31Score = 9.8, Epss = new EpssScore { Score = 0.02, Percentile = 0.8 },
                },
                new Vulnerability { Id = "GHSA-xxxx-yyyy-zzzz", Component = "vendor-fw", Version = "2.4.1", Location = SbomSample.Image, Severity = Severity.Low },
            ],
        };
    }
}
