namespace Assay.Core.Pipeline;

/// <summary>
/// Virtual paths: the input's name, then each container boundary as <c>!/</c> followed by the
/// path inside that container: <c>bundle.zip!/rootfs.cpio.gz!/rootfs.cpio!/usr/sbin/dnsmasq</c>.
/// </summary>
public static class VirtualPath
{
    public const string Separator = "!/";

    public static string Child(string container, string relative) => container + Separator + relative;

    /// <summary>The path inside the innermost container, with a leading '/': <c>/usr/sbin/dnsmasq</c>.</summary>
    public static string Inner(string path)
    {
        var i = path.LastIndexOf(Separator, StringComparison.Ordinal);
        return i < 0 ? "/" + path : "/" + path[(i + Separator.Length)..];
    }

    /// <summary>The file name (last component).</summary>
    public static string Name(string path)
    {
        var inner = Inner(path);
        var i = inner.LastIndexOf('/');
        return inner[(i + 1)..];
    }

    /// <summary>
    /// Normalizes an entry name from an archive: backslashes are kept (they are legal in names),
    /// empty and <c>.</c> components drop, <c>..</c> pops. Returns null for the root itself.
    /// <paramref name="escaped"/> tells that the name tried to climb out of the container (the
    /// climbing components are dropped so the entry stays inside).
    /// </summary>
    public static string? Normalize(string name, out bool escaped)
    {
        escaped = false;
        var parts = new List<string>();
        foreach (var part in name.Split('/'))
        {
            if (part.Length == 0 || part == ".")
                continue;
            if (part == "..")
            {
                if (parts.Count == 0)
                    escaped = true;
                else
                    parts.RemoveAt(parts.Count - 1);
                continue;
            }
            // A name ending in '!' would write a container boundary ("!/") into the path and pose as
            // the content of a nested container: escape it the way the root name is escaped.
            var clean = part.Replace('\0', '\uFFFD');
            parts.Add(clean.EndsWith('!') ? clean + "_" : clean);
        }
        return parts.Count == 0 ? null : string.Join('/', parts);
    }
}
