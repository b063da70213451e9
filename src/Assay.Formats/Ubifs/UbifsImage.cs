using System.Buffers.Binary;
using System.IO.Compression;
using Assay.Core.Content;
using FormatException = Assay.Core.Formats.FormatException;

namespace Assay.Formats.Ubifs;

/// <summary>Reads and checks nodes of one UBIFS image (a UBI volume or a mkfs.ubifs output) by LEB and offset.</summary>
internal sealed class UbifsImage(IBlob blob, UbifsSuperblock superblock, int branchHashLength) : IDisposable
{
    internal const string FormatId = "ubifs";

    /// <summary>The largest node: an inode node with 4096 bytes of data.</summary>
    private const int MaxLeafNodeLength = UbifsInode.HeaderSize + UbifsInode.MaxDataLength;

    private const int NodeAlignment = 8;

    private readonly ZstdSharp.Decompressor _zstd = new();

    public UbifsSuperblock Superblock { get; } = superblock;

    /// <summary>Bytes of one index branch: lnum, offs, len, 8-byte key and (authenticated images) a hash.</summary>
    public int BranchSize { get; } = UbifsIndexNode.BranchFixedSize + UbifsKey.Size + branchHashLength;

    public long Position(int lnum, int offset) => ((long)lnum * Superblock.LebSize) + offset;

    /// <summary>Reads the node of type <paramref name="type"/> and length <paramref name="length"/> at LEB <paramref name="lnum"/>, checking magic, length, type and CRC.</summary>
    public byte[] ReadNode(int lnum, int offset, int length, byte type)
    {
        var position = Position(lnum, offset);
        var maxLength = type == UbifsNodeType.Index
            ? UbifsIndexNode.HeaderSize + ((long)Superblock.Fanout * BranchSize)
            : MaxLeafNodeLength;
        if (lnum < 0 || lnum >= Superblock.LebCount || offset < 0 || offset % NodeAlignment != 0 || length < UbifsCommonHeader.Size
            || length > maxLength || offset > Superblock.LebSize - length)
        {
            throw new FormatException(FormatId, Math.Max(0, position), $"node reference LEB {lnum} offset 0x{offset:x} length {length} is outside the {Superblock.LebCount} LEBs of {Superblock.LebSize} bytes or not 8-byte aligned; the index is damaged");
        }

        if (position > blob.Length - length)
            throw new FormatException(FormatId, position, $"node at LEB {lnum} offset 0x{offset:x} lies past the end of the image (0x{blob.Length:x}); the image is truncated");
        var node = new byte[length];
        blob.ReadExactly(position, node);
        var header = UbifsCommonHeader.Read(node)
            ?? throw new FormatException(FormatId, position, $"no node magic 0x{UbifsCommonHeader.Magic:x8} at LEB {lnum} offset 0x{offset:x}; the index points at erased or foreign data");
        if (header.Length != length || header.NodeType != type)
            throw new FormatException(FormatId, position, $"node at LEB {lnum} offset 0x{offset:x} has type {header.NodeType} and len {header.Length}, the index expects type {type} and len {length}; the index is damaged");
        if (!UbifsCommonHeader.CrcMatches(node))
            throw new FormatException(FormatId, position, $"node CRC mismatch at LEB {lnum} offset 0x{offset:x} (type {type}); the node is corrupt");
        return node;
    }

    /// <summary>Decodes the data node <paramref name="node"/> into <paramref name="block"/> (4096 bytes); returns the uncompressed size.</summary>
    public int DecodeBlock(byte[] node, Span<byte> block, long position)
    {
        if (node.Length < UbifsDataNode.HeaderSize)
            throw new FormatException(FormatId, position, $"data node of {node.Length} bytes is shorter than its {UbifsDataNode.HeaderSize}-byte header");
        var size = BinaryPrimitives.ReadUInt32LittleEndian(node.AsSpan(UbifsDataNode.SizeOffset));
        var compressor = BinaryPrimitives.ReadUInt16LittleEndian(node.AsSpan(UbifsDataNode.CompressorOffset));
        if (size > UbifsDataNode.BlockSize)
            throw new FormatException(FormatId, position, $"data node size {size} exceeds the {UbifsDataNode.BlockSize}-byte block; the node is corrupt");
        var packed = node.AsSpan(UbifsDataNode.HeaderSize);
        var target = block[..(int)size];
        int produced;
        try
        {
            switch (compressor)
            {
                case UbifsDataNode.None:
                    if (packed.Length < size)
                        throw new InvalidDataException($"only {packed.Length} stored bytes");
                    packed[..(int)size].CopyTo(target);
                    produced = (int)size;
                    break;
                case UbifsDataNode.Lzo:
                    produced = Lzo1x.Decompress(packed, target);
                    break;
                case UbifsDataNode.Zlib:
                    produced = Inflate(node, UbifsDataNode.HeaderSize, target);
                    break;
                case UbifsDataNode.Zstd:
                    produced = _zstd.Unwrap(packed, target);
                    break;
                default:
                    throw new FormatException(FormatId, position, $"data node compressor {compressor} is unknown (0 none, 1 lzo, 2 zlib, 3 zstd); the node is corrupt or from a newer UBIFS");
            }
        }
        catch (Exception e) when (e is not (FormatException or OperationCanceledException or OutOfMemoryException))
        {
            throw new FormatException(FormatId, position, $"data node (compressor {compressor}) does not decompress to its {size} bytes ({e.Message}); the node is corrupt", e);
        }

        if (produced != size)
            throw new FormatException(FormatId, position, $"data node decompressed to {produced} bytes, its header says {size}; the node is corrupt");
        return produced;
    }

    public void Dispose() => _zstd.Dispose();

    /// <summary>UBIFS "zlib" is a raw deflate stream (windowBits -15).</summary>
    private static int Inflate(byte[] node, int start, Span<byte> target)
    {
        using var input = new MemoryStream(node, start, node.Length - start, writable: false);
        using var deflate = new DeflateStream(input, CompressionMode.Decompress);
        var done = 0;
        while (done < target.Length)
        {
            var n = deflate.Read(target[done..]);
            if (n == 0)
                break;
            done += n;
        }

        return done;
    }
}
