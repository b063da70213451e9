using System.Buffers.Binary;
using Assay.Core.Content;
using Assay.Core.Formats;
using Assay.Core.Pipeline;

namespace Assay.Formats.Vendor;

/// <summary>
/// Encrypted firmware containers whose key Assay does not hold: the header is recognised, the
/// payload's extent and entropy reported, and nothing is unpacked — so an evaluation says
/// "encrypted image" where it would otherwise say "unknown data".
/// </summary>
/// <remarks>
/// <code>
/// D-Link encrpted_img (DIR-8xx, DIR-X, M-series): "encrpted_img" (12 bytes), u32 big-endian payload size, payload
/// 00000000  65 6e 63 72 70 74 65 64  5f 69 6d 67 00 a0 00 00  |encrpted_img....|
/// OpenSSL enc (openssl enc -salt; used by several vendors' update tools): "Salted__", 8-byte salt, cipher text to the end
/// 00000000  53 61 6c 74 65 64 5f 5f  3c 9a 1e ...             |Salted__&lt;..|
/// </code>
/// </remarks>
public sealed class EncryptedImageHandler : IFormatHandler
{
    private const int EncrptedImgHeader = 16;
    private const int SaltedHeader = 16;

    /// <summary>Bytes the entropy is measured over at most (from the payload start).</summary>
    private const long EntropySample = 16L << 20;

    public string Id => "encrypted-image";
    public string Description => "encrypted firmware container (D-Link encrpted_img, OpenSSL enc \"Salted__\"): reported with the payload's entropy, not decrypted";
    public FormatCategory Category => FormatCategory.Firmware;
    public IReadOnlyList<MagicSignature> Magics { get; } = [MagicSignature.Ascii("encrpted_img"), MagicSignature.Ascii("Salted__")];
    public IReadOnlyList<string> References { get; } = ["unblob handlers/archive/dlink/encrpted_img.py (header layout)", "OpenSSL apps/enc.c (\"Salted__\" magic and 8-byte salt)"];

    public IReadOnlyList<string> Limitations { get; } =
    [
        "nothing is decrypted: the keys are per vendor and device family (for D-Link SHRS, whose key is public, see dlink-shrs)",
        "the entropy is measured over the first 16 MiB of the payload",
        "an OpenSSL \"Salted__\" payload has no length: it runs to the next recognised chunk",
    ];

    public FormatMatch? TryMatch(IBlob blob, long offset)
    {
        var h = blob.ReadBytes(offset, EncrptedImgHeader);
        if (h.Length < EncrptedImgHeader)
            return null;
        if (h.AsSpan(0, 12).SequenceEqual("encrpted_img"u8))
        {
            var size = BinaryPrimitives.ReadUInt32BigEndian(h.AsSpan(12));
            if (size == 0 || size % 16 != 0)
                return null;
            var available = blob.Length - offset - EncrptedImgHeader;
            var present = Math.Min(size, available);
            var entropy = Entropy(blob, offset + EncrptedImgHeader, present);
            return new FormatMatch(offset, size <= available ? EncrptedImgHeader + (long)size : null,
                $"D-Link encrpted_img, AES-encrypted firmware of {size} bytes, entropy {entropy:0.000} bits/byte" + (size > available ? $", truncated ({available} present)" : "") + "; not decrypted");
        }
        if (h.AsSpan(0, 8).SequenceEqual("Salted__"u8))
        {
            var payload = blob.Length - offset - SaltedHeader;
            if (payload < 16)
                return null;
            var entropy = Entropy(blob, offset + SaltedHeader, payload);
            // Cipher text is incompressible: a "Salted__" followed by low-entropy bytes is text that mentions it.
            if (entropy < 7.0 && payload >= 4096)
                return null;
            return new FormatMatch(offset, null, $"OpenSSL enc encrypted data, salt {Convert.ToHexStringLower(h.AsSpan(8, 8))}, entropy {entropy:0.000} bits/byte; not decrypted");
        }
        return null;
    }

    public void Unpack(IBlob chunk, FormatMatch match, IUnpackContext context)
    {
        // Nothing to list: the payload is cipher text. The match description carries what is known.
    }

    private static double Entropy(IBlob blob, long offset, long length) => Math.Round(Carver.Entropy(blob, offset, Math.Min(length, EntropySample)), 3);
}
