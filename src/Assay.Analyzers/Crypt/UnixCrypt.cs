using System.Security.Cryptography;
using System.Text;

namespace Assay.Analyzers.Crypt;

// MD5 here recomputes an existing MD5-crypt hash to test a known password; it protects nothing.
#pragma warning disable CA5351

/// <summary>
/// crypt(3) schemes found in firmware password files, to try known default passwords against them:
/// traditional DES (13 characters), MD5-crypt (<c>$1$</c>, poul-henning kamp's FreeBSD scheme),
/// SHA-256-crypt (<c>$5$</c>) and SHA-512-crypt (<c>$6$</c>) as specified by Ulrich Drepper
/// ("Unix crypt using SHA-256 and SHA-512", 2008). yescrypt (<c>$y$</c>) and bcrypt are recognised
/// by <see cref="Scheme"/> but not computed.
/// </summary>
internal static class UnixCrypt
{
    private const string Itoa64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    /// <summary>Largest SHA-crypt round count tried (the default is 5000); costlier hashes are not attacked.</summary>
    public const int MaxShaRounds = 5000;

    /// <summary>des, md5, sha256, sha512, yescrypt, bcrypt, other.</summary>
    public static string Scheme(string hash) => hash switch
    {
        _ when hash.StartsWith("$1$", StringComparison.Ordinal) => "md5",
        _ when hash.StartsWith("$5$", StringComparison.Ordinal) => "sha256",
        _ when hash.StartsWith("$6$", StringComparison.Ordinal) => "sha512",
        _ when hash.StartsWith("$y$", StringComparison.Ordinal) => "yescrypt",
        _ when hash.StartsWith("$2", StringComparison.Ordinal) => "bcrypt",
        _ when hash.Length == 13 && hash.All(c => Itoa64.Contains(c, StringComparison.Ordinal)) => "des",
        _ => "other",
    };

    /// <summary>True when <paramref name="password"/> hashes to <paramref name="hash"/>; false for schemes not computed.</summary>
    public static bool Verify(string password, string hash)
    {
        var computed = Scheme(hash) switch
        {
            "des" => Des(password, hash[..2]),
            "md5" => Md5(password, hash),
            "sha256" => Sha(password, hash, 256),
            "sha512" => Sha(password, hash, 512),
            _ => null,
        };
        return computed is not null && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(computed), Encoding.ASCII.GetBytes(hash));
    }

    // ---- MD5-crypt ----

    /// <summary>MD5-crypt of <paramref name="password"/> with the salt of <paramref name="setting"/> (<c>$1$salt$...</c>).</summary>
    public static string Md5(string password, string setting)
    {
        var salt = SaltOf(setting, "$1$", 8);
        var pw = Encoding.UTF8.GetBytes(password);
        var s = Encoding.ASCII.GetBytes(salt);
        var alt = MD5.HashData([.. pw, .. s, .. pw]);
        using var ctx = new MemoryStream();
        ctx.Write(pw);
        ctx.Write("$1$"u8);
        ctx.Write(s);
        for (var pl = pw.Length; pl > 0; pl -= 16)
            ctx.Write(alt, 0, Math.Min(pl, 16));
        for (var i = pw.Length; i != 0; i >>= 1)
            ctx.WriteByte((i & 1) != 0 ? (byte)0 : pw.Length > 0 ? pw[0] : (byte)0);
        var final = MD5.HashData(ctx.ToArray());
        // The 1000 rounds on one reusable hash (no buffer per round: a shadow file tried against the
        // default-password list ran thousands of them).
        using var round = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        for (var i = 0; i < 1000; i++)
        {
            round.AppendData((i & 1) != 0 ? pw : final);
            if (i % 3 != 0) round.AppendData(s);
            if (i % 7 != 0) round.AppendData(pw);
            round.AppendData((i & 1) != 0 ? final : pw);
            round.GetHashAndReset(final);
        }
        var sb = new StringBuilder("$1$").Append(salt).Append('$');
        To64(sb, final[0], final[6], final[12], 4);
        To64(sb, final[1], final[7], final[13], 4);
        To64(sb, final[2], final[8], final[14], 4);
        To64(sb, final[3], final[9], final[15], 4);
        To64(sb, final[4], final[10], final[5], 4);
        To64(sb, 0, 0, final[11], 2);
        return sb.ToString();
    }

    // ---- SHA-crypt ----

    private static readonly int[] Sha256Order = [0, 10, 20, 21, 1, 11, 12, 22, 2, 3, 13, 23, 24, 4, 14, 15, 25, 5, 6, 16, 26, 27, 7, 17, 18, 28, 8, 9, 19, 29];
    private static readonly int[] Sha512Order =
    [
        0, 21, 42, 22, 43, 1, 44, 2, 23, 3, 24, 45, 25, 46, 4, 47, 5, 26, 6, 27, 48, 28, 49, 7, 50, 8, 29, 9, 30, 51, 31, 52, 10,
        53, 11, 32, 12, 33, 54, 34, 55, 13, 56, 14, 35, 15, 36, 57, 37, 58, 16, 59, 17, 38, 18, 39, 60, 40, 61, 19, 62, 20, 41,
    ];

    /// <summary>SHA-256/512-crypt; null when the round count exceeds <see cref="MaxShaRounds"/>.</summary>
    public static string? Sha(string password, string setting, int bits)
    {
        var prefix = bits == 256 ? "$5$" : "$6$";
        var rest = setting[3..];
        var rounds = 5000;
        var explicitRounds = false;
        if (rest.StartsWith("rounds=", StringComparison.Ordinal))
        {
            var end = rest.IndexOf('$', StringComparison.Ordinal);
            if (end < 0 || !long.TryParse(rest.AsSpan(7, end - 7), out var r))
                return null;
            rounds = (int)Math.Clamp(r, 1000, 999_999_999);
            explicitRounds = true;
            rest = rest[(end + 1)..];
        }
        if (rounds > MaxShaRounds)
            return null;
        var dollar = rest.IndexOf('$', StringComparison.Ordinal);
        var salt = (dollar < 0 ? rest : rest[..dollar]);
        if (salt.Length > 16)
            salt = salt[..16];
        Func<byte[], byte[]> h = bits == 256 ? SHA256.HashData : SHA512.HashData;
        var size = bits / 8;
        var p = Encoding.UTF8.GetBytes(password);
        var s = Encoding.ASCII.GetBytes(salt);
        var b = h([.. p, .. s, .. p]);
        using var a = new MemoryStream();
        a.Write(p);
        a.Write(s);
        var cnt = p.Length;
        for (; cnt > size; cnt -= size)
            a.Write(b);
        a.Write(b, 0, cnt);
        for (cnt = p.Length; cnt > 0; cnt >>= 1)
            a.Write((cnt & 1) != 0 ? b : p);
        var digest = h(a.ToArray());
        using var dpStream = new MemoryStream();
        for (var i = 0; i < p.Length; i++)
            dpStream.Write(p);
        var dp = h(dpStream.ToArray());
        var pSeq = Repeat(dp, p.Length);
        using var dsStream = new MemoryStream();
        for (var i = 0; i < 16 + digest[0]; i++)
            dsStream.Write(s);
        var sSeq = Repeat(h(dsStream.ToArray()), s.Length);
        using var round = IncrementalHash.CreateHash(bits == 256 ? HashAlgorithmName.SHA256 : HashAlgorithmName.SHA512);
        for (var i = 0; i < rounds; i++)
        {
            round.AppendData((i & 1) != 0 ? pSeq : digest);
            if (i % 3 != 0) round.AppendData(sSeq);
            if (i % 7 != 0) round.AppendData(pSeq);
            round.AppendData((i & 1) != 0 ? digest : pSeq);
            round.GetHashAndReset(digest);
        }
        var sb = new StringBuilder(prefix);
        if (explicitRounds)
            sb.Append("rounds=").Append(rounds).Append('$');
        sb.Append(salt).Append('$');
        var order = bits == 256 ? Sha256Order : Sha512Order;
        for (var i = 0; i < order.Length; i += 3)
            To64(sb, digest[order[i]], digest[order[i + 1]], digest[order[i + 2]], 4);
        if (bits == 256)
            To64(sb, 0, digest[31], digest[30], 3);
        else
            To64(sb, 0, 0, digest[63], 2);
        return sb.ToString();
    }

    private static byte[] Repeat(byte[] block, int length)
    {
        var result = new byte[length];
        for (var i = 0; i < length; i++)
            result[i] = block[i % block.Length];
        return result;
    }

    private static string SaltOf(string setting, string prefix, int max)
    {
        var rest = setting.StartsWith(prefix, StringComparison.Ordinal) ? setting[prefix.Length..] : setting;
        var end = rest.IndexOf('$', StringComparison.Ordinal);
        var salt = end < 0 ? rest : rest[..end];
        return salt.Length > max ? salt[..max] : salt;
    }

    private static void To64(StringBuilder sb, byte b2, byte b1, byte b0, int n)
    {
        var w = (b2 << 16) | (b1 << 8) | b0;
        for (var i = 0; i < n; i++)
        {
            sb.Append(Itoa64[w & 0x3f]);
            w >>= 6;
        }
    }

    // ---- traditional DES crypt (Seventh Edition UNIX crypt.c layout, one bit per byte) ----

    private static readonly byte[] Pc1 = [57, 49, 41, 33, 25, 17, 9, 1, 58, 50, 42, 34, 26, 18, 10, 2, 59, 51, 43, 35, 27, 19, 11, 3, 60, 52, 44, 36, 63, 55, 47, 39, 31, 23, 15, 7, 62, 54, 46, 38, 30, 22, 14, 6, 61, 53, 45, 37, 29, 21, 13, 5, 28, 20, 12, 4];
    private static readonly byte[] Pc2 = [14, 17, 11, 24, 1, 5, 3, 28, 15, 6, 21, 10, 23, 19, 12, 4, 26, 8, 16, 7, 27, 20, 13, 2, 41, 52, 31, 37, 47, 55, 30, 40, 51, 45, 33, 48, 44, 49, 39, 56, 34, 53, 46, 42, 50, 36, 29, 32];
    private static readonly byte[] Shifts = [1, 1, 2, 2, 2, 2, 2, 2, 1, 2, 2, 2, 2, 2, 2, 1];
    private static readonly byte[] Ip = [58, 50, 42, 34, 26, 18, 10, 2, 60, 52, 44, 36, 28, 20, 12, 4, 62, 54, 46, 38, 30, 22, 14, 6, 64, 56, 48, 40, 32, 24, 16, 8, 57, 49, 41, 33, 25, 17, 9, 1, 59, 51, 43, 35, 27, 19, 11, 3, 61, 53, 45, 37, 29, 21, 13, 5, 63, 55, 47, 39, 31, 23, 15, 7];
    private static readonly byte[] Fp = [40, 8, 48, 16, 56, 24, 64, 32, 39, 7, 47, 15, 55, 23, 63, 31, 38, 6, 46, 14, 54, 22, 62, 30, 37, 5, 45, 13, 53, 21, 61, 29, 36, 4, 44, 12, 52, 20, 60, 28, 35, 3, 43, 11, 51, 19, 59, 27, 34, 2, 42, 10, 50, 18, 58, 26, 33, 1, 41, 9, 49, 17, 57, 25];
    private static readonly byte[] EBox = [32, 1, 2, 3, 4, 5, 4, 5, 6, 7, 8, 9, 8, 9, 10, 11, 12, 13, 12, 13, 14, 15, 16, 17, 16, 17, 18, 19, 20, 21, 20, 21, 22, 23, 24, 25, 24, 25, 26, 27, 28, 29, 28, 29, 30, 31, 32, 1];
    private static readonly byte[] PBox = [16, 7, 20, 21, 29, 12, 28, 17, 1, 15, 23, 26, 5, 18, 31, 10, 2, 8, 24, 14, 32, 27, 3, 9, 19, 13, 30, 6, 22, 11, 4, 25];
    private static readonly byte[][] SBox =
    [
        [14, 4, 13, 1, 2, 15, 11, 8, 3, 10, 6, 12, 5, 9, 0, 7, 0, 15, 7, 4, 14, 2, 13, 1, 10, 6, 12, 11, 9, 5, 3, 8, 4, 1, 14, 8, 13, 6, 2, 11, 15, 12, 9, 7, 3, 10, 5, 0, 15, 12, 8, 2, 4, 9, 1, 7, 5, 11, 3, 14, 10, 0, 6, 13],
        [15, 1, 8, 14, 6, 11, 3, 4, 9, 7, 2, 13, 12, 0, 5, 10, 3, 13, 4, 7, 15, 2, 8, 14, 12, 0, 1, 10, 6, 9, 11, 5, 0, 14, 7, 11, 10, 4, 13, 1, 5, 8, 12, 6, 9, 3, 2, 15, 13, 8, 10, 1, 3, 15, 4, 2, 11, 6, 7, 12, 0, 5, 14, 9],
        [10, 0, 9, 14, 6, 3, 15, 5, 1, 13, 12, 7, 11, 4, 2, 8, 13, 7, 0, 9, 3, 4, 6, 10, 2, 8, 5, 14, 12, 11, 15, 1, 13, 6, 4, 9, 8, 15, 3, 0, 11, 1, 2, 12, 5, 10, 14, 7, 1, 10, 13, 0, 6, 9, 8, 7, 4, 15, 14, 3, 11, 5, 2, 12],
        [7, 13, 14, 3, 0, 6, 9, 10, 1, 2, 8, 5, 11, 12, 4, 15, 13, 8, 11, 5, 6, 15, 0, 3, 4, 7, 2, 12, 1, 10, 14, 9, 10, 6, 9, 0, 12, 11, 7, 13, 15, 1, 3, 14, 5, 2, 8, 4, 3, 15, 0, 6, 10, 1, 13, 8, 9, 4, 5, 11, 12, 7, 2, 14],
        [2, 12, 4, 1, 7, 10, 11, 6, 8, 5, 3, 15, 13, 0, 14, 9, 14, 11, 2, 12, 4, 7, 13, 1, 5, 0, 15, 10, 3, 9, 8, 6, 4, 2, 1, 11, 10, 13, 7, 8, 15, 9, 12, 5, 6, 3, 0, 14, 11, 8, 12, 7, 1, 14, 2, 13, 6, 15, 0, 9, 10, 4, 5, 3],
        [12, 1, 10, 15, 9, 2, 6, 8, 0, 13, 3, 4, 14, 7, 5, 11, 10, 15, 4, 2, 7, 12, 9, 5, 6, 1, 13, 14, 0, 11, 3, 8, 9, 14, 15, 5, 2, 8, 12, 3, 7, 0, 4, 10, 1, 13, 11, 6, 4, 3, 2, 12, 9, 5, 15, 10, 11, 14, 1, 7, 6, 0, 8, 13],
        [4, 11, 2, 14, 15, 0, 8, 13, 3, 12, 9, 7, 5, 10, 6, 1, 13, 0, 11, 7, 4, 9, 1, 10, 14, 3, 5, 12, 2, 15, 8, 6, 1, 4, 11, 13, 12, 3, 7, 14, 10, 15, 6, 8, 0, 5, 9, 2, 6, 11, 13, 8, 1, 4, 10, 7, 9, 5, 0, 15, 14, 2, 3, 12],
        [13, 2, 8, 4, 6, 15, 11, 1, 10, 9, 3, 14, 5, 0, 12, 7, 1, 15, 13, 8, 10, 3, 7, 4, 12, 5, 6, 11, 0, 14, 9, 2, 7, 11, 4, 1, 9, 12, 14, 2, 0, 6, 10, 13, 15, 3, 5, 8, 2, 1, 14, 7, 4, 10, 8, 13, 15, 12, 9, 0, 3, 5, 6, 11],
    ];

    /// <summary>Traditional DES crypt: the first 8 characters of the password, 2 salt characters, 25 DES encryptions of zero.</summary>
    public static string Des(string password, string salt)
    {
        var block = new byte[66];
        var pw = Encoding.Latin1.GetBytes(password);
        for (int i = 0, k = 0; k < pw.Length && i < 64; k++)
        {
            for (var j = 0; j < 7; j++, i++)
                block[i] = (byte)((pw[k] >> (6 - j)) & 1);
            i++;
        }
        var ks = KeySchedule(block);
        var e = (byte[])EBox.Clone();
        var iobuf = new StringBuilder(13);
        for (var i = 0; i < 2; i++)
        {
            int c = i < salt.Length ? salt[i] : '.';
            iobuf.Append((char)c);
            if (c > 'Z') c -= 6;
            if (c > '9') c -= 7;
            c -= '.';
            for (var j = 0; j < 6; j++)
            {
                if (((c >> j) & 1) != 0)
                    (e[6 * i + j], e[6 * i + j + 24]) = (e[6 * i + j + 24], e[6 * i + j]);
            }
        }
        Array.Clear(block);
        for (var i = 0; i < 25; i++)
            Encrypt(block, ks, e);
        for (var i = 0; i < 11; i++)
        {
            var c = 0;
            for (var j = 0; j < 6; j++)
                c = (c << 1) | block[6 * i + j];
            c += '.';
            if (c > '9') c += 7;
            if (c > 'Z') c += 6;
            iobuf.Append((char)c);
        }
        return iobuf.ToString();
    }

    private static byte[][] KeySchedule(byte[] key)
    {
        var c = new byte[28];
        var d = new byte[28];
        for (var i = 0; i < 28; i++)
        {
            c[i] = key[Pc1[i] - 1];
            d[i] = key[Pc1[i + 28] - 1];
        }
        var ks = new byte[16][];
        for (var i = 0; i < 16; i++)
        {
            for (var k = 0; k < Shifts[i]; k++)
            {
                var tc = c[0];
                Array.Copy(c, 1, c, 0, 27);
                c[27] = tc;
                var td = d[0];
                Array.Copy(d, 1, d, 0, 27);
                d[27] = td;
            }
            ks[i] = new byte[48];
            for (var j = 0; j < 24; j++)
            {
                ks[i][j] = c[Pc2[j] - 1];
                ks[i][j + 24] = d[Pc2[j + 24] - 28 - 1];
            }
        }
        return ks;
    }

    private static void Encrypt(byte[] block, byte[][] ks, byte[] e)
    {
        var lr = new byte[64];
        for (var j = 0; j < 64; j++)
            lr[j] = block[Ip[j] - 1];
        var preS = new byte[48];
        var f = new byte[32];
        var tempL = new byte[32];
        for (var i = 0; i < 16; i++)
        {
            Array.Copy(lr, 32, tempL, 0, 32);
            for (var j = 0; j < 48; j++)
                preS[j] = (byte)(lr[32 + e[j] - 1] ^ ks[i][j]);
            for (var j = 0; j < 8; j++)
            {
                var t = 6 * j;
                var k = SBox[j][(preS[t] << 5) + (preS[t + 1] << 3) + (preS[t + 2] << 2) + (preS[t + 3] << 1) + (preS[t + 4] << 0) + (preS[t + 5] << 4)];
                t = 4 * j;
                f[t] = (byte)((k >> 3) & 1);
                f[t + 1] = (byte)((k >> 2) & 1);
                f[t + 2] = (byte)((k >> 1) & 1);
                f[t + 3] = (byte)(k & 1);
            }
            for (var j = 0; j < 32; j++)
                lr[32 + j] = (byte)(lr[j] ^ f[PBox[j] - 1]);
            Array.Copy(tempL, 0, lr, 0, 32);
        }
        for (var j = 0; j < 32; j++)
            (lr[j], lr[32 + j]) = (lr[32 + j], lr[j]);
        for (var j = 0; j < 64; j++)
            block[j] = lr[Fp[j] - 1];
    }
}
