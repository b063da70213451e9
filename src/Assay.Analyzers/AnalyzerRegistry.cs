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
            new Cloud.ContainerImageAnalyzer(),
            new ElfHardeningAnalyzer(elf),
            new FilePermissionAnalyzer(),
            new KernelConfigAnalyzer(),
            new Kubernetes.KubernetesAnalyzer(),
            new PasswordAnalyzer(),
            new SecretsAnalyzer(),
            new ServiceConfigAnalyzer(),
            new SnmpConfigAnalyzer(),
            new SshConfigAnalyzer(),
            new ToolingAnalyzer(),
            new UnsafeFunctionAnalyzer(elf),
            new WebServerConfigAnalyzer(),
            new WifiConfigAnalyzer(),
        ];
    }
}
