using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using Assay.Core.Content;
using FormatException = Assay.Core.Formats.FormatException;

namespace Assay.Formats.SquashFs;

/// <summary>A position in a metadata table: the block's position in the image and the offset in its decompressed bytes.</summary>
internal record struct MetadataCursor(long Block, int Offset);

/// <summary>One directory entry as stored: the name and where its inode is.</summary>
internal readonly record struct SquashFsDirEntry(string Name, long InodeBlock, int InodeOffset);

/// <summary>
/// An opened SquashFS 4.0, 3.x, 2.x or 1.x image: reads metadata blocks (cached), inodes, directories, the id
/// and fragment tables, and data blocks. Positions are relative to the start of the image;
/// messages add the image's offset in its parent. Single-threaded, like one unpack.
/// </summary>
internal sealed class SquashFsImage
{
    public const string FormatId = "squashfs";

    /// <summary>Decompressed metadata kept at most; beyond it the cache starts over.</summary>
    private const long MaxCachedMetadataBytes = 64L << 20;

    private const int FragmentEntrySize4 = 16;
    private const int FragmentEntrySize3 = 16;

    // 2.x fragment entry (8 bytes: start_block, size) behind an index of 32-bit block positions
    private const int FragmentEntrySize2 = 8;
    private const int FragmentSize2 = 4;
    private const int TablePointerSize2 = 4;
    private const int IdEntrySize = 4;
    private const int TablePointerSize = 8;

    private const int MaxInodeHeaderSize = 56;

    // 4.0 directory header (12 bytes: count-1, start_block, inode_number) and entry (8 bytes + name)
    private const int DirHeaderSize4 = 12;
    private const int DirEntrySize4 = 8;
    private const int DirHeaderCount4 = 0;
    private const int DirHeaderStartBlock4 = 4;
    private const int DirEntryOffset4 = 0;
    private const int DirEntryNameSize4 = 6;

    // 3.x directory header (9 bytes, packed: count:8, start_block, inode_number) and entry (5 bytes: offset:13 type:3 size:8 inode_number:16)
    private const int DirHeaderSize3 = 9;
    private const int DirEntrySize3 = 5;
    private const int DirHeaderCount3 = 0;
    private const int DirHeaderStartBlock3 = 1;
    private const int DirEntryOffsetBit3 = 0;
    private const int DirEntryOffsetBits3 = 13;
    private const int DirEntryNameSize3 = 2;

    // 2.x directory header (4 bytes, packed: count:8 start_block:24) and entry (3 bytes: offset:13 type:3 size:8)
    private const int DirHeaderSize2 = 4;
    private const int DirEntrySize2 = 3;
    private const int DirHeaderStartBlockBit2 = 8;
    private const int DirHeaderStartBlockBits2 = 24;
    private const int DirEntryNameSize2 = 2;

    // fragment entry (4.0 and 3.x): start_block (64), size word (32), unused (32)
    private const int FragmentStartBlock = 0;
    private const int FragmentSize = 8;

    private readonly IBlob _image;
    private readonly long _base;
    private readonly ByteOrder _o;
    private readonly SquashFsCodec _codec;
    private readonly Dictionary<long, (byte[] Data, long Next)> _metadata = [];
    private readonly Dictionary<long, byte[]> _fragments = [];
    private readonly Dictionary<uint, byte[]> _fragmentDigests = [];
    private readonly System.Collections.Concurrent.ConcurrentBag<SquashFsCodec> _codecs = [];
    private readonly Queue<long> _fragmentOrder = new();
    private readonly int _metadataHeader;
    private long _cachedBytes;
    private uint _nextNumber;
    private uint[] _uids = [];
    private uint[] _gids = [];
    private readonly byte[] _compressed;

    public SquashFsImage(IBlob image, long baseOffset, SquashFsSuperBlock superBlock, CancellationToken cancellationToken)
    {
        _image = image;
        _base = baseOffset;
        Super = superBlock;
        _o = superBlock.Order;
        _codec = SquashFsCodec.For(superBlock.Compression);
        _metadataHeader = SquashFsLayout.MetadataHeaderSize + ((superBlock.Flags & SquashFsLayout.FlagCheck) != 0 && !superBlock.IsVersion4 ? 1 : 0);
        _compressed = new byte[SquashFsLayout.MetadataSize];
        CancellationToken = cancellationToken;
    }

    public SquashFsSuperBlock Super { get; }
    public CancellationToken CancellationToken { get; }
    public int BlockSize => (int)Super.BlockSize;
    public ByteOrder Order => _o;

    /// <summary>Reads raw (not metadata-framed) bytes of the image; false when they pass its end.</summary>
    public bool ReadRaw(long position, Span<byte> destination) => position >= 0 && _image.TryReadExactly(position, destination);

    public FormatException Error(long position, string message) => new(FormatId, checked(_base + position), message);

    public FormatException Error(long position, string message, Exception inner) => new(FormatId, checked(_base + position), message, inner);

    /// <summary>Reads the uid/gid tables (4.0: one id table in metadata blocks; 3.x: two plain arrays).</summary>
    public void LoadIds()
    {
        if (Super.IsVersion4)
        {
            _uids = ReadIdTable4(Super.IdTableStart, Super.IdCount);
            _gids = _uids;
            return;
        }
        _uids = ReadPlainIds(Super.IdTableStart, Super.IdCount, "uid");
        _gids = Super.GidCount > 0 ? ReadPlainIds(Super.GidTableStart, Super.GidCount, "guid") : [];
    }

    private uint[] ReadIdTable4(long start, int count)
    {
        var ids = new uint[count];
        var bytes = count * IdEntrySize;
        var blocks = (bytes + SquashFsLayout.MetadataSize - 1) / SquashFsLayout.MetadataSize;
        Span<byte> pointer = stackalloc byte[TablePointerSize];
        var raw = new byte[bytes];
        for (var i = 0; i < blocks; i++)
        {
            var at = checked(start + (i * TablePointerSize));
            if (!_image.TryReadExactly(at, pointer))
                throw Error(at, $"id table index entry {i} lies past the image end (0x{_image.Length:x}); the image is truncated");
            var block = (long)_o.U64(pointer, 0);
            var cursor = new MetadataCursor(block, 0);
            var n = Math.Min(SquashFsLayout.MetadataSize, bytes - (i * SquashFsLayout.MetadataSize));
            Read(ref cursor, raw.AsSpan(i * SquashFsLayout.MetadataSize, n), "id table");
        }
        for (var i = 0; i < count; i++)
            ids[i] = _o.U32(raw, i * IdEntrySize);
        return ids;
    }

    private uint[] ReadPlainIds(long start, int count, string what)
    {
        var raw = new byte[count * IdEntrySize];
        if (start < 0 || !_image.TryReadExactly(start, raw))
            throw Error(start, $"{what} table of {count} entries at 0x{start:x} lies past the image end (0x{_image.Length:x}); the image is truncated");
        var ids = new uint[count];
        for (var i = 0; i < count; i++)
            ids[i] = _o.U32(raw, i * IdEntrySize);
        return ids;
    }

    /// <summary>A metadata block: decompressed bytes and the position of the next block.</summary>
    private (byte[] Data, long Next) ReadMetadataBlock(long position, string table)
    {
        if (_metadata.TryGetValue(position, out var cached))
            return cached;
        CancellationToken.ThrowIfCancellationRequested();
        Span<byte> header = stackalloc byte[SquashFsLayout.MetadataHeaderSize];
        if (position < 0 || !_image.TryReadExactly(position, header))
            throw Error(position, $"{table} metadata block at 0x{position:x} lies past the image end (0x{_image.Length:x}); the image is truncated or the table pointer is corrupt");
        var word = _o.U16(header, 0);
        var stored = word & ~SquashFsLayout.MetadataUncompressed;
        var compressed = (word & SquashFsLayout.MetadataUncompressed) == 0;
        if (stored == 0 || stored > SquashFsLayout.MetadataSize)
            throw Error(position, $"{table} metadata block header 0x{word:x4} gives a stored size of {stored}; expected 1-{SquashFsLayout.MetadataSize}; the table is corrupt");
        var dataAt = checked(position + _metadataHeader);
        if (!_image.TryReadExactly(dataAt, _compressed.AsSpan(0, stored)))
            throw Error(position, $"{table} metadata block of {stored} bytes at 0x{position:x} runs past the image end (0x{_image.Length:x}); the image is truncated");
        byte[] data;
        if (compressed)
        {
            var output = ArrayPool<byte>.Shared.Rent(SquashFsLayout.MetadataSize);
            try
            {
                var n = Decompress(_compressed, stored, output.AsSpan(0, SquashFsLayout.MetadataSize), position, table + " metadata block");
                data = output.AsSpan(0, n).ToArray();
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(output);
            }
        }
        else
        {
            data = _compressed.AsSpan(0, stored).ToArray();
        }
        if (_cachedBytes > MaxCachedMetadataBytes)
        {
            _metadata.Clear();
            _cachedBytes = 0;
        }
        var block = (data, checked(dataAt + stored));
        _metadata[position] = block;
        _cachedBytes += data.Length;
        return block;
    }

    /// <summary>Reads <paramref name="destination"/>.Length bytes of a metadata table, crossing blocks as needed.</summary>
    public void Read(ref MetadataCursor cursor, Span<byte> destination, string table)
    {
        var done = 0;
        while (done < destination.Length)
        {
            var (data, next) = ReadMetadataBlock(cursor.Block, table);
            if (cursor.Offset > data.Length)
                throw Error(cursor.Block, $"{table} offset {cursor.Offset} lies past the {data.Length} bytes of the metadata block at 0x{cursor.Block:x}; the reference is corrupt");
            if (cursor.Offset == data.Length)
            {
                cursor = new MetadataCursor(next, 0);
                continue;
            }
            var n = Math.Min(destination.Length - done, data.Length - cursor.Offset);
            data.AsSpan(cursor.Offset, n).CopyTo(destination[done..]);
            done += n;
            cursor.Offset += n;
        }
    }

    /// <summary>Decompresses one block, turning any decoder failure into a <see cref="FormatException"/> naming the block.</summary>
    public int Decompress(byte[] source, int count, Span<byte> destination, long position, string what)
    {
        try
        {
            return _codec.Decompress(source, count, destination);
        }
        catch (Exception e) when (e is not OperationCanceledException and not FormatException)
        {
            throw Error(position, $"{what} at 0x{position:x} ({count} bytes, {_codec.Name}) does not decompress: {e.Message}; the image is corrupt", e);
        }
    }

    /// <summary>The inode at a reference of the inode table (block relative to the table start, offset in the block).</summary>
    public SquashFsInode ReadInode(long block, int offset)
    {
        if (block < 0 || block >= Super.DirectoryTableStart - Super.InodeTableStart || offset >= SquashFsLayout.MetadataSize)
            throw Error(Super.InodeTableStart, $"inode reference {block}:{offset} lies outside the inode table (0x{Super.DirectoryTableStart - Super.InodeTableStart:x} bytes); the directory is corrupt");
        var cursor = new MetadataCursor(checked(Super.InodeTableStart + block), offset);
        return Super.Major switch
        {
            4 => ReadInode4(cursor),
            2 => ReadInode2(cursor),
            1 => ReadInode1(cursor),
            _ => ReadInode3(cursor),
        };
    }

    private SquashFsInode ReadInode4(MetadataCursor cursor)
    {
        var at = cursor;
        Span<byte> h = stackalloc byte[MaxInodeHeaderSize];
        Read(ref cursor, h[..Inode4.BaseSize], "inode table");
        var type = _o.U16(h, Inode4.Type);
        var mode = _o.U16(h, Inode4.Mode) & Inode4.ModeMask;
        var uid = Id(_uids, _o.U16(h, Inode4.Uid), at, "uid");
        var gid = Id(_gids, _o.U16(h, Inode4.Gid), at, "gid");
        var mtime = (long)_o.U32(h, Inode4.Mtime);
        var number = _o.U32(h, Inode4.Number);
        void More(ref MetadataCursor c, Span<byte> header, int size) => Read(ref c, header[Inode4.BaseSize..size], "inode table");
        switch (type)
        {
            case Inode4.TypeDir:
                More(ref cursor, h, Inode4.DirSize);
                return new SquashFsInode(SquashFsInodeKind.Directory, mode, uid, gid, mtime, number)
                {
                    DirStartBlock = _o.U32(h, Inode4.DirStartBlock), DirSize = _o.U16(h, Inode4.DirFileSize), DirOffset = _o.U16(h, Inode4.DirOffset),
                };
            case Inode4.TypeLDir:
                More(ref cursor, h, Inode4.LDirSize);
                return new SquashFsInode(SquashFsInodeKind.Directory, mode, uid, gid, mtime, number)
                {
                    DirSize = _o.U32(h, Inode4.LDirFileSize), DirStartBlock = _o.U32(h, Inode4.LDirStartBlock), DirOffset = _o.U16(h, Inode4.LDirOffset),
                    Xattr = _o.U32(h, Inode4.LDirXattr),
                };
            case Inode4.TypeFile:
                More(ref cursor, h, Inode4.RegSize);
                return new SquashFsInode(SquashFsInodeKind.File, mode, uid, gid, mtime, number)
                {
                    StartBlock = _o.U32(h, Inode4.RegStartBlock), Fragment = _o.U32(h, Inode4.RegFragment), FragmentOffset = _o.U32(h, Inode4.RegOffset),
                    FileSize = _o.U32(h, Inode4.RegFileSize), BlockList = cursor,
                };
            case Inode4.TypeLFile:
                More(ref cursor, h, Inode4.LRegSize);
                var size = _o.U64(h, Inode4.LRegFileSize);
                if (size > long.MaxValue)
                    throw Error(at.Block, $"file inode {number} has a size of {size} bytes; the inode is corrupt");
                return new SquashFsInode(SquashFsInodeKind.File, mode, uid, gid, mtime, number)
                {
                    StartBlock = (long)Math.Min(_o.U64(h, Inode4.LRegStartBlock), long.MaxValue), FileSize = (long)size,
                    Fragment = _o.U32(h, Inode4.LRegFragment), FragmentOffset = _o.U32(h, Inode4.LRegOffset), BlockList = cursor,
                    Xattr = _o.U32(h, Inode4.LRegXattr),
                };
            case Inode4.TypeSymlink or Inode4.TypeLSymlink:
                More(ref cursor, h, Inode4.SymlinkSize);
                var target = ReadTarget(ref cursor, _o.U32(h, Inode4.SymlinkLength), at);
                var symlinkXattr = SquashFsLayout.NoXattr;
                if (type == Inode4.TypeLSymlink)
                {
                    // The extended symlink's xattr index follows the target.
                    Span<byte> word = stackalloc byte[4];
                    Read(ref cursor, word, "inode table");
                    symlinkXattr = _o.U32(word, 0);
                }
                return new SquashFsInode(SquashFsInodeKind.Symlink, mode, uid, gid, mtime, number) { Target = target, Xattr = symlinkXattr };
            case Inode4.TypeBlockDevice or Inode4.TypeCharDevice or Inode4.TypeLBlockDevice or Inode4.TypeLCharDevice:
                More(ref cursor, h, type is Inode4.TypeLBlockDevice or Inode4.TypeLCharDevice ? Inode4.LDevSize : Inode4.DevSize);
                var rdev = _o.U32(h, Inode4.DevRdev);
                return new SquashFsInode(type is Inode4.TypeBlockDevice or Inode4.TypeLBlockDevice ? SquashFsInodeKind.BlockDevice : SquashFsInodeKind.CharDevice, mode, uid, gid, mtime, number)
                {
                    // Linux new_encode_dev: minor low byte, major 12 bits, minor high 12 bits
                    Major = (rdev >> 8) & 0xfff, Minor = (rdev & 0xff) | ((rdev >> 12) & 0xfff00),
                    Xattr = type is Inode4.TypeLBlockDevice or Inode4.TypeLCharDevice ? _o.U32(h, Inode4.LDevXattr) : SquashFsLayout.NoXattr,
                };
            case Inode4.TypeFifo or Inode4.TypeSocket:
                return new SquashFsInode(type == Inode4.TypeFifo ? SquashFsInodeKind.Fifo : SquashFsInodeKind.Socket, mode, uid, gid, mtime, number);
            case Inode4.TypeLFifo or Inode4.TypeLSocket:
                More(ref cursor, h, Inode4.LIpcSize);
                return new SquashFsInode(type == Inode4.TypeLFifo ? SquashFsInodeKind.Fifo : SquashFsInodeKind.Socket, mode, uid, gid, mtime, number) { Xattr = _o.U32(h, Inode4.LIpcXattr) };
            default:
                throw Error(at.Block, $"inode {number} at {at.Block:x}:{at.Offset} has type {type}; expected 1-14; the inode table is corrupt");
        }
    }

    private SquashFsInode ReadInode3(MetadataCursor cursor)
    {
        var at = cursor;
        Span<byte> h = stackalloc byte[MaxInodeHeaderSize];
        Read(ref cursor, h[..Inode3.BaseSize], "inode table");
        var type = (int)_o.Bits(h, Inode3.TypeBit, Inode3.TypeBits);
        var mode = (int)_o.Bits(h, Inode3.ModeBit, Inode3.ModeBits);
        var uidIndex = (int)_o.Bits(h, Inode3.UidBit, Inode3.IdBits);
        var gidIndex = (int)_o.Bits(h, Inode3.GidBit, Inode3.IdBits);
        var uid = Id(_uids, uidIndex, at, "uid");
        var gid = gidIndex == SquashFsLayout.GidSameAsUid3 ? uid : Id(_gids, gidIndex, at, "guid");
        var mtime = (long)_o.U32(h, Inode3.Mtime);
        var number = _o.U32(h, Inode3.Number);
        void More(ref MetadataCursor c, Span<byte> header, int size) => Read(ref c, header[Inode3.BaseSize..size], "inode table");
        switch (type)
        {
            case Inode4.TypeDir:
                More(ref cursor, h, Inode3.DirSize);
                return new SquashFsInode(SquashFsInodeKind.Directory, mode, uid, gid, mtime, number)
                {
                    DirSize = _o.Bits(h, Inode3.DirFileSizeBit, Inode3.DirFileSizeBits), DirOffset = (int)_o.Bits(h, Inode3.DirOffsetBit, Inode3.DirOffsetBits),
                    DirStartBlock = _o.U32(h, Inode3.DirStartBlock),
                };
            case Inode4.TypeLDir:
                More(ref cursor, h, Inode3.LDirSize);
                return new SquashFsInode(SquashFsInodeKind.Directory, mode, uid, gid, mtime, number)
                {
                    DirSize = _o.Bits(h, Inode3.DirFileSizeBit, Inode3.LDirFileSizeBits), DirOffset = (int)_o.Bits(h, Inode3.LDirOffsetBit, Inode3.DirOffsetBits),
                    DirStartBlock = _o.U32(h, Inode3.LDirStartBlock),
                };
            case Inode4.TypeFile:
                More(ref cursor, h, Inode3.RegSize);
                return new SquashFsInode(SquashFsInodeKind.File, mode, uid, gid, mtime, number)
                {
                    StartBlock = (long)Math.Min(_o.U64(h, Inode3.RegStartBlock), long.MaxValue), Fragment = _o.U32(h, Inode3.RegFragment),
                    FragmentOffset = _o.U32(h, Inode3.RegOffset), FileSize = _o.U32(h, Inode3.RegFileSize), BlockList = cursor,
                };
            case Inode4.TypeLFile:
                More(ref cursor, h, Inode3.LRegSize);
                var size = _o.U64(h, Inode3.LRegFileSize);
                if (size > long.MaxValue)
                    throw Error(at.Block, $"file inode {number} has a size of {size} bytes; the inode is corrupt");
                return new SquashFsInode(SquashFsInodeKind.File, mode, uid, gid, mtime, number)
                {
                    StartBlock = (long)Math.Min(_o.U64(h, Inode3.LRegStartBlock), long.MaxValue), Fragment = _o.U32(h, Inode3.LRegFragment),
                    FragmentOffset = _o.U32(h, Inode3.LRegOffset), FileSize = (long)size, BlockList = cursor,
                };
            case Inode4.TypeSymlink:
                More(ref cursor, h, Inode3.SymlinkSize);
                return new SquashFsInode(SquashFsInodeKind.Symlink, mode, uid, gid, mtime, number) { Target = ReadTarget(ref cursor, _o.U16(h, Inode3.SymlinkLength), at) };
            case Inode4.TypeBlockDevice or Inode4.TypeCharDevice:
                More(ref cursor, h, Inode3.DevSize);
                var rdev = _o.U16(h, Inode3.DevRdev);
                return new SquashFsInode(type == Inode4.TypeBlockDevice ? SquashFsInodeKind.BlockDevice : SquashFsInodeKind.CharDevice, mode, uid, gid, mtime, number)
                {
                    Major = rdev >> 8, Minor = rdev & 0xff,
                };
            case Inode4.TypeFifo:
                return new SquashFsInode(SquashFsInodeKind.Fifo, mode, uid, gid, mtime, number);
            case Inode4.TypeSocket:
                return new SquashFsInode(SquashFsInodeKind.Socket, mode, uid, gid, mtime, number);
            default:
                throw Error(at.Block, $"inode {number} at {at.Block:x}:{at.Offset} has type {type}; expected 1-9; the inode table is corrupt");
        }
    }

    /// <summary>
    /// A 2.x inode. 2.x stores no inode numbers; like unsquashfs, inodes are numbered in the order
    /// they are read (the number only names the inode in messages).
    /// </summary>
    private SquashFsInode ReadInode2(MetadataCursor cursor)
    {
        var at = cursor;
        Span<byte> h = stackalloc byte[MaxInodeHeaderSize];
        Read(ref cursor, h[..Inode2.BaseSize], "inode table");
        var type = (int)_o.Bits(h, Inode3.TypeBit, Inode3.TypeBits);
        var mode = (int)_o.Bits(h, Inode3.ModeBit, Inode3.ModeBits);
        var uidIndex = (int)_o.Bits(h, Inode3.UidBit, Inode3.IdBits);
        var gidIndex = (int)_o.Bits(h, Inode3.GidBit, Inode3.IdBits);
        var uid = Id(_uids, uidIndex, at, "uid");
        var gid = gidIndex == SquashFsLayout.GidSameAsUid3 ? uid : Id(_gids, gidIndex, at, "guid");
        var number = ++_nextNumber;
        long mkfsTime = Super.MkfsTime;
        void More(ref MetadataCursor c, Span<byte> header, int size) => Read(ref c, header[Inode2.BaseSize..size], "inode table");
        switch (type)
        {
            case Inode4.TypeDir:
                More(ref cursor, h, Inode2.DirSize);
                return new SquashFsInode(SquashFsInodeKind.Directory, mode, uid, gid, _o.U32(h, Inode2.DirMtime), number)
                {
                    DirSize = _o.Bits(h, Inode2.DirFileSizeBit, Inode2.DirFileSizeBits), DirOffset = (int)_o.Bits(h, Inode2.DirOffsetBit, Inode2.DirOffsetBits),
                    DirStartBlock = _o.Bits(h, Inode2.DirStartBlockBit, Inode2.StartBlockBits),
                };
            case Inode4.TypeLDir:
                More(ref cursor, h, Inode2.LDirSize);
                return new SquashFsInode(SquashFsInodeKind.Directory, mode, uid, gid, _o.U32(h, Inode2.LDirMtime), number)
                {
                    DirSize = _o.Bits(h, Inode2.DirFileSizeBit, Inode2.LDirFileSizeBits), DirOffset = (int)_o.Bits(h, Inode2.LDirOffsetBit, Inode2.DirOffsetBits),
                    DirStartBlock = _o.Bits(h, Inode2.LDirStartBlockBit, Inode2.StartBlockBits),
                };
            case Inode4.TypeFile:
                More(ref cursor, h, Inode2.RegSize);
                return new SquashFsInode(SquashFsInodeKind.File, mode, uid, gid, _o.U32(h, Inode2.RegMtime), number)
                {
                    StartBlock = _o.U32(h, Inode2.RegStartBlock), Fragment = _o.U32(h, Inode2.RegFragment),
                    FragmentOffset = _o.U32(h, Inode2.RegOffset), FileSize = _o.U32(h, Inode2.RegFileSize), BlockList = cursor,
                };
            case Inode4.TypeSymlink:
                More(ref cursor, h, Inode2.SymlinkSize);
                return new SquashFsInode(SquashFsInodeKind.Symlink, mode, uid, gid, mkfsTime, number) { Target = ReadTarget(ref cursor, _o.U16(h, Inode2.SymlinkLength), at) };
            case Inode4.TypeBlockDevice or Inode4.TypeCharDevice:
                More(ref cursor, h, Inode2.DevSize);
                var rdev = _o.U16(h, Inode2.DevRdev);
                return new SquashFsInode(type == Inode4.TypeBlockDevice ? SquashFsInodeKind.BlockDevice : SquashFsInodeKind.CharDevice, mode, uid, gid, mkfsTime, number)
                {
                    Major = rdev >> 8, Minor = rdev & 0xff,
                };
            case Inode4.TypeFifo:
                return new SquashFsInode(SquashFsInodeKind.Fifo, mode, uid, gid, mkfsTime, number);
            case Inode4.TypeSocket:
                return new SquashFsInode(SquashFsInodeKind.Socket, mode, uid, gid, mkfsTime, number);
            default:
                throw Error(at.Block, $"2.x inode at {at.Block:x}:{at.Offset} has type {type}; expected 1-{Inode2.MaxType}; the inode table is corrupt");
        }
    }

    /// <summary>A 1.x inode (numbered in reading order, like 2.x).</summary>
    private SquashFsInode ReadInode1(MetadataCursor cursor)
    {
        var at = cursor;
        Span<byte> h = stackalloc byte[MaxInodeHeaderSize];
        Read(ref cursor, h[..Inode1.BaseSize], "inode table");
        var stored = (int)_o.Bits(h, Inode3.TypeBit, Inode3.TypeBits);
        var mode = (int)_o.Bits(h, Inode3.ModeBit, Inode3.ModeBits);
        var uidLow = (int)_o.Bits(h, Inode1.UidBit, Inode1.UidBits);
        var gidIndex = (int)_o.Bits(h, Inode1.GidBit, Inode1.UidBits);
        var number = ++_nextNumber;
        long mkfsTime = Super.MkfsTime;
        void More(ref MetadataCursor c, Span<byte> header, int size) => Read(ref c, header[Inode1.BaseSize..size], "inode table");
        int type, uidIndex;
        if (stored == Inode1.TypeIpc)
        {
            More(ref cursor, h, Inode1.IpcSize);
            type = (int)_o.Bits(h, Inode1.IpcTypeBit, Inode1.UidBits);
            if (type is not (Inode4.TypeFifo or Inode4.TypeSocket))
                throw Error(at.Block, $"1.x fifo/socket inode at {at.Block:x}:{at.Offset} has sub-type {type}; expected {Inode4.TypeFifo} or {Inode4.TypeSocket}; the inode table is corrupt");
            uidIndex = ((int)_o.Bits(h, Inode1.IpcOffsetBit, Inode1.UidBits) * Inode1.UidsPerType) + uidLow;
        }
        else
        {
            type = ((stored - 1) % Inode1.Types) + 1;
            uidIndex = ((stored - 1) / Inode1.Types * Inode1.UidsPerType) + uidLow;
        }
        var uid = Id(_uids, uidIndex, at, "uid");
        var gid = gidIndex == Inode1.GidSameAsUid ? uid : Id(_gids, gidIndex, at, "guid");
        switch (type)
        {
            case Inode4.TypeDir:
                More(ref cursor, h, Inode1.DirSize);
                return new SquashFsInode(SquashFsInodeKind.Directory, mode, uid, gid, _o.U32(h, Inode1.DirMtime), number)
                {
                    DirSize = _o.Bits(h, Inode1.DirFileSizeBit, Inode2.DirFileSizeBits), DirOffset = (int)_o.Bits(h, Inode1.DirOffsetBit, Inode2.DirOffsetBits),
                    DirStartBlock = _o.Bits(h, Inode1.DirStartBlockBit, Inode2.StartBlockBits),
                };
            case Inode4.TypeFile:
                More(ref cursor, h, Inode1.RegSize);
                return new SquashFsInode(SquashFsInodeKind.File, mode, uid, gid, _o.U32(h, Inode1.RegMtime), number)
                {
                    StartBlock = _o.U32(h, Inode1.RegStartBlock), FileSize = _o.U32(h, Inode1.RegFileSize), BlockList = cursor,
                };
            case Inode4.TypeSymlink:
                More(ref cursor, h, Inode1.SymlinkSize);
                return new SquashFsInode(SquashFsInodeKind.Symlink, mode, uid, gid, mkfsTime, number) { Target = ReadTarget(ref cursor, _o.U16(h, Inode1.SymlinkLength), at) };
            case Inode4.TypeBlockDevice or Inode4.TypeCharDevice:
                More(ref cursor, h, Inode1.DevSize);
                var rdev = _o.U16(h, Inode1.DevRdev);
                return new SquashFsInode(type == Inode4.TypeBlockDevice ? SquashFsInodeKind.BlockDevice : SquashFsInodeKind.CharDevice, mode, uid, gid, mkfsTime, number)
                {
                    Major = rdev >> 8, Minor = rdev & 0xff,
                };
            case Inode4.TypeFifo:
                return new SquashFsInode(SquashFsInodeKind.Fifo, mode, uid, gid, mkfsTime, number);
            default:
                return new SquashFsInode(SquashFsInodeKind.Socket, mode, uid, gid, mkfsTime, number);
        }
    }

    private long Id(uint[] table, int index, MetadataCursor at, string what)
    {
        if (index >= table.Length)
            throw Error(at.Block, $"inode at 0x{at.Block:x}:{at.Offset} has {what} index {index}; the table has {table.Length} entries; the inode is corrupt");
        return table[index];
    }

    private string ReadTarget(ref MetadataCursor cursor, uint length, MetadataCursor at)
    {
        if (length == 0 || length > SquashFsLayout.MaxSymlinkLength)
            throw Error(at.Block, $"symlink inode at 0x{at.Block:x}:{at.Offset} has a target of {length} bytes; expected 1-{SquashFsLayout.MaxSymlinkLength}; the inode is corrupt");
        var bytes = new byte[length];
        Read(ref cursor, bytes, "inode table");
        return DecodeName(bytes);
    }

    /// <summary>Names and targets are bytes; UTF-8 when they are valid UTF-8, else Latin-1 so that every byte survives.</summary>
    public static string DecodeName(ReadOnlySpan<byte> bytes)
    {
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (System.Text.DecoderFallbackException)
        {
            return System.Text.Encoding.Latin1.GetString(bytes);
        }
    }

    private static readonly System.Text.Encoding StrictUtf8 = new System.Text.UTF8Encoding(false, true);

    /// <summary>
    /// The entries of a directory inode. 4.0: headers (count-1, start_block, inode_number) each
    /// followed by up to 256 entries (offset, inode delta, type, size-1, name). 3.x: the packed
    /// 9-byte header and 5-byte entries.
    /// </summary>
    public List<SquashFsDirEntry> ReadDirectory(SquashFsInode dir, long maxEntries)
    {
        var entries = new List<SquashFsDirEntry>();
        var v2 = Super.HasDirectoryLayout2;
        var total = v2 ? dir.DirSize : dir.DirSize - SquashFsLayout.DirectorySizeBias;
        if (total <= 0)
            return entries;
        if (dir.DirStartBlock >= Super.BytesUsed - Super.DirectoryTableStart || dir.DirOffset >= SquashFsLayout.MetadataSize)
            throw Error(Super.DirectoryTableStart, $"directory inode {dir.Number} points at {dir.DirStartBlock}:{dir.DirOffset}, outside the directory table; the inode is corrupt");
        var cursor = new MetadataCursor(checked(Super.DirectoryTableStart + dir.DirStartBlock), dir.DirOffset);
        var v4 = Super.IsVersion4;
        Span<byte> h = stackalloc byte[DirHeaderSize4];
        Span<byte> name = stackalloc byte[SquashFsLayout.MaxNameLength + 1];
        long read = 0;
        while (read < total)
        {
            CancellationToken.ThrowIfCancellationRequested();
            var headerSize = v4 ? DirHeaderSize4 : v2 ? DirHeaderSize2 : DirHeaderSize3;
            Read(ref cursor, h[..headerSize], "directory table");
            read += headerSize;
            // the count is the first byte in 3.x and 2.x: an 8-bit field at bit 0 of either bit order
            var count = (v4 ? (long)_o.U32(h, DirHeaderCount4) : h[DirHeaderCount3]) + 1;
            var startBlock = v4 ? _o.U32(h, DirHeaderStartBlock4)
                : v2 ? _o.Bits(h, DirHeaderStartBlockBit2, DirHeaderStartBlockBits2)
                : _o.U32(h, DirHeaderStartBlock3);
            if (count > SquashFsLayout.MaxDirectoryCount)
                throw Error(cursor.Block, $"directory inode {dir.Number} has a header of {count} entries; expected at most {SquashFsLayout.MaxDirectoryCount}; the directory table is corrupt");
            if (entries.Count + count > maxEntries)
                throw Error(cursor.Block, $"directory inode {dir.Number} lists more than {maxEntries} entries (the file limit); the directory table is corrupt or hostile");
            for (var i = 0; i < count; i++)
            {
                int offset, size;
                if (v4)
                {
                    Read(ref cursor, h[..DirEntrySize4], "directory table");
                    offset = _o.U16(h, DirEntryOffset4);
                    size = _o.U16(h, DirEntryNameSize4) + 1;
                    read += DirEntrySize4;
                }
                else if (v2)
                {
                    Read(ref cursor, h[..DirEntrySize2], "directory table");
                    offset = (int)_o.Bits(h, DirEntryOffsetBit3, DirEntryOffsetBits3);
                    size = h[DirEntryNameSize2] + 1;
                    read += DirEntrySize2;
                }
                else
                {
                    Read(ref cursor, h[..DirEntrySize3], "directory table");
                    offset = (int)_o.Bits(h, DirEntryOffsetBit3, DirEntryOffsetBits3);
                    size = h[DirEntryNameSize3] + 1;
                    read += DirEntrySize3;
                }
                if (size > SquashFsLayout.MaxNameLength)
                    throw Error(cursor.Block, $"directory inode {dir.Number} has a name of {size} bytes; expected at most {SquashFsLayout.MaxNameLength}; the directory table is corrupt");
                Read(ref cursor, name[..size], "directory table");
                read += size;
                entries.Add(new SquashFsDirEntry(DecodeName(name[..size]), startBlock, offset));
            }
        }
        return entries;
    }

    /// <summary>The fragment entry (4.0 and 3.x: start_block(64), size(32), unused(32); 2.x: start_block(32), size(32)), read through the fragment index.</summary>
    public (long Start, uint Size) ReadFragmentEntry(uint index)
    {
        if (index >= Super.Fragments)
            throw Error(Super.FragmentTableStart, $"fragment index {index} is past the {Super.Fragments} fragments of the superblock; the inode is corrupt");
        var v2 = Super.IsVersion2;
        var entrySize = Super.IsVersion4 ? FragmentEntrySize4 : v2 ? FragmentEntrySize2 : FragmentEntrySize3;
        var pointerSize = v2 ? TablePointerSize2 : TablePointerSize;
        var byteIndex = (long)index * entrySize;
        var pointerAt = checked(Super.FragmentTableStart + (byteIndex / SquashFsLayout.MetadataSize * pointerSize));
        Span<byte> pointer = stackalloc byte[TablePointerSize];
        if (!_image.TryReadExactly(pointerAt, pointer[..pointerSize]))
            throw Error(pointerAt, $"fragment index pointer for fragment {index} lies past the image end (0x{_image.Length:x}); the image is truncated");
        var block = v2 ? _o.U32(pointer, 0) : (long)Math.Min(_o.U64(pointer, 0), long.MaxValue);
        var cursor = new MetadataCursor(block, (int)(byteIndex % SquashFsLayout.MetadataSize));
        Span<byte> entry = stackalloc byte[FragmentEntrySize4];
        Read(ref cursor, entry[..entrySize], "fragment table");
        if (v2)
            return (_o.U32(entry, FragmentStartBlock), _o.U32(entry, FragmentSize2));
        return ((long)Math.Min(_o.U64(entry, FragmentStartBlock), long.MaxValue), _o.U32(entry, FragmentSize));
    }

    /// <summary>
    /// SHA-256 of a fragment block as stored (its size word, then its stored bytes), for the packed
    /// identity of the files whose tails it holds; null when the block lies outside the image.
    /// </summary>
    public byte[]? StoredFragmentDigest(uint index)
    {
        if (_fragmentDigests.TryGetValue(index, out var known))
            return known;
        var (start, size) = ReadFragmentEntry(index);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(word, size);
        hash.AppendData(word);
        if (!HashStored(hash, start, size))
            return null;
        var digest = hash.GetHashAndReset();
        _fragmentDigests[index] = digest;
        return digest;
    }

    /// <summary>Adds the stored bytes of the data or fragment block at <paramref name="position"/> to <paramref name="hash"/>; false when they lie outside the image.</summary>
    public bool HashStored(IncrementalHash hash, long position, uint sizeWord)
    {
        var stored = (int)(sizeWord & ~SquashFsLayout.DataUncompressed);
        if ((sizeWord >> 25) != 0 || stored > BlockSize || stored == 0 || position < 0 || position > _image.Length - stored)
            return false;
        var buffer = ArrayPool<byte>.Shared.Rent(stored);
        try
        {
            if (!_image.TryReadExactly(position, buffer.AsSpan(0, stored)))
                return false;
            hash.AppendData(buffer, 0, stored);
            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The decompressed fragment block (a few are cached: small files share them).</summary>
    public byte[] ReadFragmentBlock(uint index)
    {
        var (start, size) = ReadFragmentEntry(index);
        if (_fragments.TryGetValue(start, out var cached))
            return cached;
        var output = new byte[BlockSize];
        var n = ReadDataBlock(start, size, output, $"fragment block {index}");
        var block = n == output.Length ? output : output.AsSpan(0, n).ToArray();
        const int MaxCachedFragments = 8;
        if (_fragmentOrder.Count >= MaxCachedFragments)
            _fragments.Remove(_fragmentOrder.Dequeue());
        _fragments[start] = block;
        _fragmentOrder.Enqueue(start);
        return block;
    }

    /// <summary>
    /// Reads and decompresses one data or fragment block whose size word is
    /// <paramref name="sizeWord"/>; returns the bytes written. Thread-safe: data blocks of one file
    /// are decoded ahead on worker threads, each with a codec from a pool.
    /// </summary>
    public int ReadDataBlock(long position, uint sizeWord, Span<byte> destination, string what)
    {
        var stored = (int)(sizeWord & ~SquashFsLayout.DataUncompressed);
        var uncompressed = (sizeWord & SquashFsLayout.DataUncompressed) != 0;
        if ((sizeWord >> 25) != 0 || stored > BlockSize || stored == 0)
            throw Error(position, $"{what} has a size word 0x{sizeWord:x8}; expected a stored size of 1-{BlockSize} bytes; the block list is corrupt");
        if (position < 0 || position > _image.Length - stored)
            throw Error(position, $"{what} of {stored} bytes at 0x{position:x} runs past the image end (0x{_image.Length:x}); the image is truncated");
        CancellationToken.ThrowIfCancellationRequested();
        if (uncompressed)
        {
            if (stored > destination.Length)
                throw Error(position, $"{what} stores {stored} bytes uncompressed; expected at most {destination.Length}; the block list is corrupt");
            _image.ReadExactly(position, destination[..stored]);
            return stored;
        }
        var input = ArrayPool<byte>.Shared.Rent(stored);
        if (!_codecs.TryTake(out var codec))
            codec = SquashFsCodec.For(Super.Compression);
        try
        {
            _image.ReadExactly(position, input.AsSpan(0, stored));
            return codec.Decompress(input, stored, destination);
        }
        catch (Exception e) when (e is not OperationCanceledException and not FormatException)
        {
            throw Error(position, $"{what} at 0x{position:x} ({stored} bytes, {codec.Name}) does not decompress: {e.Message}; the image is corrupt", e);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(input);
            _codecs.Add(codec);
        }
    }
}
