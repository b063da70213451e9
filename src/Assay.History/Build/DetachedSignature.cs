using System.Text;
using Assay.Core.Content;

namespace Assay.History.Build;

/// <summary>
/// A file that is only a signature of another file: named like one (<c>.sig</c>, <c>.asc</c>,
/// <c>.p7s</c>, <c>.sign</c>, <c>.minisig</c>) and holding one in a format that says so: an
/// OpenPGP signature packet (RFC 4880 §4.2, §5.2: tag 2, binary or ASCII-armored), a CMS/PKCS#7
/// SignedData (DER or PEM), an OpenSSH signature (<c>-----BEGIN SSH SIGNATURE-----</c>), or a
/// signify/minisign signature (<c>untrusted comment:</c> then base64). A <c>.sig</c> holding
/// anything else (raw RSA bytes cannot be told from data) is not one.
/// </summary>
internal static class DetachedSignature
{
    private static readonly string[] Extensions = [".sig", ".asc", ".p7s", ".sign", ".minisig"];
    private const int HeadBytes = 64;

    // RFC 4880 §4.2: old-format packet header 10TTTTLL (tag 2 -> 0x88..0x8b); new format 11TTTTTT (tag 2 -> 0xc2).
    private const byte OldFormatSignatureMask = 0xfc, OldFormatSignature = 0x88, NewFormatSignature = 0xc2;

    /// <summary>The kind of signature the file holds (<c>openpgp</c>, <c>cms</c>, <c>ssh</c>, <c>signify</c>), or null.</summary>
    public static string? Classify(string fileName, IBlob content)
    {
        if (!Extensions.Any(e => fileName.EndsWith(e, StringComparison.OrdinalIgnoreCase)) || content.Length < 2)
            return null;
        var head = content.ReadBytes(0, (int)Math.Min(HeadBytes, content.Length));
        var text = Encoding.ASCII.GetString(head);
        if (text.StartsWith("-----BEGIN PGP SIGNATURE-----", StringComparison.Ordinal))
            return "openpgp";
        if (text.StartsWith("-----BEGIN PKCS7-----", StringComparison.Ordinal) || text.StartsWith("-----BEGIN CMS-----", StringComparison.Ordinal))
            return "cms";
        if (text.StartsWith("-----BEGIN SSH SIGNATURE-----", StringComparison.Ordinal))
            return "ssh";
        if (text.StartsWith("untrusted comment: ", StringComparison.Ordinal) && text.Contains('\n', StringComparison.Ordinal))
            return "signify";
        if (ModuleSignature.IsCmsSignedData(head))
            return "cms";
        if (((head[0] & OldFormatSignatureMask) == OldFormatSignature || head[0] == NewFormatSignature) && OpenPgpVersion(head) is >= 3 and <= 6)
            return "openpgp";
        return null;
    }

    /// <summary>The version octet of a signature packet (after its length field), or -1.</summary>
    private static int OpenPgpVersion(byte[] head)
    {
        int bodyStart;
        if (head[0] == NewFormatSignature)
            bodyStart = head[1] < 192 ? 2 : head[1] < 224 ? 3 : head[1] == 255 ? 6 : -1;
        else
            bodyStart = (head[0] & 0x03) switch { 0 => 2, 1 => 3, 2 => 5, _ => -1 };
        return bodyStart > 0 && bodyStart < head.Length ? head[bodyStart] : -1;
    }
}
