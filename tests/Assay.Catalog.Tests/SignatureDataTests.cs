using System.Text;
using Assay.Catalog.Binaries;

namespace Assay.Catalog.Tests;

/// <summary>
/// Every signature of Data/signatures.yaml against its own samples: the hit sample gives the
/// version(s) written beside it, the miss sample (bytes that look alike) gives nothing for that
/// component. Samples are run through the real cataloger (chunked scan, anchors, windows).
/// </summary>
public sealed class SignatureDataTests
{
    private static readonly BinarySignatureCataloger Cataloger = new();

    public static TheoryData<string> SignatureIds()
    {
        var data = new TheoryData<string>();
        foreach (var s in SignatureDatabase.Default.Signatures)
            data.Add(s.Id);
        return data;
    }

    private static Signature Get(string id) => SignatureDatabase.Default.Signatures.Single(s => s.Id == id);

    private static IReadOnlyList<BinarySignatureCataloger.Hit> Scan(string sample, string fileName, Signature s)
    {
        // pad so that the sample does not start the file: header signatures are tested at offset 0
        var prefix = s.Kind == SignatureKind.Header ? "" : "\u007fELF padding\0";
        var bytes = Encoding.Latin1.GetBytes(prefix + sample + "\0trailer\0");
        return Cataloger.Scan(new Core.Content.MemoryBlob(bytes), fileName, headerOnly: false, out _);
    }

    [Theory]
    [MemberData(nameof(SignatureIds))]
    public void Signature_HitSample_GivesTheStatedVersion(string id)
    {
        var s = Get(id);
        Assert.NotNull(s.Test);
        Assert.False(string.IsNullOrEmpty(s.Test!.Hit), $"{id} has no hit sample");
        var expected = s.Test.Version switch
        {
            string v => new Dictionary<string, string> { [s.Component.Name] = v },
            Dictionary<object, object> map => map.ToDictionary(kv => (string)kv.Key, kv => (string)kv.Value),
            _ => throw new InvalidOperationException($"{id}: test.version is neither a string nor a map"),
        };
        var hits = Scan(s.Test.Hit!, s.Test.Name ?? "sample.bin", s).Where(h => h.Signature.Id == id).ToList();
        foreach (var (component, version) in expected)
            Assert.Contains(hits, h => h.Component == component && h.Version == version);
        Assert.All(hits, h => Assert.Equal(expected[h.Component], h.Version));
    }

    /// <summary>
    /// Patterns are interpreted and fall back to the non-backtracking engine past a budget
    /// (<see cref="Core.Text.GuardedRegex"/>): both must find the same matches, groups included, or
    /// the catalog would depend on the machine's load. Run on the samples as the cataloger reads
    /// them (Latin-1), alone, padded, repeated and cut at every length, so partial and overlapping
    /// candidates are compared too.
    /// </summary>
    [Theory]
    [MemberData(nameof(SignatureIds))]
    public void Signature_InterpretedAndLinearEngines_FindTheSameMatches(string id)
    {
        var s = Get(id);
        if (s.Kind == SignatureKind.FileName)
            return;
        var linear = s.Pattern.Linear;   // every shipped pattern has its linear form
        var interpreted = new System.Text.RegularExpressions.Regex(s.Pattern.ToString(), System.Text.RegularExpressions.RegexOptions.CultureInvariant);
        var samples = new[] { s.Test?.Hit, s.Test?.Miss }.OfType<string>().ToList();
        var inputs = new List<string>();
        foreach (var sample in samples)
        {
            inputs.Add(sample);
            inputs.Add("\0pad " + sample + " \0" + sample + sample + "\0");
            for (var cut = 1; cut < sample.Length; cut += Math.Max(1, sample.Length / 24))
                inputs.Add(sample[..cut] + "\0" + sample[cut..]);
        }
        foreach (var input in inputs)
        {
            static string Shape(System.Text.RegularExpressions.Match m) =>
                $"{m.Index}+{m.Length} " + string.Join(",", m.Groups.Keys.Select(k => $"{k}={(m.Groups[k].Success ? m.Groups[k].Value : "-")}"));
            var expected = linear.Matches(input).Select(Shape).ToList();
            Assert.Equal(expected, interpreted.Matches(input).Select(Shape).ToList());
            Assert.Equal(expected, s.Pattern.Matches(input).Select(Shape).ToList());
        }
    }

    [Theory]
    [MemberData(nameof(SignatureIds))]
    public void Signature_MissSample_GivesNothing(string id)
    {
        var s = Get(id);
        Assert.False(string.IsNullOrEmpty(s.Test?.Miss), $"{id} has no miss sample");
        var hits = Scan(s.Test!.Miss!, s.Test.MissName ?? s.Test.Name ?? "sample.bin", s);
        // a lone signature that sees several candidate strings reports the component without a version
        Assert.DoesNotContain(hits, h => h.Signature.Id == id && (s.Kind != SignatureKind.Lone || h.Version.Length > 0));
    }

    [Fact]
    public void LoneSignature_SeveralCandidates_ComponentWithoutVersion()
    {
        var bytes = Encoding.Latin1.GetBytes("\u007fELF\0\0uv_version_string\0\0" + "1.44.2\0\0" + "1.28.0\0");
        var hits = Cataloger.Scan(new Core.Content.MemoryBlob(bytes), "libuv.so.1", headerOnly: false, out _);
        var hit = Assert.Single(hits, h => h.Component == "libuv");
        Assert.Equal("", hit.Version);
        Assert.Contains("not read", hit.Text, StringComparison.Ordinal);
        var component = Assert.Single(Cataloger.ToComponents("img!/usr/lib/libuv.so.1", hits));
        Assert.Equal(("", null), (component.Version, component.Cpe));
    }

    [Fact]
    public void LoneSignature_NotTheComponentsOwnFile_ReadsNothing()
    {
        // libcurl imports nghttp2_version: the name is in its string table, the version string is not nghttp2's
        var bytes = Encoding.Latin1.GetBytes("\u007fELF\0\0nghttp2_version\0\0" + "1.52.0\0");
        Assert.Empty(Cataloger.Scan(new Core.Content.MemoryBlob(bytes), "libcurl.so.4", headerOnly: false, out _));
    }

    [Fact]
    public void SignatureDatabase_Default_CoversAtLeastFiftyComponents()
    {
        var withSignatures = SignatureDatabase.Default.Components.Where(c => c.Signatures.Count > 0).Select(c => c.Name).ToList();
        Assert.True(withSignatures.Count >= 50, $"only {withSignatures.Count} components have signatures");
        foreach (var required in new[] { "openssl", "busybox", "dropbear", "dnsmasq", "linux-kernel", "glibc", "zlib", "curl", "u-boot", "hostapd" })
            Assert.Contains(required, withSignatures);
    }

    [Fact]
    public void SignatureDatabase_Load_RejectsDuplicateIds()
    {
        const string yaml = "components:\n  - name: a\n    signatures:\n      - { id: x, anchors: [\"abc\"], pattern: 'abc(?<v>1)' }\n  - name: b\n    signatures:\n      - { id: x, anchors: [\"abd\"], pattern: 'abd(?<v>1)' }\n";
        var e = Assert.Throws<InvalidDataException>(() => SignatureDatabase.Load(new MemoryStream(Encoding.UTF8.GetBytes(yaml))));
        Assert.Contains("duplicate id", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SignatureDatabase_Load_RejectsPatternWithoutVersionGroup()
    {
        const string yaml = "components:\n  - name: a\n    signatures:\n      - { id: x, anchors: [\"abc\"], pattern: 'abc1' }\n";
        var e = Assert.Throws<InvalidDataException>(() => SignatureDatabase.Load(new MemoryStream(Encoding.UTF8.GetBytes(yaml))));
        Assert.Contains("no group 'v'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SignatureDatabase_FindBySource_MapsDistributionSourcePackages()
    {
        Assert.Equal("gnutls", SignatureDatabase.Default.FindBySource("gnutls28")?.Name);
        Assert.Equal("mit-krb5", SignatureDatabase.Default.FindBySource("krb5")?.Name);
        Assert.Null(SignatureDatabase.Default.FindBySource("no-such-source"));
    }
}
