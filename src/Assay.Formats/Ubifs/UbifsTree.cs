namespace Assay.Formats.Ubifs;

/// <summary>What the index (and then the journal) says the filesystem holds: inodes, names per directory, data blocks per file.</summary>
internal sealed class UbifsTree
{
    public Dictionary<uint, UbifsInode> Inodes { get; } = [];
    public Dictionary<uint, List<UbifsDent>> Children { get; } = [];
    public Dictionary<uint, Dictionary<uint, DataRef>> Data { get; } = [];

    /// <summary>Extended attribute entries per host inode (xent nodes); each names an xattr inode holding the value.</summary>
    public Dictionary<uint, List<UbifsDent>> Xattrs { get; } = [];

    /// <summary>Adds an xattr entry; a journal entry for an existing name replaces it, and inode 0 removes it.</summary>
    public void SetXent(UbifsDent xent, bool replace)
    {
        if (!Xattrs.TryGetValue(xent.Parent, out var list))
            Xattrs[xent.Parent] = list = [];
        if (replace)
            list.RemoveAll(d => d.Name.AsSpan().SequenceEqual(xent.Name));
        if (xent.Inum != 0)
            list.Add(xent);
    }

    public void SetData(uint inum, DataRef data)
    {
        if (!Data.TryGetValue(inum, out var blocks))
            Data[inum] = blocks = [];
        blocks[data.Block] = data;
    }

    /// <summary>Adds a name; a journal entry for an existing name replaces it, and inode 0 removes it.</summary>
    public void SetDent(UbifsDent dent, bool replace)
    {
        if (!Children.TryGetValue(dent.Parent, out var list))
            Children[dent.Parent] = list = [];
        if (replace)
            list.RemoveAll(d => d.Name.AsSpan().SequenceEqual(dent.Name));
        if (dent.Inum != 0)
            list.Add(dent);
    }

    /// <summary>An inode written with no links left is deleted with its data.</summary>
    public void SetInode(UbifsInode inode)
    {
        if (inode.Nlink == 0)
        {
            Inodes.Remove(inode.Inum);
            Data.Remove(inode.Inum);
            return;
        }

        Inodes[inode.Inum] = inode;
    }

    /// <summary>Drops the data blocks that lie wholly past <paramref name="size"/>.</summary>
    public void Truncate(uint inum, ulong size)
    {
        if (!Data.TryGetValue(inum, out var blocks))
            return;
        var firstDropped = (size + UbifsDataNode.BlockSize - 1) / UbifsDataNode.BlockSize;
        foreach (var block in blocks.Keys.Where(b => b >= firstDropped).ToList())
            blocks.Remove(block);
    }
}
