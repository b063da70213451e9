namespace Assay.Core.Model;

/// <summary>
/// One entry of the unpacked tree as it appears in the evaluation. <see cref="Path"/> is the full
/// virtual path, container boundaries written as <c>!/</c>:
/// <c>bundle.zip!/rootfs.cpio.gz!/rootfs.cpio!/usr/sbin/dnsmasq</c>.
/// </summary>
public sealed record FileRecord
{
    public required string Path { get; init; }

    public required NodeKind Kind { get; init; }

    // The optional numbers are kept as plain longs with long.MinValue for "none" (no format
    // stores that value): a long? field takes 16 bytes, and a scan holds every record until the
    // evaluation is written (300,000 on the 4.5 GB mixed input of bench/scan/memory.sh).
    private const long None = long.MinValue;
    private readonly long _size = None, _uid = None, _gid = None, _major = None, _minor = None, _mtime = None;

    private static long? Read(long value) => value == None ? null : value;

    public long? Size { get => Read(_size); init => _size = value ?? None; }

    /// <summary>Permission and special bits as four octal digits (<c>4755</c>), null when the format has none.</summary>
    public string? Mode { get; init; }

    public long? Uid { get => Read(_uid); init => _uid = value ?? None; }
    public long? Gid { get => Read(_gid); init => _gid = value ?? None; }
    public string? Sha256 { get; init; }

    /// <summary>Symlink or hard link target, as stored in the image (never resolved against the host).</summary>
    public string? Target { get; init; }

    /// <summary>The detected file type (<see cref="Identification.FileType"/>), for regular files.</summary>
    public FileTypeInfo? Type { get; init; }

    /// <summary>For devices: <c>char</c> or <c>block</c>.</summary>
    public string? Device { get; init; }
    public long? Major { get => Read(_major); init => _major = value ?? None; }
    public long? Minor { get => Read(_minor); init => _minor = value ?? None; }

    /// <summary>Modification time as Unix seconds, when the format records one.</summary>
    public long? Mtime { get => Read(_mtime); init => _mtime = value ?? None; }

    /// <summary>Extended attributes, sorted by name (file capabilities and SELinux labels decoded).</summary>
    public IReadOnlyList<XattrRecord>? Xattrs { get; init; }

    /// <summary>The format id of the container this entry was unpacked from (null for the input itself).</summary>
    public string? Container { get; init; }

    /// <summary>The format id the content was unpacked as, when it is itself a container.</summary>
    public string? Format { get; init; }

    /// <summary>
    /// For files of a container image: the digest (<c>sha256:…</c>) of the layer that added the
    /// file to the final tree (the topmost layer holding it), as the image manifest names the layer.
    /// </summary>
    public string? Layer { get; init; }
}

/// <summary>The type of a regular file: a coarse class plus details for executables and scripts.</summary>
public sealed record FileTypeInfo
{
    /// <summary>elf, pe, macho, script, text, certificate, key, compressed, archive, filesystem, image, data, empty, unknown.</summary>
    public required string Class { get; init; }

    /// <summary>Human description: <c>ELF 32-bit LSB executable, ARM</c>.</summary>
    public required string Description { get; init; }

    public string? Arch { get; init; }
    public int? Bits { get; init; }

    /// <summary><c>little</c> or <c>big</c>.</summary>
    public string? Endian { get; init; }

    /// <summary>For scripts: the interpreter of the <c>#!</c> line.</summary>
    public string? Interpreter { get; init; }

    /// <summary>For ELF: exec, dyn, rel, core.</summary>
    public string? ElfType { get; init; }

    private static readonly SharedInstances<FileTypeInfo> s_shared = new(4096);

    /// <summary>
    /// One instance for every equal type: a scan's file records hold a type each until the
    /// evaluation is written, and most files share a few dozen types (tens of thousands of equal
    /// records were ~100 bytes each with their strings). At most 4,096 types are shared (a
    /// crafted input can make every one differ); past that an instance is its own.
    /// </summary>
    public static FileTypeInfo Shared(FileTypeInfo type) => s_shared.Shared(type);
}
