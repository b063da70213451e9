using System.Buffers.Binary;
using System.Text;
using Assay.Core.Formats;

namespace Assay.Core.Model;

/// <summary>
/// One extended attribute of an entry as the evaluation reports it. <see cref="Value"/> is the text
/// when the value is printable UTF-8 (one trailing NUL, as SELinux writes labels, dropped), else
/// <c>hex:</c> and the bytes. <see cref="Decoded"/> reads the attributes that matter to an
/// evaluation: <c>security.capability</c> as <c>getcap</c> writes it (<c>cap_net_admin,cap_net_raw=ep</c>)
/// and <c>security.selinux</c> as its label.
/// </summary>
public sealed record XattrRecord
{
    public required string Name { get; init; }
    public required string Value { get; init; }
    public string? Decoded { get; init; }

    /// <summary>Records for an entry's attributes, sorted by name; null when there are none.</summary>
    public static IReadOnlyList<XattrRecord>? From(IReadOnlyList<ExtendedAttribute>? attributes)
    {
        if (attributes is null || attributes.Count == 0)
            return null;
        return [.. attributes.OrderBy(a => a.Name, StringComparer.Ordinal).Select(Of)];
    }

    public static XattrRecord Of(ExtendedAttribute attribute)
    {
        var text = Text(attribute.Value);
        return new XattrRecord
        {
            Name = attribute.Name,
            Value = text ?? "hex:" + Convert.ToHexStringLower(attribute.Value),
            Decoded = attribute.Name switch
            {
                "security.capability" => FileCapabilities.Decode(attribute.Value),
                "security.selinux" => text,
                _ => null,
            },
        };
    }

    private static string? Text(byte[] value)
    {
        var span = value.AsSpan();
        if (span.Length > 0 && span[^1] == 0)
            span = span[..^1];
        if (span.IndexOfAnyInRange((byte)0, (byte)0x08) >= 0 || span.IndexOfAnyInRange((byte)0x0e, (byte)0x1f) >= 0 || span.Contains((byte)0x7f))
            return null;
        try
        {
            return new UTF8Encoding(false, true).GetString(span);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }
}

/// <summary>
/// File capabilities (<c>security.capability</c>, struct vfs_cap_data / vfs_ns_cap_data in Linux
/// include/uapi/linux/capability.h): magic_etc (revision in the high byte: 1, 2 or 3; bit 0 the
/// effective flag), then permitted and inheritable 32-bit words (one pair for revision 1, two for
/// 2 and 3), then for revision 3 the namespace root uid; all little-endian.
/// </summary>
public static class FileCapabilities
{
    private const uint RevisionMask = 0xff000000;
    private const uint Revision1 = 0x01000000;
    private const uint Revision2 = 0x02000000;
    private const uint Revision3 = 0x03000000;
    private const uint Effective = 0x000001;

    /// <summary>Capability names by number (include/uapi/linux/capability.h, Linux 6.x: 0-40).</summary>
    private static readonly string[] Names =
    [
        "chown", "dac_override", "dac_read_search", "fowner", "fsetid", "kill", "setgid", "setuid", "setpcap", "linux_immutable",
        "net_bind_service", "net_broadcast", "net_admin", "net_raw", "ipc_lock", "ipc_owner", "sys_module", "sys_rawio", "sys_chroot", "sys_ptrace",
        "sys_pacct", "sys_admin", "sys_boot", "sys_nice", "sys_resource", "sys_time", "sys_tty_config", "mknod", "lease", "audit_write",
        "audit_control", "setfcap", "mac_override", "mac_admin", "syslog", "wake_alarm", "block_suspend", "audit_read", "perfmon", "bpf",
        "checkpoint_restore",
    ];

    /// <summary>
    /// The capabilities in getcap's notation: capabilities with the same flags grouped as
    /// <c>cap_a,cap_b=eip</c>, groups separated by a space in capability order, then
    /// <c>[rootid=N]</c> for revision 3; null when the value is not a vfs_cap_data.
    /// </summary>
    public static string? Decode(ReadOnlySpan<byte> value)
    {
        if (value.Length < 12)
            return null;
        var magic = BinaryPrimitives.ReadUInt32LittleEndian(value);
        var words = (magic & RevisionMask) switch
        {
            Revision1 when value.Length == 12 => 1,
            Revision2 when value.Length == 20 => 2,
            Revision3 when value.Length == 24 => 2,
            _ => 0,
        };
        if (words == 0)
            return null;
        var effective = (magic & Effective) != 0;
        ulong permitted = 0, inheritable = 0;
        for (var i = 0; i < words; i++)
        {
            permitted |= (ulong)BinaryPrimitives.ReadUInt32LittleEndian(value[(4 + (8 * i))..]) << (32 * i);
            inheritable |= (ulong)BinaryPrimitives.ReadUInt32LittleEndian(value[(8 + (8 * i))..]) << (32 * i);
        }
        var groups = new List<(string Flags, List<string> Caps)>();
        for (var bit = 0; bit < 64; bit++)
        {
            var p = (permitted >> bit & 1) != 0;
            var inh = (inheritable >> bit & 1) != 0;
            if (!p && !inh)
                continue;
            var flags = (effective ? "e" : "") + (inh ? "i" : "") + (p ? "p" : "");
            var name = bit < Names.Length ? "cap_" + Names[bit] : $"{bit}";
            var group = groups.FindIndex(g => g.Flags == flags);
            if (group < 0)
                groups.Add((flags, [name]));
            else
                groups[group].Caps.Add(name);
        }
        var text = groups.Count == 0 ? "=" : string.Join(' ', groups.Select(g => string.Join(',', g.Caps) + "=" + g.Flags));
        if ((magic & RevisionMask) == Revision3)
            text += $" [rootid={BinaryPrimitives.ReadUInt32LittleEndian(value[20..])}]";
        return text;
    }
}
