using Assay.Core.Model;

namespace Assay.Analyzers.Tests;

// File permissions and shipped tools are judged from the file records alone (Complete).
public sealed class TreeAnalyzerTests
{
    private static readonly byte[] Elf = Fixture.Bytes("elf/x64-clean");

    [Fact]
    public void Permissions_SetuidBusyboxAndWorldWritable_Reported()
    {
        var sink = Harness.Run(new FilePermissionAnalyzer(),
            new ImageFile("/bin/busybox", Elf, "4755"),
            new ImageFile("/usr/sbin/pppd", Elf, "4754"),
            new ImageFile("/etc/config/app.conf", "x=1"u8.ToArray(), "0666"),
            new ImageFile("/var/spool", [], "0777", NodeKind.Dir),
            new ImageFile("/tmp", [], "1777", NodeKind.Dir),
            new ImageFile("/bin/sh", [], "0777", NodeKind.Symlink, "busybox"),
            Harness.Fixture("secrets/device-key.pem", "/etc/ssl/private/device-key.pem", "0644"),
            new ImageFile("/etc/shadow", "root:*:1::::::\n"u8.ToArray(), "0644"));
        Assert.Contains("busybox", Assert.Single(sink.Findings("ASSAY-PERM-SETUID-SHELL-ESCAPE")).Path, StringComparison.Ordinal);
        Assert.Contains("pppd", Assert.Single(sink.Findings("ASSAY-PERM-SETUID")).Path, StringComparison.Ordinal);
        Assert.EndsWith("/app.conf", Assert.Single(sink.Findings("ASSAY-PERM-WORLD-WRITABLE-FILE")).Path, StringComparison.Ordinal);
        Assert.EndsWith("/var/spool", Assert.Single(sink.Findings("ASSAY-PERM-WORLD-WRITABLE-DIR")).Path, StringComparison.Ordinal);
        Assert.EndsWith("/device-key.pem", Assert.Single(sink.Findings("ASSAY-PERM-KEY-READABLE")).Path, StringComparison.Ordinal);
        Assert.Single(sink.Findings("ASSAY-PERM-SHADOW-READABLE"));
    }

    [Fact]
    public void Permissions_OrdinaryModes_NoFinding()
    {
        var sink = Harness.Run(new FilePermissionAnalyzer(),
            new ImageFile("/bin/busybox", Elf, "0755"),
            new ImageFile("/tmp", [], "1777", NodeKind.Dir),
            new ImageFile("/etc", [], "0755", NodeKind.Dir),
            Harness.Fixture("secrets/device-key.pem", "/etc/ssl/private/device-key.pem", "0600"),
            new ImageFile("/etc/shadow", "root:*:1::::::\n"u8.ToArray(), "0640"),
            new ImageFile("/bin/sh", [], "0777", NodeKind.Symlink, "busybox"));
        Assert.Empty(sink.Findings);
    }

    [Fact]
    public void Tooling_DebuggerCompilerAndAppletLink_Reported()
    {
        var sink = Harness.Run(new ToolingAnalyzer(),
            new ImageFile("/usr/bin/gdbserver", Elf, "0755"),
            new ImageFile("/usr/bin/arm-linux-gnueabihf-gcc", Elf, "0755"),
            new ImageFile("/usr/sbin/tcpdump", Elf, "0755"),
            new ImageFile("/usr/bin/nc", [], "0777", NodeKind.Symlink, "/bin/busybox"),
            new ImageFile("/usr/share/doc/gdb", [], "0755", NodeKind.Dir));
        Assert.Equal(["ASSAY-TOOL-COMPILER", "ASSAY-TOOL-DEBUGGER", "ASSAY-TOOL-PACKET"], sink.RuleIds());
        Assert.Equal(2, sink.Findings("ASSAY-TOOL-PACKET").Count);
    }

    [Fact]
    public void Tooling_OrdinaryProgramsAndToolNamesOutsideBin_NoFinding()
    {
        var sink = Harness.Run(new ToolingAnalyzer(),
            new ImageFile("/usr/sbin/dnsmasq", Elf, "0755"),
            new ImageFile("/usr/share/gdb/python/gdb", [], "0755", NodeKind.Dir),
            new ImageFile("/usr/lib/tcpdump", Elf, "0644"));
        Assert.Empty(sink.Findings);
    }
}
