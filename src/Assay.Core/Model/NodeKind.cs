namespace Assay.Core.Model;

/// <summary>What an entry of an unpacked tree is. Serialized lower-case (<c>file</c>, <c>dir</c>, ...).</summary>
public enum NodeKind
{
    File,
    Dir,
    Symlink,
    Hardlink,
    Device,
    Fifo,
    Socket,
}

/// <summary>Lower-case names used in the evaluation document.</summary>
public static class NodeKindNames
{
    public static string ToName(this NodeKind kind) => kind switch
    {
        NodeKind.File => "file",
        NodeKind.Dir => "dir",
        NodeKind.Symlink => "symlink",
        NodeKind.Hardlink => "hardlink",
        NodeKind.Device => "device",
        NodeKind.Fifo => "fifo",
        NodeKind.Socket => "socket",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}
