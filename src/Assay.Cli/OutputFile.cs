using Assay.Core.Extraction;

namespace Assay.Cli;

/// <summary>
/// Writes what a command produces to the file the user named (<c>-o</c>). Only a regular file, or a
/// path where nothing stands yet, is replaced atomically (a temporary file in the same folder,
/// renamed over it). Anything else is written through, as every Unix tool does: a character device
/// (<c>/dev/null</c>, <c>/dev/stdout</c>), a FIFO, a symbolic link (to whatever it points at). A
/// rename over those would replace the device or the link itself.
/// </summary>
internal static class OutputFile
{
    /// <summary>Why <paramref name="path"/> cannot be written, or null. Checked before work starts.</summary>
    public static string? Check(string path)
    {
        var full = Path.GetFullPath(path);
        HostFileType type;
        try
        {
            type = HostFile.TypeOf(full);
        }
        catch (IOException e)
        {
            return e.Message;
        }
        if (type == HostFileType.Directory)
            return $"'{path}' is a folder; name a file in it (e.g. {Path.Combine(path, "report.json")})";
        if (type == HostFileType.Missing)
        {
            var folder = Path.GetDirectoryName(full);
            if (folder is not null && HostFile.TypeOf(folder) != HostFileType.Directory)
                return $"the folder '{folder}' does not exist; create it first (Assay does not create folders for its output)";
        }
        return null;
    }

    /// <summary>Writes through <paramref name="write"/> to <paramref name="path"/> under the policy above.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        var full = Path.GetFullPath(path);
        var type = HostFile.TypeOf(full);
        if (type is not (HostFileType.Regular or HostFileType.Missing))
        {
            // O_WRONLY|O_CREAT|O_TRUNC through the link or onto the device: the same as the shell's '>'.
            using var through = new FileStream(full, FileMode.Create, FileAccess.Write, FileShare.ReadWrite, 1 << 16);
            write(through);
            return;
        }
        var folder = Path.GetDirectoryName(full) ?? ".";
        var temporary = Path.Combine(folder, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
                write(file);
            // Between the check and the rename another process may have put something else there: look again.
            if (HostFile.TypeOf(full) is not (HostFileType.Regular or HostFileType.Missing))
            {
                using (var written = File.OpenRead(temporary))
                using (var through = new FileStream(full, FileMode.Create, FileAccess.Write, FileShare.ReadWrite, 1 << 16))
                    written.CopyTo(through);
                File.Delete(temporary);
                return;
            }
            File.Move(temporary, full, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }
}
