using System.Buffers.Binary;
using System.Security.Cryptography;
using Assay.Core.Content;
using Assay.Core.Formats;
using FormatException = Assay.Core.Formats.FormatException;

namespace Assay.Formats.Vendor;

/// <summary>
/// D-Link SHRS firmware (DIR-3040, DIR-X and other recent models): a header with three SHA-512
/// digests and two signatures, then the firmware encrypted with AES-128-CBC under a key that is the
/// same for the product line and public. The digest of the cipher text decides the match; the image
/// is decrypted and its plain-text digest checked before it is listed.
/// </summary>
/// <remarks>
/// Layout (big-endian; as unblob's handlers/archive/dlink/shrs.py reads it):
/// <code>
/// char magic[4] "SHRS" @0; u32 file_size @4 (decrypted length, padded to 16); u32 file_size_no_padding @8;
/// u8 iv[16] @0x0c; u8 sha512(decrypted || key)[64] @0x1c; u8 sha512(decrypted)[64] @0x5c;
/// u8 sha512(encrypted)[64] @0x9c; u8 unused[512] @0xdc; u8 signature_1[512] @0x2dc; u8 signature_2[512] @0x4dc;
/// cipher text @0x6dc
/// </code>
/// The digests cover file_size_no_padding bytes.
/// </remarks>
internal sealed class DlinkShrsHandler : IFormatHandler<DlinkShrsHandler.State>
{
    private const int HeaderLength = 0x6dc;
    private const int SizeOffset = 4;
    private const int PlainSizeOffset = 8;
    private const int IvOffset = 0x0c;
    private const int DecryptedDigestOffset = 0x5c;
    private const int EncryptedDigestOffset = 0x9c;
    private const int DigestLength = 64;
    private const int Block = 16;

    /// <summary>The SHRS key of the D-Link product line, published with the format's analyses (unblob, binwalk).</summary>
    private static readonly byte[] Key = Convert.FromHexString("c05fbf1936c99429ce2a0781f08d6ad8");

    public string Id => "dlink-shrs";
    public string Description => "D-Link SHRS encrypted firmware (SHA-512 verified, AES-128-CBC decrypted with the product line's public key)";
    public FormatCategory Category => FormatCategory.Firmware;
    public IReadOnlyList<MagicSignature> Magics { get; } = [MagicSignature.Ascii("SHRS")];
    public IReadOnlyList<string> References { get; } = ["unblob handlers/archive/dlink/shrs.py (header layout, key)", "binwalk v3 src/structures/shrs.rs"];

    public IReadOnlyList<string> Limitations { get; } =
    [
        "the two signatures are not verified (D-Link's public key is not shipped)",
        "images encrypted under another key are reported as encrypted (the plain-text digest does not match) and not listed",
        "layout from public analyses; no vendor sample is in the test fixtures (they are made by an own writer)",
    ];

    internal sealed record State(uint Size, uint PlainSize, byte[] Iv, byte[] DecryptedDigest);

    public FormatMatch<State>? TryMatch(IBlob blob, long offset)
    {
        var h = blob.ReadBytes(offset, HeaderLength);
        if (h.Length < HeaderLength || !h.AsSpan(0, 4).SequenceEqual("SHRS"u8))
            return null;
        var size = BinaryPrimitives.ReadUInt32BigEndian(h.AsSpan(SizeOffset));
        var plain = BinaryPrimitives.ReadUInt32BigEndian(h.AsSpan(PlainSizeOffset));
        if (size == 0 || size % Block != 0 || plain == 0 || plain > size || size - plain >= Block + 1)
            return null;
        if (HeaderLength + (long)size > blob.Length - offset)
            return null;
        var digest = Sha512(blob.Slice(offset + HeaderLength, plain));
        if (!digest.AsSpan().SequenceEqual(h.AsSpan(EncryptedDigestOffset, DigestLength)))
            return null;
        return new FormatMatch<State>(offset, HeaderLength + (long)size, $"D-Link SHRS, {plain} bytes of firmware, AES-128-CBC, cipher text SHA-512 verified", new State(size, plain, h.AsSpan(IvOffset, Block).ToArray(), h.AsSpan(DecryptedDigestOffset, DigestLength).ToArray()));
    }

    public void Unpack(IBlob chunk, FormatMatch<State> match, IUnpackContext context)
    {
        var s = match.State;
        if (s.Size > context.Limits.MaxFileBytes)
            throw new LimitExceededException("maxFileBytes", $"dlink-shrs at 0x{match.Offset:x}: {s.Size} bytes of firmware exceed the file limit");
        // Decrypt once to check the plain-text digest, then hand the same decryption to the scan.
        using (var check = Decrypt(chunk, s))
        {
            if (!Sha512(check, s.PlainSize).AsSpan().SequenceEqual(s.DecryptedDigest))
            {
                context.AddError($"{Id}: the decrypted firmware does not match its SHA-512 at 0x{DecryptedDigestOffset:x}; the image is encrypted under another key and is not listed", match.Offset + DecryptedDigestOffset);
                return;
            }
        }
        using var plain = new BoundedStream(Decrypt(chunk, s), s.PlainSize);
        context.AddFile(new EntryMeta("firmware.decrypted"), plain, s.Size);
    }

    private static CryptoStream Decrypt(IBlob chunk, State s)
    {
        var aes = Aes.Create();
        aes.Key = Key;
        aes.IV = s.Iv;
        aes.Mode = CipherMode.CBC;
        aes.Padding = PaddingMode.None;
        return new CryptoStream(chunk.Slice(HeaderLength, s.Size).OpenStream(), aes.CreateDecryptor(), CryptoStreamMode.Read, leaveOpen: false);
    }

    private static byte[] Sha512(IBlob blob) => Sha512(blob.OpenStream(), blob.Length);

    private static byte[] Sha512(Stream stream, long length)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA512);
        var buffer = new byte[1 << 16];
        long done = 0;
        while (done < length)
        {
            var n = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, length - done));
            if (n <= 0)
                break;
            sha.AppendData(buffer, 0, n);
            done += n;
        }
        return sha.GetHashAndReset();
    }

    /// <summary>The first <paramref name="length"/> bytes of a stream (the padding after the firmware is not part of it).</summary>
    private sealed class BoundedStream(Stream inner, long length) : Stream
    {
        private long _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => length;
        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = inner.Read(buffer, offset, (int)Math.Min(count, length - _position));
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
