using Assay.Core.Model;

namespace Assay.Analyzers.Tests;

// Fixtures/services/make.sh: a *-bad and a *-good file per service (FTP, VPN, SSH keys, TLS, NTP, syslog, AAA, DHCP).
public sealed class ServiceAnalyzerTests
{
    private static Core.Plugins.InspectionSink Run(Core.Plugins.IInspector inspector, string fixture, string inner, string mode = "0644", long uid = 0) =>
        Harness.Run(inspector, Harness.Fixture("services/" + fixture, inner, mode) with { Uid = uid });

    [Fact]
    public void Vsftpd_AnonymousUploadAndNoTls_Reported()
    {
        var sink = Run(new FtpConfigAnalyzer(), "vsftpd-bad.conf", "/etc/vsftpd.conf");
        var anon = Assert.Single(sink.Findings("ASSAY-FTP-ANONYMOUS"));
        Assert.Equal((2, Severity.Critical), (anon.Line!.Value, anon.Severity));
        Assert.Equal(6, Assert.Single(sink.Findings("ASSAY-FTP-CLEARTEXT")).Line);
        Assert.Empty(Run(new FtpConfigAnalyzer(), "vsftpd-good.conf", "/etc/vsftpd.conf").Findings);
    }

    [Fact]
    public void Proftpd_AnonymousSectionAndTlsOff_Reported()
    {
        var sink = Run(new FtpConfigAnalyzer(), "proftpd-bad.conf", "/etc/proftpd/proftpd.conf");
        Assert.Equal(4, Assert.Single(sink.Findings("ASSAY-FTP-ANONYMOUS")).Line);
        Assert.Single(sink.Findings("ASSAY-FTP-CLEARTEXT"));
        Assert.Empty(Run(new FtpConfigAnalyzer(), "proftpd-good.conf", "/etc/proftpd/proftpd.conf").Findings);
    }

    [Fact]
    public void OpenVpn_WeakCipherDigestAndInlineKey_Reported()
    {
        var sink = Run(new VpnConfigAnalyzer(), "openvpn-bad.conf", "/etc/openvpn/client.conf");
        Assert.Equal([3, 4, 6], sink.Findings("ASSAY-VPN-WEAK-CRYPTO").Select(f => f.Line!.Value).Order());
        Assert.Equal(7, Assert.Single(sink.Findings("ASSAY-VPN-PRIVATE-KEY")).Line);
        Assert.Empty(Run(new VpnConfigAnalyzer(), "openvpn-good.conf", "/etc/openvpn/client.conf").Findings);
    }

    [Fact]
    public void StrongSwan_WeakProposalsAggressiveModeAndSecrets_Reported()
    {
        var sink = Run(new VpnConfigAnalyzer(), "ipsec-bad.conf", "/etc/ipsec.conf");
        var weak = sink.Findings("ASSAY-VPN-WEAK-CRYPTO");
        Assert.Equal([2, 3, 4], weak.Select(f => f.Line!.Value).Order());
        Assert.Contains(weak, f => f.Title.Contains("3des", StringComparison.Ordinal) && f.Title.Contains("modp1024", StringComparison.Ordinal));
        Assert.Empty(Run(new VpnConfigAnalyzer(), "ipsec-good.conf", "/etc/ipsec.conf").Findings);
        var secrets = Run(new VpnConfigAnalyzer(), "ipsec-bad.secrets", "/etc/ipsec.secrets");
        var psk = Assert.Single(secrets.Findings("ASSAY-VPN-PRIVATE-KEY"));
        Assert.DoesNotContain("s3cr3t-shared-key-for-every-box", psk.Evidence, StringComparison.Ordinal);
        Assert.Equal(3, Assert.Single(secrets.Findings("ASSAY-CRED-CLEARTEXT")).Line);
    }

    [Fact]
    public void WireGuard_PrivateAndPresharedKeys_ReportedMasked()
    {
        var sink = Run(new VpnConfigAnalyzer(), "wg0-bad.conf", "/etc/wireguard/wg0.conf");
        var keys = sink.Findings("ASSAY-VPN-PRIVATE-KEY");
        Assert.Equal([3, 8], keys.Select(f => f.Line!.Value).Order());
        Assert.All(keys, k => Assert.DoesNotContain("yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=", k.Evidence, StringComparison.Ordinal));
    }

    [Fact]
    public void AuthorizedKeys_EveryKeyWithFingerprint_WeakRsaCritical()
    {
        var sink = Run(new AuthorizedKeysAnalyzer(), "authorized_keys", "/root/.ssh/authorized_keys", mode: "0600");
        var keys = sink.Findings("ASSAY-SSH-AUTHORIZED-KEY").OrderBy(f => f.Line).ToList();
        Assert.Equal(2, keys.Count);
        Assert.Equal(Severity.Critical, keys[0].Severity); // RSA 1024
        Assert.Contains("ssh-rsa 1024-bit", keys[0].Title, StringComparison.Ordinal);
        Assert.Contains("root", keys[0].Title, StringComparison.Ordinal);
        Assert.StartsWith("SHA256:", keys[0].SecretFingerprint, StringComparison.Ordinal);
        Assert.Equal(Severity.High, keys[1].Severity);
        Assert.Empty(sink.Findings("ASSAY-SSH-AUTHORIZED-KEYS-OWNER"));
    }

    [Fact]
    public void AuthorizedKeys_FingerprintIsOpenSshs()
    {
        // ssh-keygen -lf prints the same SHA256 for the public key: the blob's SHA-256, base64 without padding
        var line = File.ReadAllLines(Fixture.Path("services/authorized_keys"))[2];
        var blob = Convert.FromBase64String(line.Split(' ')[1]);
        var expected = "SHA256:" + Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(blob)).TrimEnd('=');
        Assert.Equal(expected, AuthorizedKeysAnalyzer.ParseKey(line)!.Fingerprint);
        Assert.Null(AuthorizedKeysAnalyzer.ParseKey("ssh-rsa not-base64!"));
        Assert.Null(AuthorizedKeysAnalyzer.ParseKey("command=\"x\" no key here"));
    }

    [Theory]
    [InlineData("0666", 0L, true)]
    [InlineData("0620", 0L, true)]
    [InlineData("0600", 1000L, true)]
    [InlineData("0600", 0L, false)]
    public void AuthorizedKeys_OwnerAndWriteBits_Judged(string mode, long uid, bool reported)
    {
        var sink = Run(new AuthorizedKeysAnalyzer(), "authorized_keys", "/root/.ssh/authorized_keys", mode, uid);
        Assert.Equal(reported, sink.Findings("ASSAY-SSH-AUTHORIZED-KEYS-OWNER").Count == 1);
    }

    [Theory]
    [InlineData("/root/.ssh/authorized_keys", "root")]
    [InlineData("/home/admin/.ssh/authorized_keys2", "admin")]
    [InlineData("/etc/dropbear/authorized_keys", "root")]
    [InlineData("/opt/x/authorized_keys", null)]
    public void AuthorizedKeys_AccountFromPath(string inner, string? account) => Assert.Equal(account, AuthorizedKeysAnalyzer.AccountOf(inner));

    [Fact]
    public void Tls_WeakProtocolsAndCiphers_ReportedWhereverConfigured()
    {
        var nginx = Run(new TlsSettingsAnalyzer(), "nginx-tls-bad.conf", "/etc/nginx/sites-enabled/default.conf");
        Assert.Contains("TLSv1, TLSv1.1", Assert.Single(nginx.Findings("ASSAY-TLS-WEAK-PROTOCOL")).Title, StringComparison.Ordinal);
        Assert.Contains("RC4-SHA", Assert.Single(nginx.Findings("ASSAY-TLS-WEAK-CIPHER")).Title, StringComparison.Ordinal);
        Assert.Empty(Run(new TlsSettingsAnalyzer(), "nginx-tls-good.conf", "/etc/nginx/sites-enabled/default.conf").Findings);
        var apache = Run(new TlsSettingsAnalyzer(), "apache-ssl-bad.conf", "/etc/apache2/mods-enabled/ssl.conf");
        Assert.Single(apache.Findings("ASSAY-TLS-WEAK-PROTOCOL"));
        Assert.Single(apache.Findings("ASSAY-TLS-WEAK-CIPHER"));
        Assert.Empty(Run(new TlsSettingsAnalyzer(), "apache-ssl-good.conf", "/etc/apache2/mods-enabled/ssl.conf").Findings);
        Assert.Single(Run(new TlsSettingsAnalyzer(), "openssl-bad.cnf", "/etc/ssl/openssl.cnf").Findings("ASSAY-TLS-WEAK-PROTOCOL"));
        Assert.Single(Run(new TlsSettingsAnalyzer(), "vsftpd-bad.conf", "/etc/vsftpd.conf").Findings("ASSAY-TLS-WEAK-PROTOCOL"));
        Assert.Empty(Run(new TlsSettingsAnalyzer(), "vsftpd-good.conf", "/etc/vsftpd.conf").Findings);
        Assert.Single(Run(new TlsSettingsAnalyzer(), "openvpn-bad.conf", "/etc/openvpn/client.conf").Findings("ASSAY-TLS-WEAK-PROTOCOL"));
    }

    [Theory]
    [InlineData("TLSv1 TLSv1.1 TLSv1.2", "TLSv1,TLSv1.1")]
    [InlineData("all -SSLv3 -TLSv1 -TLSv1.1", "")]
    [InlineData("-all +TLSv1.2", "")]
    [InlineData("!SSLv2, !SSLv3, !TLSv1, !TLSv1.1", "")]
    [InlineData("SSLv3 TLSv1.2", "SSLv3")]
    public void Tls_EnabledWeakProtocols(string value, string expected) =>
        Assert.Equal(expected, string.Join(',', TlsSettingsAnalyzer.EnabledWeakProtocols(value)));

    [Theory]
    [InlineData("HIGH:!aNULL:!MD5", "")]
    [InlineData("DEFAULT:RC4-SHA", "RC4-SHA")]
    [InlineData("ALL:eNULL", "eNULL")]
    [InlineData("ECDHE+AESGCM:!RC4:!DES", "")]
    public void Tls_WeakCiphers(string value, string expected) => Assert.Equal(expected, string.Join(',', TlsSettingsAnalyzer.WeakCiphers(value)));

    [Fact]
    public void Ntp_NoRestrictNoAuthAndKeys_Reported()
    {
        var bad = Run(new NtpConfigAnalyzer(), "ntp-bad.conf", "/etc/ntp.conf");
        Assert.Single(bad.Findings("ASSAY-NTP-NO-RESTRICT"));
        Assert.Equal(2, Assert.Single(bad.Findings("ASSAY-NTP-UNAUTHENTICATED")).Line);
        Assert.Empty(Run(new NtpConfigAnalyzer(), "ntp-good.conf", "/etc/ntp.conf").Findings);
        var keys = Assert.Single(Run(new NtpConfigAnalyzer(), "ntp.keys", "/etc/ntp.keys").Findings("ASSAY-CRED-CLEARTEXT"));
        Assert.DoesNotContain("2a9f8c3d5e7b1a0c4f6e8d2b9a7c5e3f1d0b8a6c", keys.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void Syslog_PlainRemoteTargets_Reported()
    {
        Assert.Equal([1, 2, 3], Run(new SyslogConfigAnalyzer(), "rsyslog-bad.conf", "/etc/rsyslog.conf").Findings("ASSAY-SYSLOG-PLAIN-REMOTE").Select(f => f.Line!.Value).Order());
        Assert.Empty(Run(new SyslogConfigAnalyzer(), "rsyslog-good.conf", "/etc/rsyslog.conf").Findings);
        Assert.Single(Run(new SyslogConfigAnalyzer(), "syslog-ng-bad.conf", "/etc/syslog-ng/syslog-ng.conf").Findings("ASSAY-SYSLOG-PLAIN-REMOTE"));
        Assert.Equal(2, Assert.Single(Run(new SyslogConfigAnalyzer(), "rcS-syslog-bad", "/etc/init.d/rcS").Findings("ASSAY-SYSLOG-PLAIN-REMOTE")).Line);
    }

    [Fact]
    public void Aaa_RadiusAndTacacsSecrets_ReportedMaskedWellKnownCritical()
    {
        var radius = Run(new AaaClientConfigAnalyzer(), "pam_radius_auth-bad.conf", "/etc/pam_radius_auth.conf").Findings("ASSAY-CRED-CLEARTEXT").OrderBy(f => f.Line).ToList();
        Assert.Equal([2, 3], radius.Select(f => f.Line!.Value));
        Assert.Equal(Severity.Critical, radius[0].Severity); // testing123
        Assert.DoesNotContain("Xk9#vendorRadius", radius[1].Evidence, StringComparison.Ordinal);
        var tacacs = Assert.Single(Run(new AaaClientConfigAnalyzer(), "tacplus-bad.conf", "/etc/tacplus.conf").Findings("ASSAY-CRED-CLEARTEXT"));
        Assert.Contains("TACACS+", tacacs.Title, StringComparison.Ordinal);
    }

    [Fact]
    public void Dhcp_OmapiWithoutKeyAndUnboundDnsmasq_Reported()
    {
        Assert.Equal(1, Assert.Single(Run(new DhcpServerConfigAnalyzer(), "dhcpd-bad.conf", "/etc/dhcp/dhcpd.conf").Findings("ASSAY-DHCP-OMAPI-NO-KEY")).Line);
        Assert.Empty(Run(new DhcpServerConfigAnalyzer(), "dhcpd-good.conf", "/etc/dhcp/dhcpd.conf").Findings);
        Assert.Single(Run(new DhcpServerConfigAnalyzer(), "dnsmasq-bad.conf", "/etc/dnsmasq.conf").Findings("ASSAY-DHCP-ALL-INTERFACES"));
        Assert.Empty(Run(new DhcpServerConfigAnalyzer(), "dnsmasq-good.conf", "/etc/dnsmasq.conf").Findings);
    }

    [Theory]
    [InlineData("10.0.0.1 10.0.0.2 : PSK \"")]
    [InlineData(": XAUTH user \"\"")]
    public void IpsecSecrets_EmptySecret_NoThrow(string line)
    {
        // fuzz/smoke.sh analyzer:vpn-config: an empty quoted secret made string.Replace throw ArgumentException
        var sink = Harness.Run(new VpnConfigAnalyzer(), Harness.Text("/etc/ipsec.secrets", line + "\n"));
        Assert.NotNull(sink);
    }

    [Fact]
    public void ServiceAnalyzers_Garbage_NoThrow()
    {
        var random = new Random(1600);
        var bytes = new byte[20_000];
        random.NextBytes(bytes);
        foreach (var inner in new[] { "/etc/vsftpd.conf", "/etc/openvpn/a.conf", "/etc/ipsec.secrets", "/root/.ssh/authorized_keys", "/etc/ntp.conf", "/etc/rsyslog.conf", "/etc/pam_radius_auth.conf", "/etc/dhcpd.conf", "/etc/x.conf" })
            foreach (var a in AnalyzerRegistry.CreateAll())
                Harness.Run(a, new ImageFile(inner, bytes, "0644"));
    }
}
