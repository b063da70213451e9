using System.Runtime.InteropServices;

namespace Assay.Core.Extraction;

/// <summary>What stands at a path on the host, without following a final symbolic link.</summary>
public enum HostFileType
{
    Missing,
    Regular,
    Directory,
    Symlink,
    CharDevice,
    BlockDevice,
    Fifo,
    Socket,
}

/// <summary>
/// The type of a host path (lstat semantics). .NET's <see cref="FileSystemInfo"/> reports a
/// character device or a FIFO as a "normal" file, which is how <c>-o /dev/null</c> once replaced the
/// null device with a regular file; this asks the kernel through <c>statx(2)</c>, whose structure is
/// the same on every Linux architecture.
/// </summary>
public static partial class HostFile
{
    // include/uapi/linux/stat.h and fcntl.h
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxType = 0x1;
    private const int StatxSize = 256;

    /// <summary>Offset of <c>__u16 stx_mode</c> in <c>struct statx</c>: mask, blksize (u32 each), attributes (u64), nlink, uid, gid (u32 each).</summary>
    private const int StxModeOffset = 28;

    // S_IFMT and the file type values of stat(2)
    private const int SIfMt = 0xF000;
    private const int SIfSock = 0xC000;
    private const int SIfLnk = 0xA000;
    private const int SIfReg = 0x8000;
    private const int SIfBlk = 0x6000;
    private const int SIfDir = 0x4000;
    private const int SIfChr = 0x2000;
    private const int SIfIfo = 0x1000;

    private const int ENoEnt = 2;
    private const int ENotDir = 20;

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int dirfd, string path, int flags, uint mask, Span<byte> buffer);

    /// <summary>The type of <paramref name="path"/>; a symbolic link is reported as such, not as what it points to.</summary>
    public static HostFileType TypeOf(string path)
    {
        if (!OperatingSystem.IsLinux())
            return Fallback(path);
        Span<byte> buffer = stackalloc byte[StatxSize];
        int rc;
        try
        {
            rc = Statx(AtFdCwd, path, AtSymlinkNoFollow, StatxType, buffer);
        }
        catch (EntryPointNotFoundException)
        {
            return Fallback(path); // a C library older than glibc 2.28 or musl 1.2.5
        }
        if (rc != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno is ENoEnt or ENotDir)
                return HostFileType.Missing;
            throw new IOException($"cannot look at '{path}': {Marshal.GetPInvokeErrorMessage(errno)}");
        }
        var mode = BitConverter.ToUInt16(buffer.Slice(StxModeOffset, 2));
        return (mode & SIfMt) switch
        {
            SIfReg => HostFileType.Regular,
            SIfDir => HostFileType.Directory,
            SIfLnk => HostFileType.Symlink,
            SIfChr => HostFileType.CharDevice,
            SIfBlk => HostFileType.BlockDevice,
            SIfIfo => HostFileType.Fifo,
            SIfSock => HostFileType.Socket,
            _ => HostFileType.Regular,
        };
    }

    private static HostFileType Fallback(string path)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is not null)
            return HostFileType.Symlink;
        if (Directory.Exists(path))
            return HostFileType.Directory;
        return info.Exists ? HostFileType.Regular : HostFileType.Missing;
    }
}
