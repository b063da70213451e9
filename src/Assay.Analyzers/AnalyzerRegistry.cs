using Assay.Analyzers.Elf;
using Assay.Core.Plugins;

namespace Assay.Analyzers;

/// <summary>Every analyzer, sorted by id (STYLE.md rule 2: one explicit registry, no reflection).</summary>
public static class AnalyzerRegistry
{
    /// <summary>
    /// New instances for one scan. The ELF hardening and unsafe-function analyzers share one parse
    /// of each ELF through a cache keyed by the file's SHA-256.
    /// </summary>
    public static IReadOnlyList<IInspector> CreateAll()
    {
        var elf = new ElfModelCache(consumers: 2);
        return
        [
            new AaaClientConfigAnalyzer(),
            new AuthorizedKeysAnalyzer(),
            new Cloud.ContainerImageAnalyzer(),
            new DhcpServerConfigAnalyzer(),
            new ElfHardeningAnalyzer(elf),
            new FilePermissionAnalyzer(),
            new FtpConfigAnalyzer(),
            new KernelConfigAnalyzer(),
            new Kubernetes.KubernetesAnalyzer(),
            new NtpConfigAnalyzer(),
            new PasswordAnalyzer(),
            new SecretsAnalyzer(),
            new ServiceConfigAnalyzer(),
            new SnmpConfigAnalyzer(),
            new SshConfigAnalyzer(),
            new SyslogConfigAnalyzer(),
            new TlsSettingsAnalyzer(),
            new ToolingAnalyzer(),
            new UnsafeFunctionAnalyzer(elf),
            new VpnConfigAnalyzer(),
            new WebServerConfigAnalyzer(),
            new WifiConfigAnalyzer(),
        ];
    }
}
