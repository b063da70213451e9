using Assay.Core.Content;
using Assay.Core.Pipeline;

namespace Assay.Core.Extraction;

/// <summary>An entry that the extraction writer refused to write, and why.</summary>
public sealed class ExtractionRefusedException(string message) : Exception(message);

/// <summary>
/// The one writer from a scan to the host (DESIGN.md: nothing written outside the place the user
/// named). Every path is built from validated components under the root; absolute names,
/// <c>..</c>, NUL, drive letters, writing through a symbolic link and device nodes are refused.
/// Symbolic links are recreated as links with their stored target and never followed. All
/// operations are serialized, so one entry's link cannot appear under another entry's path
/// between check and write.
/// </summary>
/// <remarks>
/// Layout: a container's children go into <c>NAME.extracted/</c> beside it:
/// <c>a.zip!/b.tar.gz!/b.tar!/etc/x</c> → <c>DIR/a.zip.extracted/b.tar.gz.extracted/b.tar.extracted/etc/x</c>.
/// </remarks>
public sealed class ExtractionRoot
{
    public const string ContainerSuffix = ".extracted";
    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerAll = OwnerReadWrite | UnixFileMode.UserExecute;
    private const int PermissionBits = 0x1ff; // 0777: setuid, setgid and sticky are never set on the host

    private readonly Lock _lock = new();

    public ExtractionRoot(string directory)
    {
        Root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        Directory.CreateDirectory(Root);
        if (IsLink(Root))
            throw new ExtractionRefusedException($"the extraction folder '{directory}' is a symbolic link; name a real folder");
    }

    public string Root { get; }

    /// <summary>Writes a regular file's content. Existing regular files are replaced (later archive entries win).</summary>
    public void WriteFile(string virtualPath, IBlob content, int? mode)
    {
        lock (_lock)
        {
            var target = Resolve(virtualPath, createParents: true);
            RemoveExistingFile(target, virtualPath);
            using (var stream = new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                var buffer = new byte[1 << 16];
                long position = 0;
                int n;
                while ((n = content.Read(position, buffer)) > 0)
                {
                    stream.Write(buffer, 0, n);
                    position += n;
                }
            }
            SetMode(target, (UnixFileMode)((mode ?? 0x1a4) & PermissionBits) | OwnerReadWrite);
        }
    }

    public void CreateDirectory(string virtualPath, int? mode)
    {
        lock (_lock)
        {
            var target = Resolve(virtualPath, createParents: true);
            if (IsLink(target) || File.Exists(target))
                throw new ExtractionRefusedException($"{virtualPath}: a non-directory already stands at this path; directory not created");
            Directory.CreateDirectory(target);
            SetMode(target, (UnixFileMode)((mode ?? 0x1ed) & PermissionBits) | OwnerAll);
        }
    }

    /// <summary>Creates a symbolic link holding <paramref name="linkTarget"/> verbatim. It is never followed by Assay.</summary>
    public void CreateSymlink(string virtualPath, string linkTarget)
    {
        if (linkTarget.Contains('\0', StringComparison.Ordinal))
            throw new ExtractionRefusedException($"{virtualPath}: link target contains NUL; link not created");
        lock (_lock)
        {
            var target = Resolve(virtualPath, createParents: true);
            if (IsLink(target) || File.Exists(target) || Directory.Exists(target))
                throw new ExtractionRefusedException($"{virtualPath}: something already stands at this path; link not created");
            File.CreateSymbolicLink(target, linkTarget);
        }
    }

    /// <summary>A hard link is written as a copy of its target, which must be a regular file already extracted inside the root.</summary>
    public void CreateHardlink(string virtualPath, string targetVirtualPath)
    {
        lock (_lock)
        {
            var source = Resolve(targetVirtualPath, createParents: false);
            if (IsLink(source) || !File.Exists(source))
                throw new ExtractionRefusedException($"{virtualPath}: hard link target '{targetVirtualPath}' is not an extracted regular file; link not created");
            var target = Resolve(virtualPath, createParents: true);
            RemoveExistingFile(target, virtualPath);
            File.Copy(source, target);
        }
    }

    /// <summary>Device nodes, fifos and sockets are never created on the host.</summary>
    public static void RefuseSpecial(string virtualPath, string kind) =>
        throw new ExtractionRefusedException($"{virtualPath}: {kind} entries are not created on the host (listed in the evaluation only)");

    /// <summary>Maps a virtual path to a host path under the root, refusing every unsafe component.</summary>
    public string Resolve(string virtualPath, bool createParents)
    {
        var segments = virtualPath.Split(VirtualPath.Separator);
        var components = new List<string>();
        for (var s = 0; s < segments.Length; s++)
        {
            var parts = segments[s].Split('/');
            for (var p = 0; p < parts.Length; p++)
            {
                var part = parts[p];
                if (part.Length == 0 && p == 0 && s > 0 && parts.Length > 1)
                    throw new ExtractionRefusedException($"{virtualPath}: absolute entry name; not extracted");
                Validate(part, virtualPath);
                var last = p == parts.Length - 1;
                components.Add(last && s < segments.Length - 1 ? part + ContainerSuffix : part);
            }
        }
        var lexical = Path.GetFullPath(Path.Combine([Root, .. components]));
        if (!lexical.StartsWith(Root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new ExtractionRefusedException($"{virtualPath}: resolves outside the extraction folder; not extracted");
        var current = Root;
        for (var i = 0; i < components.Count; i++)
        {
            current = Path.Combine(current, components[i]);
            if (i == components.Count - 1)
                break;
            if (IsLink(current))
                throw new ExtractionRefusedException($"{virtualPath}: '{components[i]}' is a symbolic link; refusing to write through it");
            if (File.Exists(current))
                throw new ExtractionRefusedException($"{virtualPath}: '{components[i]}' is a file, not a directory");
            if (createParents && !Directory.Exists(current))
                Directory.CreateDirectory(current);
        }
        var full = Path.GetFullPath(current);
        if (!full.StartsWith(Root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new ExtractionRefusedException($"{virtualPath}: resolves outside the extraction folder; not extracted");
        return full;
    }

    private static void Validate(string part, string virtualPath)
    {
        if (part.Length == 0)
            throw new ExtractionRefusedException($"{virtualPath}: empty path component; not extracted");
        if (part is "." or "..")
            throw new ExtractionRefusedException($"{virtualPath}: '{part}' path component; not extracted");
        if (part.Contains('\0', StringComparison.Ordinal))
            throw new ExtractionRefusedException($"{virtualPath}: NUL in a name; not extracted");
        if (part.Length >= 2 && char.IsAsciiLetter(part[0]) && part[1] == ':')
            throw new ExtractionRefusedException($"{virtualPath}: drive letter '{part[..2]}' in a name; not extracted");
        if (part.Contains('\\', StringComparison.Ordinal))
            throw new ExtractionRefusedException($"{virtualPath}: backslash in a name (a Windows path separator); not extracted");
        if (System.Text.Encoding.UTF8.GetByteCount(part) > 255)
            throw new ExtractionRefusedException($"{virtualPath}: a name longer than 255 bytes; not extracted");
    }

    private static void RemoveExistingFile(string target, string virtualPath)
    {
        if (IsLink(target))
            throw new ExtractionRefusedException($"{virtualPath}: a symbolic link stands at this path; refusing to write through it");
        if (Directory.Exists(target))
            throw new ExtractionRefusedException($"{virtualPath}: a directory stands at this path; file not written");
        if (File.Exists(target))
            File.Delete(target);
    }

    private static void SetMode(string path, UnixFileMode mode)
    {
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(path, mode);
    }

    private static bool IsLink(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget is not null;
        }
        catch (IOException)
        {
            return false;
        }
    }
}
