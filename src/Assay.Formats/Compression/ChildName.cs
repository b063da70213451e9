namespace Assay.Formats;

/// <summary>Names the single child of a compressed stream.</summary>
internal static class ChildName
{
    /// <summary>
    /// The name stored in the stream's header if any (reduced to its last component, so a stored
    /// name can never place the child elsewhere), else the container's name less a known suffix
    /// (<c>rootfs.cpio.gz</c> → <c>rootfs.cpio</c>; <c>a.tgz</c> → <c>a.tar</c>), else the
    /// container's name plus <c>.out</c>.
    /// </summary>
    public static string FromFieldOrContainer(string? stored, string containerPath, string[] suffixes, (string From, string To)[] renames)
    {
        if (!string.IsNullOrWhiteSpace(stored))
        {
            var s = stored.Replace('\\', '/');
            s = s[(s.LastIndexOf('/') + 1)..];
            if (s.Length > 0 && s != "." && s != "..")
                return s;
        }
        var name = Core.Pipeline.VirtualPath.Name(containerPath);
        foreach (var (from, to) in renames)
        {
            if (name.EndsWith(from, StringComparison.OrdinalIgnoreCase) && name.Length > from.Length)
                return name[..^from.Length] + to;
        }
        foreach (var suffix in suffixes)
        {
            if (name.EndsWith(suffix, StringComparison.OrdinalIgnoreCase) && name.Length > suffix.Length)
                return name[..^suffix.Length];
        }
        return name + ".out";
    }
}
