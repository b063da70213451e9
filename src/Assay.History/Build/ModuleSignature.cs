using System.Buffers.Binary;
using Assay.Core.Content;

namespace Assay.History.Build;

/// <summary>
/// The signature Linux appends to a kernel module (<c>scripts/sign-file</c>): the module's bytes,
/// then a PKCS#7 (CMS SignedData, detached) signature, then <c>struct module_signature</c>, then the
/// magic string. Only a trailer that passes the kernel's own checks (<c>mod_check_sig</c>) counts
/// as a signature; anything else ending in the magic is data.
/// <code>
/// struct module_signature {      /* include/linux/module_signature.h */
///     u8 algo;        /* 0 for PKCS#7 */
///     u8 hash;        /* 0 for PKCS#7 */
///     u8 id_type;     /* PKEY_ID_PKCS7 = 2 */
///     u8 signer_len;  /* 0 for PKCS#7 */
///     u8 key_id_len;  /* 0 for PKCS#7 */
///     u8 __pad[3];
///     __be32 sig_len; /* length of the signature data before this struct */
/// };
/// ... 30 82 02 a5 06 09 2a 86 48 86 f7 0d 01 07 02 ...   signature (DER, OID 1.2.840.113549.1.7.2)
/// 00 00 02 00 00 00 00 00 00 00 02 a9                     module_signature: id_type 2, sig_len 0x2a9
/// 7e 4d 6f 64 75 6c 65 20 73 69 67 6e 61 74 75 72 65 20 61 70 70 65 6e 64 65 64 7e 0a   "~Module signature appended~\n"
/// </code>
/// </summary>
internal static class ModuleSignature
{
    /// <summary>MODULE_SIG_STRING with its newline (include/linux/module_signature.h).</summary>
    public static ReadOnlySpan<byte> Magic => "~Module signature appended~\n"u8;

    public const int StructLength = 12;
    private const int AlgoOffset = 0, HashOffset = 1, IdTypeOffset = 2, SignerLenOffset = 3, KeyIdLenOffset = 4, SigLenOffset = 8;
    private const byte PkeyIdPkcs7 = 2;

    /// <summary>The DER of OID 1.2.840.113549.1.7.2 (id-signedData), which a CMS ContentInfo names near its start.</summary>
    internal static ReadOnlySpan<byte> SignedDataOid => [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02];

    /// <summary>Bytes at the start of a DER SEQUENCE in which the content type OID must appear (tag, up to 5 length bytes, the OID).</summary>
    private const int OidSearchBytes = 24;

    /// <summary>The appended signature of a module: where the module content ends and how long the trailer is.</summary>
    internal readonly record struct Trailer(long ContentLength, long TrailerLength, int SignatureLength);

    /// <summary>The trailer of <paramref name="blob"/>, or null when it has none that the kernel would accept as PKCS#7.</summary>
    public static Trailer? TryRead(IBlob blob)
    {
        var fixedTail = StructLength + Magic.Length;
        if (blob.Length < fixedTail + 1)
            return null;
        Span<byte> tail = stackalloc byte[StructLength + 28];
        if (!blob.TryReadExactly(blob.Length - fixedTail, tail))
            return null;
        if (!tail[StructLength..].SequenceEqual(Magic))
            return null;
        var info = tail[..StructLength];
        if (info[IdTypeOffset] != PkeyIdPkcs7 || info[AlgoOffset] != 0 || info[HashOffset] != 0 || info[SignerLenOffset] != 0 || info[KeyIdLenOffset] != 0)
            return null;
        var sigLen = BinaryPrimitives.ReadUInt32BigEndian(info[SigLenOffset..]);
        if (sigLen == 0 || sigLen > blob.Length - fixedTail)
            return null;
        var signatureStart = blob.Length - fixedTail - sigLen;
        var head = blob.ReadBytes(signatureStart, (int)Math.Min(sigLen, OidSearchBytes));
        if (!IsCmsSignedData(head))
            return null;
        return new Trailer(signatureStart, sigLen + fixedTail, (int)sigLen);
    }

    /// <summary>A DER SEQUENCE whose first bytes name id-signedData: the ContentInfo of a CMS/PKCS#7 signature.</summary>
    internal static bool IsCmsSignedData(ReadOnlySpan<byte> head) =>
        head.Length > 2 && head[0] == 0x30 && head[..Math.Min(head.Length, OidSearchBytes)].IndexOf(SignedDataOid) > 0;
}
