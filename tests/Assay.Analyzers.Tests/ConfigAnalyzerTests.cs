using Assay.Core.Model;

namespace Assay.Analyzers.Tests;

// Fixtures/config/make.sh: a *-bad and a *-good file per configuration kind.
public sealed class ConfigAnalyzerTests
{
    private static Core.Plugins.InspectionSink Run(Core.Plugins.IInspector inspector, string fixture, string inner) =>
        Harness.Run(inspector, Harness.Fixture("config/" + fixture, inner));

    [Fact]
    public void Inittab_TelnetdShell_InsecureAndUnauthenticated()
    {
        var sink = Run(new ServiceConfigAnalyzer(), "inittab-bad", "/etc/inittab");
        Assert.Equal(3, Assert.Single(sink.Findings("ASSAY-SVC-INSECURE-PROTOCOL")).Line);
        var shells = sink.Findings("ASSAY-SVC-UNAUTH-SHELL").OrderBy(f => f.Line).ToList();
        Assert.Equal([3, 4], shells.Select(f => f.Line!.Value));
        Assert.Equal(Severity.Critical, shells[0].Severity);
        Assert.Empty(Run(new ServiceConfigAnalyzer(), "inittab-good", "/etc/inittab").Findings);
    }

    [Fact]
    public void Inetd_TelnetTftpShell_Reported()
    {
        var sink = Run(new ServiceConfigAnalyzer(), "inetd-bad.conf", "/etc/inetd.conf");
        Assert.Equal([1, 2], sink.Findings("ASSAY-SVC-INSECURE-PROTOCOL").Select(f => f.Line!.Value).Order());
        Assert.Equal(3, Assert.Single(sink.Findings("ASSAY-SVC-UNAUTH-SHELL")).Line);
        Assert.Empty(Run(new ServiceConfigAnalyzer(), "inetd-good.conf", "/etc/inetd.conf").Findings);
    }

    [Fact]
    public void BootScript_TftpdStarted_ReportedButAssignmentsIgnored()
    {
        Assert.Equal(4, Assert.Single(Run(new ServiceConfigAnalyzer(), "rcS-bad", "/etc/init.d/rcS").Findings("ASSAY-SVC-INSECURE-PROTOCOL")).Line);
        Assert.Empty(Run(new ServiceConfigAnalyzer(), "rcS-good", "/etc/init.d/rcS").Findings);
    }

    [Fact]
    public void Systemd_EnabledTelnetSocket_ReportedOnlyWhenEnabled()
    {
        Assert.NotEmpty(Run(new ServiceConfigAnalyzer(), "systemd-telnet.socket", "/etc/systemd/system/sockets.target.wants/telnet.socket").Findings);
        Assert.NotEmpty(Run(new ServiceConfigAnalyzer(), "systemd-telnetd.service", "/etc/systemd/system/multi-user.target.wants/telnetd.service").Findings);
        Assert.Empty(Run(new ServiceConfigAnalyzer(), "systemd-telnetd.service", "/lib/systemd/system/telnetd.service").Findings);
    }

    [Fact]
    public void Sshd_InsecureSettings_EachReported()
    {
        var sink = Run(new SshConfigAnalyzer(), "sshd_config-bad", "/etc/ssh/sshd_config");
        Assert.Equal(["ASSAY-SSH-EMPTY-PASSWORDS", "ASSAY-SSH-PASSWORD-AUTH", "ASSAY-SSH-ROOT-LOGIN", "ASSAY-SSH-WEAK-CRYPTO"], sink.RuleIds());
        var crypto = sink.Findings("ASSAY-SSH-WEAK-CRYPTO").Select(f => f.Evidence!).ToList();
        Assert.Contains(crypto, e => e.Contains("aes128-cbc,3des-cbc", StringComparison.Ordinal) && !e.Contains("aes256-ctr", StringComparison.Ordinal));
        Assert.Contains(crypto, e => e.Contains("hmac-md5", StringComparison.Ordinal));
        Assert.Contains(crypto, e => e.Contains("diffie-hellman-group1-sha1", StringComparison.Ordinal));
        Assert.Empty(Run(new SshConfigAnalyzer(), "sshd_config-good", "/etc/ssh/sshd_config").Findings);
    }

    [Fact]
    public void Dropbear_DefaultsAndBlankPasswords_ReportedFromCommandLine()
    {
        var sink = Run(new SshConfigAnalyzer(), "rcS-bad", "/etc/init.d/rcS");
        Assert.Equal(["ASSAY-SSH-EMPTY-PASSWORDS", "ASSAY-SSH-PASSWORD-AUTH", "ASSAY-SSH-ROOT-LOGIN"], sink.RuleIds());
        Assert.Empty(Run(new SshConfigAnalyzer(), "rcS-good", "/etc/init.d/rcS").Findings);
    }

    [Fact]
    public void Lighttpd_ListingAndEtcAlias_Reported()
    {
        var sink = Run(new WebServerConfigAnalyzer(), "lighttpd-bad.conf", "/etc/lighttpd/lighttpd.conf");
        Assert.Equal(4, Assert.Single(sink.Findings("ASSAY-WEB-DIR-LISTING")).Line);
        var alias = Assert.Single(sink.Findings("ASSAY-WEB-SENSITIVE-ALIAS"));
        Assert.Equal((5, Severity.High), (alias.Line!.Value, alias.Severity));
        Assert.Contains("plain HTTP", alias.Title, StringComparison.Ordinal);
        Assert.Contains("ASSAY-WEB-SERVER-TOKENS", sink.RuleIds());
        Assert.Contains("ASSAY-WEB-PLAIN-HTTP", sink.RuleIds());
        Assert.Empty(Run(new WebServerConfigAnalyzer(), "lighttpd-good.conf", "/etc/lighttpd/lighttpd.conf").Findings);
    }

    [Fact]
    public void Lighttpd_ConfAvailableFragment_NotJudgedUntilEnabled()
    {
        Assert.Empty(Run(new WebServerConfigAnalyzer(), "lighttpd-bad.conf", "/etc/lighttpd/conf-available/10-dir-listing.conf").Findings);
        Assert.NotEmpty(Run(new WebServerConfigAnalyzer(), "lighttpd-bad.conf", "/etc/lighttpd/conf-enabled/10-dir-listing.conf").Findings);
    }

    [Theory]
    [InlineData("nginx-bad.conf", "nginx-good.conf", "/etc/nginx/nginx.conf")]
    [InlineData("apache2-bad.conf", "apache2-good.conf", "/etc/apache2/apache2.conf")]
    [InlineData("uhttpd-bad", "uhttpd-good", "/etc/config/uhttpd")]
    public void WebServer_BadAndGood_ListingOnlyInBad(string bad, string good, string inner)
    {
        var sink = Run(new WebServerConfigAnalyzer(), bad, inner);
        Assert.Single(sink.Findings("ASSAY-WEB-DIR-LISTING"));
        Assert.Single(sink.Findings("ASSAY-WEB-SENSITIVE-ALIAS"));
        Assert.Empty(Run(new WebServerConfigAnalyzer(), good, inner).Findings);
    }

    [Fact]
    public void DefaultContent_PhpinfoInDocumentRoot_Reported()
    {
        var sink = Harness.Run(new WebServerConfigAnalyzer(), Harness.Text("/var/www/html/phpinfo.php", "<?php phpinfo();"), Harness.Text("/var/www/html/index.html", "<p>hi</p>"));
        Assert.EndsWith("/phpinfo.php", Assert.Single(sink.Findings).Path, StringComparison.Ordinal);
    }

    [Fact]
    public void Hostapd_Wpa1TkipAndClearPassphrase_Reported()
    {
        var sink = Run(new WifiConfigAnalyzer(), "hostapd-bad.conf", "/etc/hostapd/hostapd.conf");
        var weak = Assert.Single(sink.Findings("ASSAY-WIFI-WEAK-SECURITY"));
        Assert.Equal((3, "Wi-Fi limited to WPA1 with TKIP"), (weak.Line!.Value, weak.Title));
        var pass = Assert.Single(sink.Findings("ASSAY-WIFI-PASSPHRASE"));
        Assert.Equal(6, pass.Line);
        Assert.DoesNotContain("password123", pass.Evidence, StringComparison.Ordinal);
        Assert.Contains("well-known default", pass.Evidence, StringComparison.Ordinal);
        Assert.Single(Run(new WifiConfigAnalyzer(), "hostapd-open.conf", "/etc/hostapd/hostapd-guest.conf").Findings("ASSAY-WIFI-OPEN"));
        Assert.Empty(Run(new WifiConfigAnalyzer(), "hostapd-good.conf", "/etc/hostapd/hostapd.conf").Findings);
    }

    [Fact]
    public void Snmp_PublicAndPrivate_Reported()
    {
        var sink = Run(new SnmpConfigAnalyzer(), "snmpd-bad.conf", "/etc/snmp/snmpd.conf");
        var communities = sink.Findings("ASSAY-SNMP-DEFAULT-COMMUNITY").OrderBy(f => f.Line).ToList();
        Assert.Equal([Severity.High, Severity.Critical], communities.Select(f => f.Severity));
        Assert.Single(sink.Findings("ASSAY-SNMP-V1V2C"));
        Assert.Single(Run(new SnmpConfigAnalyzer(), "rcS-bad", "/etc/init.d/rcS").Findings("ASSAY-SNMP-DEFAULT-COMMUNITY"));
        Assert.Empty(Run(new SnmpConfigAnalyzer(), "snmpd-good.conf", "/etc/snmp/snmpd.conf").Findings);
    }

    [Fact]
    public void Sysctl_WeakSettings_EachReported()
    {
        var sink = Run(new KernelConfigAnalyzer(), "sysctl-bad.conf", "/etc/sysctl.conf");
        Assert.Equal(["ASSAY-KERNEL-ASLR", "ASSAY-KERNEL-CORE-DUMPS", "ASSAY-KERNEL-IP-FORWARD", "ASSAY-KERNEL-NET-HARDENING", "ASSAY-KERNEL-SYNCOOKIES"], sink.RuleIds());
        Assert.Equal(2, sink.Findings("ASSAY-KERNEL-NET-HARDENING").Count);
        Assert.Empty(Run(new KernelConfigAnalyzer(), "sysctl-good.conf", "/etc/sysctl.d/99-hardening.conf").Findings);
    }

    [Fact]
    public void BootScript_AslrOff_ReportedFromProcWrite()
    {
        Assert.Equal(5, Assert.Single(Run(new KernelConfigAnalyzer(), "rcS-bad", "/etc/init.d/rcS").Findings("ASSAY-KERNEL-ASLR")).Line);
        Assert.Empty(Run(new KernelConfigAnalyzer(), "rcS-good", "/etc/init.d/rcS").Findings);
    }

    [Fact]
    public void KernelConfig_MissingHardening_Reported()
    {
        var sink = Run(new KernelConfigAnalyzer(), "kconfig-bad", "/boot/config-6.1.0");
        Assert.Equal(2, sink.Findings("ASSAY-KERNEL-CONFIG").Count);
        Assert.Single(sink.Findings("ASSAY-KERNEL-ASLR"));
        Assert.Single(sink.Findings("ASSAY-KERNEL-SYNCOOKIES"));
        Assert.Empty(Run(new KernelConfigAnalyzer(), "kconfig-good", "/boot/config-6.1.0").Findings);
    }
}
