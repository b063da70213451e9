using System.Text;
using System.Security.Cryptography;

namespace Assay.Analyzers.Tests;

// Fixtures/secrets/make.sh makes the keys and certificates; expected fingerprints are read from the
// files it wrote with openssl, dropbearkey and ssh-keygen, never typed in.
public sealed class SecretsAnalyzerTests
{
    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private static Core.Plugins.InspectionSink Analyze(DateTimeOffset? now, params ImageFile[] files) =>
        Harness.Run(now is { } n ? new SecretsAnalyzer(new FixedClock(n)) : new SecretsAnalyzer(), files);

    private static string Text(string fixture) => File.ReadAllText(Fixture.Path(fixture)).Trim();

    [Fact]
    public void Pkcs8Key_Unencrypted_ReportedWithSpkiFingerprint()
    {
        var sink = Analyze(null, Harness.Fixture("secrets/device-key.pem", "/etc/ssl/private/device-key.pem"));
        var finding = Assert.Single(sink.Findings("ASSAY-SECRET-PRIVATE-KEY"));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Fixture.Bytes("secrets/device-key.spki.der"))), finding.SecretFingerprint);
        Assert.Contains("RSA 2048", finding.Evidence, StringComparison.Ordinal);
        Assert.DoesNotContain("MII", finding.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void EncryptedKey_Pkcs8_NotReportedAsPlainKey()
    {
        var sink = Analyze(null, Harness.Fixture("secrets/encrypted-key.pem", "/etc/ssl/private/enc.pem"));
        Assert.Empty(sink.Findings("ASSAY-SECRET-PRIVATE-KEY"));
        Assert.Single(sink.Findings("ASSAY-SECRET-PRIVATE-KEY-ENCRYPTED"));
    }

    [Theory]
    [InlineData("dropbear_rsa_host_key", "rsa-1024")]
    [InlineData("dropbear_ed25519_host_key", "ed25519")]
    public void DropbearKey_BinaryFormat_FingerprintMatchesDropbearkey(string name, string type)
    {
        var sink = Analyze(null, Harness.Fixture("secrets/" + name, "/etc/dropbear/" + name, "0600"));
        var finding = Assert.Single(sink.Findings("ASSAY-SECRET-PRIVATE-KEY"));
        Assert.Equal(Text($"secrets/{name}.fingerprint"), finding.SecretFingerprint);
        Assert.Contains(type, finding.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void OpenSshKey_Unencrypted_FingerprintMatchesSshKeygen()
    {
        var sink = Analyze(null, Harness.Fixture("secrets/id_ed25519", "/root/.ssh/id_ed25519", "0600"));
        Assert.Equal(Text("secrets/id_ed25519.fingerprint"), Assert.Single(sink.Findings("ASSAY-SECRET-PRIVATE-KEY")).SecretFingerprint);
    }

    [Fact]
    public void NotAKey_DropbearLookalikeBytes_NoFinding()
    {
        // A file that starts like an SSH wire string but is cut short.
        var bytes = Fixture.Bytes("secrets/dropbear_rsa_host_key")[..40];
        var sink = Analyze(null, new ImageFile("/etc/blob.bin", bytes));
        Assert.Empty(sink.Findings);
    }

    [Fact]
    public void WeakSelfSignedCa_Sha1Rsa1024_ThreeFindings()
    {
        var sink = Analyze(null, Harness.Fixture("secrets/cert-weak-selfsigned.pem", "/etc/ssl/certs/vendor-ca.pem"));
        Assert.Single(sink.Findings("ASSAY-CERT-WEAK-KEY"));
        Assert.Single(sink.Findings("ASSAY-CERT-WEAK-SIGNATURE"));
        Assert.Equal("Self-signed CA certificate shipped", Assert.Single(sink.Findings("ASSAY-CERT-SELF-SIGNED")).Title);
        Assert.Empty(sink.Findings("ASSAY-CERT-EXPIRED"));
    }

    [Fact]
    public void SelfIssuedCertificate_SignatureDamaged_NotSelfSigned()
    {
        // subject and issuer stay equal; the last byte of the signature (the end of the DER) changes
        var pem = Encoding.ASCII.GetString(Fixture.Bytes("secrets/cert-weak-selfsigned.pem"));
        var der = Convert.FromBase64String(string.Concat(pem.Split('\n').Where(l => l.Length > 0 && !l.StartsWith("-----", StringComparison.Ordinal))));
        der[^1] ^= 0x5a;
        var damaged = $"-----BEGIN CERTIFICATE-----\n{Convert.ToBase64String(der, Base64FormattingOptions.InsertLineBreaks)}\n-----END CERTIFICATE-----\n";
        var sink = Analyze(null, Harness.Text("/etc/ssl/certs/vendor-ca.pem", damaged));
        Assert.Single(sink.Findings("ASSAY-CERT-WEAK-KEY"));
        Assert.Empty(sink.Findings("ASSAY-CERT-SELF-SIGNED"));
    }

    [Fact]
    public void LeafCertificate_Sha256Rsa2048IssuedByCa_NoFindingUntilExpiry()
    {
        var leaf = Harness.Fixture("secrets/cert-leaf.pem", "/etc/ssl/certs/device.pem");
        Assert.Empty(Analyze(null, leaf).Findings);
        // make.sh issues it for 3650 days; a clock past that sees it expired.
        Assert.Single(Analyze(DateTimeOffset.UtcNow.AddDays(4000), leaf).Findings("ASSAY-CERT-EXPIRED"));
    }

    [Fact]
    public void TrustStore_SelfSignedRoots_NotReported()
    {
        var sink = Analyze(null, Harness.Fixture("secrets/cert-weak-selfsigned.pem", "/usr/share/ca-certificates/mozilla/Weak.crt"));
        Assert.Empty(sink.Findings);
    }

    [Fact]
    public void AwsKeys_DocumentationValues_ReportedMasked()
    {
        var sink = Analyze(null, Harness.Fixture("secrets/cloud-sync.conf", "/etc/config/cloud-sync.conf"));
        var id = Assert.Single(sink.Findings("ASSAY-SECRET-CLOUD-KEY-ID"));
        var secret = Assert.Single(sink.Findings("ASSAY-SECRET-CLOUD-SECRET"));
        Assert.Equal((2, 3), (id.Line!.Value, secret.Line!.Value));
        Assert.DoesNotContain("AKIAIOSFODNN7EXAMPLE", id.Evidence, StringComparison.Ordinal);
        Assert.DoesNotContain("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", secret.Evidence, StringComparison.Ordinal);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"u8)), secret.SecretFingerprint);
    }

    [Fact]
    public void FileFullOfTokens_FirstFiftyReported()
    {
        var text = string.Concat(Enumerable.Range(1, 60).Select(i => $"key{i} = AKIA{i:D16}\n"));
        var found = Analyze(null, Harness.Text("/etc/config/keys.conf", text)).Findings("ASSAY-SECRET-CLOUD-KEY-ID");
        Assert.Equal(Enumerable.Range(1, 50), found.Select(f => f.Line!.Value).Order());
    }

    [Fact]
    public void TokenLookalikes_NoFinding()
    {
        Assert.Empty(Analyze(null, Harness.Fixture("secrets/no-tokens.conf", "/etc/config/x.conf")).Findings);
    }

    [Fact]
    public void ReleaseNotes_DefaultCredentials_ReportedWithPasswordMasked()
    {
        var finding = Assert.Single(Analyze(null, Harness.Fixture("secrets/release-notes.txt", "/RELEASE-NOTES.txt")).Findings("ASSAY-SECRET-DEFAULT-CREDENTIALS"));
        Assert.Equal(2, finding.Line);
        Assert.Contains("root / a****", finding.Evidence, StringComparison.Ordinal);
        Assert.Empty(Analyze(null, Harness.Fixture("secrets/readme.txt", "/README.txt")).Findings);
    }

    [Theory]
    // each token rule once, found through its marker; the two case-insensitive rules in other cases
    [InlineData("token = ghp_0123456789abcdefghijABCDEFGHIJ012345", "ASSAY-SECRET-API-TOKEN")]
    [InlineData("token = ghs_0123456789abcdefghijABCDEFGHIJ012345", "ASSAY-SECRET-API-TOKEN")]
    [InlineData("token = glpat-0123456789abcdefghij", "ASSAY-SECRET-API-TOKEN")]
    [InlineData("slack = xoxb-0123456789-abcdef", "ASSAY-SECRET-API-TOKEN")]
    [InlineData("key = AIzaSyA0123456789abcdefghijklmnopqrstuv", "ASSAY-SECRET-API-TOKEN")]
    [InlineData("stripe = rk_live_0123456789abcdefghijklmn", "ASSAY-SECRET-API-TOKEN")]
    [InlineData("id = ASIA0123456789ABCDEF", "ASSAY-SECRET-CLOUD-KEY-ID")]
    [InlineData("AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "ASSAY-SECRET-CLOUD-SECRET")]
    [InlineData("Aws_Secret_Key: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "ASSAY-SECRET-CLOUD-SECRET")]
    [InlineData("The DEFAULT PASSWORD is admin123", "ASSAY-SECRET-DEFAULT-CREDENTIALS")]
    [InlineData("Default Login: admin / admin", "ASSAY-SECRET-DEFAULT-CREDENTIALS")]
    public void Tokens_FoundThroughTheirMarkers(string line, string rule)
    {
        var sink = Analyze(null, Harness.Text("/etc/app.conf", $"# settings\n{line}\n"));
        Assert.Equal([rule], sink.RuleIds());
        Assert.Equal(2, Assert.Single(sink.Findings).Line);
    }

    [Theory]
    // the patterns are case-sensitive here, so are the markers: no finding, and no automaton built
    [InlineData("id = akia0123456789abcdef")]
    [InlineData("token = GHP_0123456789abcdefghijABCDEFGHIJ012345")]
    [InlineData("high light gh_ things")]
    public void TokenLookalikesInOtherCase_NoFinding(string line)
    {
        Assert.Empty(Analyze(null, Harness.Text("/etc/app.conf", $"{line}\n")).Findings);
    }
}
