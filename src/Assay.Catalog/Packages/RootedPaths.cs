using Assay.Core.Pipeline;

namespace Assay.Catalog.Packages;

/// <summary>
/// Package databases sit at fixed places below a root filesystem (<c>var/lib/dpkg/status</c>); the
/// root is the virtual path up to that place, so <c>img!/rootfs!/var/lib/dpkg/status</c> has root
/// <c>img!/rootfs!/</c> and the files a package owns are that root plus the listed path.
/// </summary>
internal static class RootedPaths
{
    /// <summary>If the inner path of <paramref name="path"/> is (or ends in) <paramref name="suffix"/>, the root prefix; else null.</summary>
    public static string? RootOf(string path, string suffix)
    {
        var inner = VirtualPath.Inner(path);
        if (!inner.EndsWith(suffix, StringComparison.Ordinal))
            return null;
        var cut = inner.Length - suffix.Length;
        if (cut > 0 && inner[cut - 1] != '/')
            return null;
        return path[..(path.Length - suffix.Length)];
    }

    /// <summary>The virtual path of a path listed by a package database below the root.</summary>
    public static string Join(string root, string listed)
    {
        var rel = listed.TrimStart('/');
        if (root.Length == 0 || root.EndsWith('/'))
            return root + rel;
        return root + "/" + rel;
    }
}
