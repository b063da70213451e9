using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Assay.Core.Model;
using Assay.Core.Pipeline;

namespace Assay.Formats.Tests.Containers;

/// <summary>
/// OCI layouts and docker save archives through the real pipeline. The fixtures (Fixtures/containers/make.sh)
/// were built by umoci and skopeo; the expected trees below are what umoci's own layer list implies.
/// </summary>
public sealed class ContainerImageTests
{
    // What a runtime sees after the six layers of make.sh: a.conf/b.conf gone (opaque etc/app),
    // bin/tool and opt/old gone (whiteouts), the rest kept.
    private static readonly string[] ExpectedFiles =
    [
        "rootfs/etc/app/c.conf",
        "rootfs/etc/os-release",
        "rootfs/opt/new/y",
        "rootfs/usr/bin/app",
        "rootfs/var/lib/dpkg/status",
    ];

    private static readonly string[] Gone = ["rootfs/bin/tool", "rootfs/etc/app/a.conf", "rootfs/etc/app/b.conf", "rootfs/opt/old", "rootfs/opt/old/x"];

    [Theory]
    [InlineData("oci.tar", "oci-archive")]
    [InlineData("docker.tar", "docker-archive")]
    public void Scan_Image_AppliesLayersAndWhiteouts(string fixture, string format)
    {
        var e = ScanHelper.Scan($"containers/{fixture}");
        var root = e.Files.Single(f => !f.Path.Contains("!/", StringComparison.Ordinal));
        Assert.Equal(format, root.Format);
        var below = ScanHelper.Below(e, fixture + "!/");
        var files = below.Where(kv => kv.Value.Kind == NodeKind.File && kv.Key.StartsWith("rootfs/", StringComparison.Ordinal)).Select(kv => kv.Key).Order(StringComparer.Ordinal);
        Assert.Equal(ExpectedFiles, files);
        Assert.All(Gone, g => Assert.False(below.ContainsKey(g), $"{g} should be hidden by a whiteout"));
        Assert.Contains("config.json", below.Keys);
        Assert.Empty(e.Errors);
    }

    [Theory]
    [InlineData("oci.tar")]
    [InlineData("docker.tar")]
    public void Scan_Image_AttributesEachFileToTheLayerThatAddedIt(string fixture)
    {
        var e = ScanHelper.Scan($"containers/{fixture}");
        var below = ScanHelper.Below(e, fixture + "!/");
        using var config = JsonDocument.Parse(File.ReadAllBytes(ExtractConfig(fixture)));
        var diffIds = config.RootElement.GetProperty("rootfs").GetProperty("diff_ids").EnumerateArray().Select(x => x.GetString()).ToList();
        Assert.Equal(6, diffIds.Count);
        Assert.Equal(diffIds[0], below["rootfs/etc/os-release"].Layer);
        Assert.Equal(diffIds[0], below["rootfs/var/lib/dpkg/status"].Layer);
        Assert.Equal(diffIds[2], below["rootfs/etc/app/c.conf"].Layer);
        Assert.Equal(diffIds[3], below["rootfs/usr/bin/app"].Layer);
        Assert.Equal(diffIds[5], below["rootfs/opt/new/y"].Layer);
        Assert.Null(below["config.json"].Layer);
    }

    [Fact]
    public void Scan_OciAndDockerForms_GiveTheSameTreeAndContent()
    {
        static Dictionary<string, string?> Tree(string fixture) =>
            ScanHelper.Below(ScanHelper.Scan($"containers/{fixture}"), fixture + "!/")
                .Where(kv => kv.Key.StartsWith("rootfs/", StringComparison.Ordinal))
                .ToDictionary(kv => kv.Key, kv => kv.Value.Sha256, StringComparer.Ordinal);
        Assert.Equal(Tree("oci.tar").OrderBy(kv => kv.Key, StringComparer.Ordinal), Tree("docker.tar").OrderBy(kv => kv.Key, StringComparer.Ordinal));
    }

    [Fact]
    public void Scan_MultiArchIndex_GivesOneTreePerPlatform()
    {
        var e = ScanHelper.Scan("containers/multiarch.tar");
        var below = ScanHelper.Below(e, "multiarch.tar!/");
        Assert.Empty(e.Errors);
        Assert.Contains("linux-amd64/config.json", below.Keys);
        Assert.Contains("linux-arm64/config.json", below.Keys);
        var amd = below["linux-amd64/rootfs/usr/bin/nf"];
        var arm = below["linux-arm64/rootfs/usr/bin/nf"];
        Assert.Equal(ScanHelper.Sha256(Encoding.ASCII.GetBytes("network function for amd64\n")), amd.Sha256);
        Assert.Equal(ScanHelper.Sha256(Encoding.ASCII.GetBytes("network function for arm64\n")), arm.Sha256);
        Assert.NotEqual(amd.Layer, arm.Layer);
    }

    [Fact]
    public void Scan_TamperedLayer_ReportsTheDigestMismatch()
    {
        var e = ScanHelper.Scan("containers/tampered.tar");
        Assert.Contains(e.Errors, x => x.Handler == "oci-archive" && x.Message.Contains("does not match its digest", StringComparison.Ordinal));
    }

    [Fact]
    public void Scan_LayerBomb_StopsAtTheRatioLimit()
    {
        var e = ScanHelper.Scan("containers/layer-bomb.tar", new ScanLimits { MaxRatio = 50, RatioFloorBytes = 1 << 20 });
        Assert.Contains(e.Errors, x => x.Category == ErrorCategory.Limit && x.Message.Contains("decompression bomb", StringComparison.Ordinal));
        Assert.DoesNotContain(e.Errors, x => x.Category == ErrorCategory.Internal);
    }

    [Fact]
    public void Scan_LayerEntryClimbingOut_IsReportedAndSkipped()
    {
        var layer = Tar(w =>
        {
            Add(w, "etc/ok", "fine");
            Add(w, "../../etc/passwd", "root::0:0::/:/bin/sh");
        });
        var image = Layout([layer]);
        var e = ScanHelper.ScanBytes(image, "evil.tar");
        var below = ScanHelper.Below(e, "evil.tar!/");
        Assert.Contains("rootfs/etc/ok", below.Keys);
        Assert.DoesNotContain(e.Files, f => f.Path.EndsWith("etc/passwd", StringComparison.Ordinal));
        Assert.Contains(e.Errors, x => x.Message.Contains("climbs out", StringComparison.Ordinal));
    }

    [Fact]
    public void Scan_WhiteoutInTheSameLayer_HidesOnlyLowerLayers()
    {
        // layer-spec: "Whiteout files MUST only apply to resources in lower/parent layers."
        var lower = Tar(w => Add(w, "a/old", "old"));
        var upper = Tar(w =>
        {
            Add(w, "a/.wh.new", "");
            Add(w, "a/new", "new");
            Add(w, "a/.wh.old", "");
        });
        var e = ScanHelper.ScanBytes(Layout([lower, upper]), "img.tar");
        var below = ScanHelper.Below(e, "img.tar!/");
        Assert.Contains("rootfs/a/new", below.Keys);
        Assert.DoesNotContain("rootfs/a/old", below.Keys);
        Assert.DoesNotContain(below.Keys, k => k.Contains(".wh.", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("{\"schemaVersion\":2,\"manifests\":[{\"digest\":\"sha256:../../../etc\"}]}")]
    [InlineData("{\"schemaVersion\":2,\"manifests\":[{\"digest\":\"sha256:0000000000000000000000000000000000000000000000000000000000000000\"}]}")]
    [InlineData("{\"manifests\": 5}")]
    [InlineData("[1,2,3")]
    public void Scan_BrokenIndex_IsReportedNotCrashed(string index)
    {
        var image = Layout([Tar(w => Add(w, "x", "y"))], indexOverride: index);
        var e = ScanHelper.ScanBytes(image, "broken.tar");
        Assert.DoesNotContain(e.Errors, x => x.Category == ErrorCategory.Internal);
    }

    [Fact]
    public void Scan_TruncatedImage_NeverCrashes()
    {
        var bytes = Fixture.Bytes("containers/oci.tar");
        for (var cut = 512; cut < bytes.Length; cut += 1536)
        {
            var e = ScanHelper.ScanBytes(bytes[..cut], "cut.tar");
            Assert.DoesNotContain(e.Errors, x => x.Category == ErrorCategory.Internal);
        }
    }

    [Fact]
    public void Unpack_FuzzFinding_LayerHeaderOverflow_IsADamagedLayer()
    {
        // fuzz/smoke.sh format:docker-archive: System.Formats.Tar throws OverflowException on a layer header
        var bytes = Fixture.Bytes("containers/crashes/docker-archive-tar-overflow.bin");
        var e = ScanHelper.ScanBytes(bytes, "fuzzed.tar");
        Assert.DoesNotContain(e.Errors, x => x.Category == ErrorCategory.Internal);
    }

    [Fact]
    public void Unpack_FuzzFinding_InvalidUtf8InManifest_IsMalformedNotInternal()
    {
        // fuzz/smoke.sh format:docker-archive: a manifest string with a 0xFF byte made JsonElement.GetString throw InvalidOperationException
        var bytes = Fixture.Bytes("containers/crashes/docker-archive-invalid-utf8.bin");
        var e = ScanHelper.ScanBytes(bytes, "fuzzed.tar");
        Assert.DoesNotContain(e.Errors, x => x.Category == ErrorCategory.Internal);
    }

    [Fact]
    public void TryMatch_PlainRootfsTar_IsLeftToTheTarHandler()
    {
        var tar = Tar(w => Add(w, "etc/passwd", "root:x:0:0::/root:/bin/sh"));
        using var blob = new Core.Content.MemoryBlob(tar);
        Assert.Null(new Formats.Containers.OciArchiveHandler().TryMatch(blob, 0));
        Assert.Null(new Formats.Containers.DockerArchiveHandler().TryMatch(blob, 0));
    }

    private static string ExtractConfig(string fixture)
    {
        var dir = Directory.CreateTempSubdirectory("assay-test-");
        var e = ScanHelper.Scan($"containers/{fixture}", extractTo: Path.Combine(dir.FullName, "x"));
        var config = Directory.EnumerateFiles(dir.FullName, "config.json", SearchOption.AllDirectories).Single();
        return config;
    }

    private static byte[] Tar(Action<TarWriter> fill)
    {
        using var ms = new MemoryStream();
        using (var w = new TarWriter(ms, TarEntryFormat.Pax, leaveOpen: true))
            fill(w);
        return ms.ToArray();
    }

    private static void Add(TarWriter w, string name, string content)
    {
        var entry = new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)) };
        w.WriteEntry(entry);
    }

    /// <summary>A minimal OCI layout tar with uncompressed layers, written against image-layout.md.</summary>
    private static byte[] Layout(IReadOnlyList<byte[]> layers, string? indexOverride = null)
    {
        var blobs = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        string Blob(byte[] data)
        {
            var digest = Convert.ToHexStringLower(SHA256.HashData(data));
            blobs[digest] = data;
            return digest;
        }
        var config = JsonSerializer.SerializeToUtf8Bytes(new
        {
            architecture = "amd64",
            os = "linux",
            rootfs = new { type = "layers", diff_ids = layers.Select(l => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(l))).ToArray() },
        });
        var manifest = JsonSerializer.SerializeToUtf8Bytes(new
        {
            schemaVersion = 2,
            mediaType = "application/vnd.oci.image.manifest.v1+json",
            config = new { mediaType = "application/vnd.oci.image.config.v1+json", digest = "sha256:" + Blob(config), size = config.Length },
            layers = layers.Select(l => new { mediaType = "application/vnd.oci.image.layer.v1.tar", digest = "sha256:" + Blob(l), size = l.Length }).ToArray(),
        });
        var index = indexOverride ?? JsonSerializer.Serialize(new
        {
            schemaVersion = 2,
            manifests = new[] { new { mediaType = "application/vnd.oci.image.manifest.v1+json", digest = "sha256:" + Blob(manifest), size = manifest.Length } },
        });
        return Tar(w =>
        {
            Add(w, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}");
            Add(w, "index.json", index);
            foreach (var (digest, data) in blobs)
                w.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "blobs/sha256/" + digest) { DataStream = new MemoryStream(data) });
        });
    }
}
