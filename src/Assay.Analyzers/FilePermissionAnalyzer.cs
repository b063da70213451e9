using Assay.Analyzers.Rules;
using Assay.Core.Model;
using Assay.Core.Plugins;

namespace Assay.Analyzers;

/// <summary>
/// Modes of the unpacked tree, judged from the file records: world-writable files and world-writable
/// directories without the sticky bit (TS 33.117 §4.3.2.7), setuid/setgid executables and those that
/// can run a shell (§4.2.4.1.2.1), private keys and shadow files readable by everyone.
/// </summary>
/// <remarks>
/// Limitations: needs a format that records modes (tar, cpio, SquashFS, ext4, UBIFS, JFFS2; not zip
/// or FAT); symlinks (always 0777) and device nodes are not judged; file capabilities (xattrs) are not
/// in the records.
/// </remarks>
public sealed class FilePermissionAnalyzer : IInspector
{
    /// <summary>Programs that hand out a shell or run arbitrary commands when setuid (GTFOBins "SUID").</summary>
    private static readonly string[] ShellEscape =
    [
        "busybox", "toybox", "sh", "ash", "bash", "dash", "zsh", "ksh", "vi", "vim", "less", "more", "find", "awk", "gawk",
        "nmap", "perl", "python", "python3", "lua", "env", "tclsh", "ed", "nano", "man", "cp", "tar",
    ];

    public string Id => "file-permissions";

    /// <summary>Keeps no state of its own: its results for a file are cached by the file's content.</summary>
    public bool CacheableByContent => true;

    public bool Wants(FileRecord file) => false;

    public void Inspect(InspectedFile file, InspectionSink sink)
    {
    }

    public void Complete(IReadOnlyList<FileRecord> files, InspectionSink sink)
    {
        foreach (var f in files)
        {
            if (f.Mode is not { Length: 4 } mode || !mode.All(c => c is >= '0' and <= '7'))
                continue;
            var special = mode[0] - '0';
            var other = mode[3] - '0';
            var inner = Core.Pipeline.VirtualPath.Inner(f.Path);
            var name = ConfigText.Name(inner);
            if (f.Kind == NodeKind.Dir)
            {
                sink.Checked("ASSAY-PERM-WORLD-WRITABLE-DIR");
                if ((other & 2) != 0 && (special & 1) == 0)
                    sink.Add(RuleCatalog.Finding("ASSAY-PERM-WORLD-WRITABLE-DIR", f.Path, $"mode {mode}"));
                continue;
            }
            if (f.Kind != NodeKind.File)
                continue;
            var isKey = IsPrivateKey(f, inner, name);
            var isShadow = inner.EndsWith("/etc/shadow", StringComparison.Ordinal) || inner.EndsWith("/etc/gshadow", StringComparison.Ordinal);
            sink.Checked("ASSAY-PERM-WORLD-WRITABLE-FILE", "ASSAY-PERM-SETUID", "ASSAY-PERM-SETUID-SHELL-ESCAPE");
            if (isKey)
                sink.Checked("ASSAY-PERM-KEY-READABLE");
            if (isShadow)
                sink.Checked("ASSAY-PERM-SHADOW-READABLE");
            if ((other & 2) != 0)
                sink.Add(RuleCatalog.Finding("ASSAY-PERM-WORLD-WRITABLE-FILE", f.Path, $"mode {mode}"));
            if ((special & 6) != 0)
            {
                var what = (special & 4) != 0 ? (special & 2) != 0 ? "setuid and setgid" : "setuid" : "setgid";
                var owner = f.Uid is 0 ? " root" : f.Uid is { } u ? $" uid {u}" : "";
                var escape = ShellEscape.Contains(name, StringComparer.Ordinal) || name.StartsWith("python", StringComparison.Ordinal);
                sink.Add(RuleCatalog.Finding(escape ? "ASSAY-PERM-SETUID-SHELL-ESCAPE" : "ASSAY-PERM-SETUID", f.Path, $"mode {mode}, {what}{owner}",
                    title: escape ? $"{name} is {what}{owner} and can run a shell" : $"{name} is {what}{owner}"));
            }
            if ((other & 4) != 0 && isKey)
                sink.Add(RuleCatalog.Finding("ASSAY-PERM-KEY-READABLE", f.Path, $"mode {mode}"));
            if ((other & 4) != 0 && isShadow)
                sink.Add(RuleCatalog.Finding("ASSAY-PERM-SHADOW-READABLE", f.Path, $"mode {mode}"));
        }
    }

    private static bool IsPrivateKey(FileRecord f, string inner, string name)
    {
        if (f.Type is { Class: "key" } t && t.Description.Contains("private", StringComparison.OrdinalIgnoreCase))
            return true;
        return inner.Contains("/private/", StringComparison.Ordinal) && (name.EndsWith(".pem", StringComparison.Ordinal) || name.EndsWith(".key", StringComparison.Ordinal))
            || name.EndsWith("_host_key", StringComparison.Ordinal) || name is "id_rsa" or "id_dsa" or "id_ecdsa" or "id_ed25519"
            || (name.EndsWith(".key", StringComparison.Ordinal) && f.Type?.Class is "key" or "text");
    }
}
