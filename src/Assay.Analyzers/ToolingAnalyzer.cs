using Assay.Analyzers.Rules;
using Assay.Core.Model;
using Assay.Core.Plugins;

namespace Assay.Analyzers;

/// <summary>
/// Development, debugging and network-attack tools shipped in the executable search path (TS 33.117
/// §4.3.2.3 no unused software): compilers, assemblers and linkers; debuggers and tracers; packet
/// capture and raw network tools. Judged from the file list by name, including symlinks (a BusyBox
/// applet link such as <c>/usr/bin/nc</c> is a shipped tool).
/// </summary>
/// <remarks>Limitations: by name only; renamed tools are missed; BusyBox applets compiled in but not linked are not listed.</remarks>
public sealed class ToolingAnalyzer : IInspector
{
    private static readonly string[] BinDirs = ["/bin/", "/sbin/", "/usr/bin/", "/usr/sbin/", "/usr/local/bin/", "/usr/local/sbin/", "/opt/bin/"];

    private static readonly Dictionary<string, string> Tools = new(StringComparer.Ordinal)
    {
        ["gcc"] = "ASSAY-TOOL-COMPILER", ["g++"] = "ASSAY-TOOL-COMPILER", ["cc"] = "ASSAY-TOOL-COMPILER", ["c++"] = "ASSAY-TOOL-COMPILER",
        ["clang"] = "ASSAY-TOOL-COMPILER", ["tcc"] = "ASSAY-TOOL-COMPILER", ["as"] = "ASSAY-TOOL-COMPILER", ["ld"] = "ASSAY-TOOL-COMPILER",
        ["ld.bfd"] = "ASSAY-TOOL-COMPILER", ["ld.gold"] = "ASSAY-TOOL-COMPILER", ["make"] = "ASSAY-TOOL-COMPILER",
        ["gdb"] = "ASSAY-TOOL-DEBUGGER", ["gdbserver"] = "ASSAY-TOOL-DEBUGGER", ["strace"] = "ASSAY-TOOL-DEBUGGER", ["ltrace"] = "ASSAY-TOOL-DEBUGGER",
        ["perf"] = "ASSAY-TOOL-DEBUGGER", ["valgrind"] = "ASSAY-TOOL-DEBUGGER", ["lldb"] = "ASSAY-TOOL-DEBUGGER",
        ["tcpdump"] = "ASSAY-TOOL-PACKET", ["tshark"] = "ASSAY-TOOL-PACKET", ["dumpcap"] = "ASSAY-TOOL-PACKET", ["nc"] = "ASSAY-TOOL-PACKET",
        ["netcat"] = "ASSAY-TOOL-PACKET", ["ncat"] = "ASSAY-TOOL-PACKET", ["nmap"] = "ASSAY-TOOL-PACKET", ["socat"] = "ASSAY-TOOL-PACKET",
        ["hping3"] = "ASSAY-TOOL-PACKET", ["ettercap"] = "ASSAY-TOOL-PACKET", ["arpspoof"] = "ASSAY-TOOL-PACKET", ["scapy"] = "ASSAY-TOOL-PACKET",
    };

    public string Id => "tooling";

    /// <summary>Keeps no state of its own: its results for a file are cached by the file's content.</summary>
    public bool CacheableByContent => true;

    public bool Wants(FileRecord file) => false;

    public void Inspect(InspectedFile file, InspectionSink sink)
    {
    }

    public void Complete(IReadOnlyList<FileRecord> files, InspectionSink sink)
    {
        var sawProgramFolder = false;
        foreach (var f in files)
        {
            if (f.Kind is not (NodeKind.File or NodeKind.Symlink or NodeKind.Hardlink))
                continue;
            var inner = Core.Pipeline.VirtualPath.Inner(f.Path);
            var slash = inner.LastIndexOf('/');
            if (!BinDirs.Contains(inner[..(slash + 1)], StringComparer.Ordinal))
                continue;
            if (!sawProgramFolder)
            {
                // One check per tree with program folders: the list of installed programs was looked at.
                sawProgramFolder = true;
                sink.Checked("ASSAY-TOOL-COMPILER", "ASSAY-TOOL-DEBUGGER", "ASSAY-TOOL-PACKET");
            }
            var name = inner[(slash + 1)..];
            // Cross toolchains: arm-linux-gnueabihf-gcc, mips-openwrt-linux-gcc-12.
            var tool = name.Contains('-', StringComparison.Ordinal) && (name.EndsWith("-gcc", StringComparison.Ordinal) || name.Contains("-gcc-", StringComparison.Ordinal) || name.EndsWith("-ld", StringComparison.Ordinal))
                ? "ASSAY-TOOL-COMPILER" : Tools.GetValueOrDefault(name);
            if (tool is null)
                continue;
            var evidence = f.Kind == NodeKind.Symlink ? $"{name} -> {f.Target}" : name;
            sink.Add(RuleCatalog.Finding(tool, f.Path, evidence, title: $"{RuleCatalog.Get(tool).Title}: {name}"));
        }
    }
}
