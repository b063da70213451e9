using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using System.Text.Json;
using Assay.Analyzers.Rules;
using Assay.Core.Model;
using Assay.Core.Plugins;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Pkcs;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Security.Certificates;
using Org.BouncyCastle.X509;

namespace Assay.Analyzers;

/// <summary>
/// Secrets shipped in the image: private keys (PEM PKCS#1/PKCS#8/SEC1, OpenSSH, Dropbear), X.509
/// certificates (expired, weak key, MD5/SHA-1 signature, self-signed outside a trust store), cloud
/// and API tokens by their published patterns, and default credentials stated in documents.
/// TS 33.117 §4.2.3.4.2.3 (no preinstalled keys or default attributes) and §4.2.3.2.2.
/// Evidence names the kind and place, never the secret; fingerprints are SHA-256: of the
/// SubjectPublicKeyInfo DER for PEM keys, OpenSSH style (<c>SHA256:base64</c>) for SSH keys, of the
/// matched value for tokens.
/// </summary>
/// <remarks>
/// Limitations: files above 1 MiB and ELF/compressed/archive content are not searched for tokens
/// (tokens compiled into binaries are missed); PuTTY and JKS key stores are not recognised; at most
/// Files under a CA trust store path, and bundles of more than three certificates, are trust anchors
/// and not judged.
/// </remarks>
public sealed class SecretsAnalyzer : IInspector
{
    private const int MaxTextBytes = 1 << 20;
    private const int MaxDropbearBytes = 16 << 10;

    private const int MaxPemBody = 64 << 10;
    private const int MaxFindingsPerRule = 50;

    // Each pattern runs only where one of its markers occurs (a vectorized search for a few fixed
    // strings is far cheaper than the automaton), and is built the first time a marker occurs:
    // building the nine non-backtracking automata took ~0.13 s of CPU, which every scan paid at
    // start-up even when no text file held a marker. A marker is a string every match holds, in
    // the case the pattern asks for: case-sensitive where the pattern is (`string.Contains` with
    // OrdinalIgnoreCase falls back to a character-by-character loop under invariant globalization,
    // which the command runs with; it was a third of this analyzer's time).
    private static readonly (string Rule, string Kind, SearchValues<string> Markers, Lazy<Assay.Core.Text.GuardedRegex> Pattern)[] Tokens =
    [
        ("ASSAY-SECRET-CLOUD-KEY-ID", "AWS access key id", Exact("AKIA"), Make(@"\bAKIA[A-Z0-9]{16}\b")),
        ("ASSAY-SECRET-CLOUD-KEY-ID", "AWS access key id", Exact("ASIA"), Make(@"\bASIA[A-Z0-9]{16}\b")),
        ("ASSAY-SECRET-CLOUD-SECRET", "AWS secret access key", AnyCase("secret"), Make(@"(?i:aws_?secret_?(?:access_?)?key)[""']?\s*[=:]\s*[""']?([A-Za-z0-9/+=]{40})\b")),
        ("ASSAY-SECRET-API-TOKEN", "GitHub token", Exact("ghp_", "gho_", "ghu_", "ghs_", "ghr_"), Make(@"\bgh[pousr]_[A-Za-z0-9]{36}\b")),
        ("ASSAY-SECRET-API-TOKEN", "GitLab token", Exact("glpat-"), Make(@"\bglpat-[A-Za-z0-9_\-]{20}\b")),
        ("ASSAY-SECRET-API-TOKEN", "Slack token", Exact("xox"), Make(@"\bxox[abposr]-[A-Za-z0-9\-]{10,72}")),
        ("ASSAY-SECRET-API-TOKEN", "Google API key", Exact("AIza"), Make(@"\bAIza[0-9A-Za-z_\-]{35}\b")),
        ("ASSAY-SECRET-API-TOKEN", "Stripe live key", Exact("k_live_"), Make(@"\b[sr]k_live_[0-9A-Za-z]{24,99}\b")),
        ("ASSAY-SECRET-DEFAULT-CREDENTIALS", "default credentials", AnyCase("default"), Make(@"(?i:\bdefault\s+(?:credentials?|passwords?|logins?|user\s*(?:name)?\s*(?:/|and)\s*password))\s*(?:is|are|:|=)\s*[^\r\n]{1,80}")),
    ];

    private static SearchValues<string> Exact(params string[] markers) => SearchValues.Create(markers, StringComparison.Ordinal);

    private static SearchValues<string> AnyCase(string marker) => SearchValues.Create([marker], StringComparison.OrdinalIgnoreCase);

    private readonly TimeProvider _clock;

    public SecretsAnalyzer()
        : this(TimeProvider.System)
    {
    }

    /// <summary>With the clock that decides whether a certificate has expired.</summary>
    public SecretsAnalyzer(TimeProvider clock) => _clock = clock;

    public string Id => "secrets";

    /// <summary>
    /// What it reports about a file depends on the file alone; the one judgment that depends on the
    /// day (an expired certificate) is made in <see cref="Complete"/> from a fact, so results are
    /// cached by content.
    /// </summary>
    public bool CacheableByContent => true;

    private const string ExpiryFact = "certificate-expiry";

    /// <summary>When a certificate expires, and the finding's evidence, line and fingerprint should it have.</summary>
    internal sealed record Expiry(DateTime NotAfter, string Evidence, int Line, string Fingerprint);

    public void Complete(IReadOnlyList<FileRecord> files, InspectionSink sink)
    {
        var now = _clock.GetUtcNow().UtcDateTime;
        foreach (var fact in sink.FactsOf(Id))
        {
            if (fact.Kind != ExpiryFact || JsonSerializer.Deserialize(fact.Data, FactsJson.Default.Expiry) is not { } expiry)
                continue;
            if (expiry.NotAfter < now)
                sink.Add(RuleCatalog.Finding("ASSAY-CERT-EXPIRED", fact.Path, expiry.Evidence, expiry.Line, expiry.Fingerprint));
        }
    }

    private static Lazy<Assay.Core.Text.GuardedRegex> Make(string pattern) => new(() => Patterns.Bounded(pattern), LazyThreadSafetyMode.ExecutionAndPublication);

    public bool Wants(FileRecord file)
    {
        var cls = file.Type?.Class;
        if (cls is "elf" or "pe" or "macho" or "compressed" or "archive" or "filesystem" or "image" or "empty")
            return false;
        // Binary data: only small files (Dropbear keys) and DER certificates by name.
        if (cls == "data")
            return (file.Size ?? 0) <= MaxDropbearBytes || LooksLikeDerCertificateName(file.Path);
        return (file.Size ?? 0) <= MaxTextBytes;
    }

    public void Inspect(InspectedFile file, InspectionSink sink)
    {
        var bytes = file.ReadBytes(MaxTextBytes);
        sink.Checked("ASSAY-SECRET-PRIVATE-KEY");
        if (bytes.Length <= MaxDropbearBytes && TryDropbear(bytes) is { } dropbear)
        {
            sink.Add(RuleCatalog.Finding("ASSAY-SECRET-PRIVATE-KEY", file.Path, $"Dropbear private key ({dropbear.Type})", secretFingerprint: dropbear.Fingerprint,
                title: $"Dropbear private key ({dropbear.Type}) shipped in the image"));
            return;
        }
        if (!Core.Identification.FileType.IsText(bytes.AsSpan(0, Math.Min(bytes.Length, 4096))))
        {
            if (file.Record.Type?.Class == "data" && LooksLikeDerCertificateName(file.InnerPath))
                Certificates(file, [(bytes, 0)], sink);
            return;
        }
        var text = Encoding.UTF8.GetString(bytes);
        sink.Checked(TextRules);
        var certificates = new List<(byte[] Der, int Line)>();
        var certificateBlocks = 0;
        var lines = new LineCounter(text);
        foreach (var (label, body, index) in PemBlocks(text))
        {
            var line = lines.LineOf(index);
            if (label == "CERTIFICATE" || label == "TRUSTED CERTIFICATE")
            {
                if (++certificateBlocks <= 3 && TryBase64(body) is { } der)
                    certificates.Add((der, line));
            }
            else if (label.EndsWith("PRIVATE KEY", StringComparison.Ordinal))
                PrivateKey(file.Path, label, body, line, sink);
        }
        // Trust stores (by path, or bundles of more than three certificates) hold anchors, which are not judged.
        if (certificates.Count > 0 && certificateBlocks <= 3 && !IsTrustStore(file.InnerPath))
            Certificates(file, certificates, sink);
        foreach (var (rule, kind, markers, pattern) in Tokens)
        {
            if (!text.AsSpan().ContainsAny(markers))
                continue;
            var tokenLines = new LineCounter(text);
            // A file full of tokens is one finding's worth of news, not fifty thousand.
            foreach (var m in pattern.Value.Spans(text, MaxFindingsPerRule))
            {
                var value = text.Substring(m.Index, m.Length);
                var secret = rule == "ASSAY-SECRET-CLOUD-SECRET" ? value[Math.Max(0, value.Length - 40)..] : value;
                var evidence = rule == "ASSAY-SECRET-DEFAULT-CREDENTIALS" ? MaskCredentials(value) : $"{kind}: {Mask(secret)}";
                sink.Add(RuleCatalog.Finding(rule, file.Path, evidence, tokenLines.LineOf(m.Index), Sha256Hex(secret), title: rule == "ASSAY-SECRET-API-TOKEN" ? $"{kind} in a file of the image" : null));
            }
        }
    }

    /// <summary>The rules every text file is searched for (besides ASSAY-SECRET-PRIVATE-KEY, which binary files get too).</summary>
    private static readonly string[] TextRules = ["ASSAY-SECRET-PRIVATE-KEY-ENCRYPTED", .. Tokens.Select(t => t.Rule).Distinct(StringComparer.Ordinal)];

    // ---- private keys ----

    private static void PrivateKey(string path, string label, string body, int line, InspectionSink sink)
    {
        var encrypted = label.StartsWith("ENCRYPTED", StringComparison.Ordinal) || body.Contains("Proc-Type: 4,ENCRYPTED", StringComparison.Ordinal);
        string description;
        string? fingerprint = null;
        if (label == "OPENSSH PRIVATE KEY")
        {
            var info = TryBase64(body) is { } blob ? OpenSsh(blob) : null;
            encrypted = info?.Encrypted ?? encrypted;
            description = $"OpenSSH private key{(info is null ? "" : $" ({info.Value.Type})")}";
            fingerprint = info?.Fingerprint;
        }
        else
        {
            var der = encrypted ? null : TryBase64(StripHeaders(body));
            var (kind, spki) = der is null ? (null, null) : Describe(label, der);
            description = $"PEM {label}{(kind is null ? "" : $" ({kind})")}";
            if (spki is not null)
                fingerprint = Sha256Hex(spki);
        }
        if (encrypted)
            sink.Add(RuleCatalog.Finding("ASSAY-SECRET-PRIVATE-KEY-ENCRYPTED", path, $"-----BEGIN {label}----- (encrypted) {description}", line, fingerprint));
        else
            sink.Add(RuleCatalog.Finding("ASSAY-SECRET-PRIVATE-KEY", path, $"-----BEGIN {label}----- {description}", line, fingerprint,
                title: $"Unencrypted private key shipped in the image ({description})"));
    }

    /// <summary>Key type and size and the DER SubjectPublicKeyInfo of a PEM private key, or nulls when it does not parse.</summary>
    private static (string? Kind, byte[]? Spki) Describe(string label, byte[] der)
    {
        try
        {
            // RSA: the public key is (n, e) read from the structure; BouncyCastle's key objects would
            // validate the modulus (a costly primality check) for no gain here.
            RsaPrivateKeyStructure? rsaKey = label switch
            {
                "RSA PRIVATE KEY" => RsaPrivateKeyStructure.GetInstance(der),
                "PRIVATE KEY" when PrivateKeyInfo.GetInstance(der) is var info && info.PrivateKeyAlgorithm.Algorithm.Equals(PkcsObjectIdentifiers.RsaEncryption)
                    => RsaPrivateKeyStructure.GetInstance(info.ParsePrivateKey()),
                _ => null,
            };
            if (rsaKey is not null)
            {
                var spki = new SubjectPublicKeyInfo(new AlgorithmIdentifier(PkcsObjectIdentifiers.RsaEncryption, Org.BouncyCastle.Asn1.DerNull.Instance),
                    new RsaPublicKeyStructure(rsaKey.Modulus, rsaKey.PublicExponent));
                return ($"RSA {rsaKey.Modulus.BitLength}", spki.GetDerEncoded());
            }
            AsymmetricKeyParameter key = label switch
            {
                "EC PRIVATE KEY" => throw new NotSupportedException("SEC1 keys carry no algorithm identifier here"),
                _ => PrivateKeyFactory.CreateKey(der),
            };
            var pub = key switch
            {
                ECPrivateKeyParameters ec => (AsymmetricKeyParameter)new ECPublicKeyParameters(ec.AlgorithmName, ec.Parameters.G.Multiply(ec.D).Normalize(), ec.Parameters),
                Ed25519PrivateKeyParameters ed => ed.GeneratePublicKey(),
                DsaPrivateKeyParameters dsa => new DsaPublicKeyParameters(dsa.Parameters.G.ModPow(dsa.X, dsa.Parameters.P), dsa.Parameters),
                _ => null,
            };
            var kind = key switch
            {
                ECPrivateKeyParameters ec => $"EC {ec.Parameters.Curve.FieldSize}",
                Ed25519PrivateKeyParameters => "Ed25519",
                DsaPrivateKeyParameters dsa => $"DSA {dsa.Parameters.P.BitLength}",
                _ => key.GetType().Name,
            };
            return (kind, pub is null ? null : SubjectPublicKeyInfoFactory.CreateSubjectPublicKeyInfo(pub).GetDerEncoded());
        }
        catch (Exception e) when (e is ArgumentException or InvalidCastException or InvalidOperationException or NotSupportedException or IOException or SecurityUtilityException or FormatException)
        {
            return (null, null);
        }
    }

    /// <summary>openssh-key-v1 (OpenSSH PROTOCOL.key): magic, cipher, kdf, kdf options, key count, public key blobs, private section.</summary>
    private static (string Type, string Fingerprint, bool Encrypted)? OpenSsh(byte[] blob)
    {
        var magic = "openssh-key-v1\0"u8;
        if (blob.Length < magic.Length || !blob.AsSpan(0, magic.Length).SequenceEqual(magic))
            return null;
        var p = magic.Length;
        if (SshString(blob, ref p) is not { } cipher || SshString(blob, ref p) is null || SshString(blob, ref p) is null || p + 4 > blob.Length)
            return null;
        p += 4; // number of keys
        if (SshString(blob, ref p) is not { } pub)
            return null;
        var q = 0;
        var type = SshString(pub, ref q) is { } t ? Encoding.ASCII.GetString(t) : "unknown";
        return (type, SshFingerprint(pub), Encoding.ASCII.GetString(cipher) != "none");
    }

    /// <summary>
    /// Dropbear's own key file (dropbear signkey.c / dropbearkey): SSH wire encoding of the key
    /// type name followed by the public and then the private parts, e.g. RSA: string "ssh-rsa",
    /// mpint e, mpint n, mpint d, mpint p, mpint q; Ed25519: string "ssh-ed25519", string(32-byte
    /// seed + 32-byte public key); ECDSA: string "ecdsa-sha2-nistpN", string curve, string Q, mpint d.
    /// </summary>
    internal static (string Type, string Fingerprint)? TryDropbear(byte[] b)
    {
        if (b.Length < 4 + 7)
            return null;
        var p = 0;
        if (SshString(b, ref p) is not { } name)
            return null;
        var type = Encoding.ASCII.GetString(name);
        byte[]? publicBlob;
        switch (type)
        {
            case "ssh-rsa":
                {
                    // public: string type, mpint e, mpint n
                    if (SshString(b, ref p) is null || SshString(b, ref p) is null)
                        return null;
                    var publicEnd = p;
                    if (SshString(b, ref p) is null || SshString(b, ref p) is null || SshString(b, ref p) is null || p != b.Length)
                        return null;
                    publicBlob = b[..publicEnd];
                    var q = 4 + name.Length;
                    SshString(b, ref q);
                    var n = SshString(b, ref q)!;
                    type = $"rsa-{BitLength(n)}";
                    break;
                }
            case "ssh-dss":
                {
                    for (var i = 0; i < 4; i++)
                    {
                        if (SshString(b, ref p) is null)
                            return null;
                    }
                    var publicEnd = p;
                    if (SshString(b, ref p) is null || p != b.Length)
                        return null;
                    publicBlob = b[..publicEnd];
                    type = "dsa";
                    break;
                }
            case "ssh-ed25519":
                {
                    if (SshString(b, ref p) is not { Length: 64 } keys || p != b.Length)
                        return null;
                    publicBlob = [.. SshWire("ssh-ed25519"u8), .. SshWire(keys.AsSpan(32))];
                    type = "ed25519";
                    break;
                }
            case "ecdsa-sha2-nistp256" or "ecdsa-sha2-nistp384" or "ecdsa-sha2-nistp521":
                {
                    if (SshString(b, ref p) is null || SshString(b, ref p) is null)
                        return null;
                    var publicEnd = p;
                    if (SshString(b, ref p) is null || p != b.Length)
                        return null;
                    publicBlob = b[..publicEnd];
                    type = "ecdsa-" + type[^4..];
                    break;
                }
            default:
                return null;
        }
        return (type, SshFingerprint(publicBlob));
    }

    private static int BitLength(byte[] mpint)
    {
        var i = 0;
        while (i < mpint.Length && mpint[i] == 0)
            i++;
        return i == mpint.Length ? 0 : ((mpint.Length - i - 1) * 8) + (8 - System.Numerics.BitOperations.LeadingZeroCount((uint)mpint[i]) + 24);
    }

    private static byte[] SshWire(ReadOnlySpan<byte> value)
    {
        var result = new byte[4 + value.Length];
        BinaryPrimitives.WriteUInt32BigEndian(result, (uint)value.Length);
        value.CopyTo(result.AsSpan(4));
        return result;
    }

    private static byte[]? SshString(byte[] b, ref int p)
    {
        if (p + 4 > b.Length)
            return null;
        var len = BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan(p));
        if (len > (uint)(b.Length - p - 4))
            return null;
        var value = b.AsSpan(p + 4, (int)len).ToArray();
        p += 4 + (int)len;
        return value;
    }

    /// <summary>OpenSSH's fingerprint: <c>SHA256:</c> and the unpadded base64 of the SHA-256 of the public key blob.</summary>
    internal static string SshFingerprint(byte[] publicBlob) => "SHA256:" + Convert.ToBase64String(SHA256.HashData(publicBlob)).TrimEnd('=');

    // ---- certificates ----

    private void Certificates(InspectedFile file, List<(byte[] Der, int Line)> items, InspectionSink sink)
    {
        var parser = new X509CertificateParser();
        foreach (var (der, line) in items)
        {
            X509Certificate cert;
            try
            {
                cert = parser.ReadCertificate(der);
                if (cert is null)
                    continue;
            }
            catch (Exception e) when (e is CertificateException or IOException or ArgumentException or InvalidCastException or InvalidOperationException)
            {
                sink.Add(new ScanError { Path = file.Path, Handler = Id, Message = $"certificate at line {line}: {e.Message}; not judged" });
                continue;
            }
            sink.Checked("ASSAY-CERT-EXPIRED", "ASSAY-CERT-WEAK-KEY", "ASSAY-CERT-WEAK-SIGNATURE", "ASSAY-CERT-SELF-SIGNED");
            var subject = Truncate(cert.SubjectDN.ToString(), 120);
            var fingerprint = Convert.ToHexStringLower(SHA256.HashData(der));
            var where = $"subject {subject}";
            // whether it has expired depends on the day of the scan: judged in Complete, from a fact
            sink.Add(new InspectionFact(Id, file.Path, ExpiryFact, JsonSerializer.Serialize(new Expiry(cert.NotAfter, $"{where}; notAfter {cert.NotAfter:yyyy-MM-dd}", line, fingerprint), FactsJson.Default.Expiry)));
            if (WeakKey(cert) is { } weak)
                sink.Add(RuleCatalog.Finding("ASSAY-CERT-WEAK-KEY", file.Path, $"{where}; {weak}", line, fingerprint));
            var sigAlg = cert.SigAlgName.ToUpperInvariant();
            if (sigAlg.Contains("MD5", StringComparison.Ordinal) || sigAlg.Contains("MD2", StringComparison.Ordinal) || sigAlg.Contains("SHA1", StringComparison.Ordinal) || sigAlg.Contains("SHA-1", StringComparison.Ordinal))
                sink.Add(RuleCatalog.Finding("ASSAY-CERT-WEAK-SIGNATURE", file.Path, $"{where}; signature {cert.SigAlgName}", line, fingerprint));
            if (IsSelfSigned(cert))
            {
                var ca = cert.GetBasicConstraints() >= 0;
                sink.Add(RuleCatalog.Finding("ASSAY-CERT-SELF-SIGNED", file.Path, $"{where}; self-signed{(ca ? " CA" : "")}, valid {cert.NotBefore:yyyy-MM-dd} to {cert.NotAfter:yyyy-MM-dd}", line, fingerprint,
                    title: ca ? "Self-signed CA certificate shipped" : null));
            }
        }
    }

    private static bool IsSelfSigned(X509Certificate cert)
    {
        if (!cert.SubjectDN.Equivalent(cert.IssuerDN))
            return false;
        if (RsaSelfSignature(cert) is { } verified)
            return verified;
        try
        {
            cert.Verify(cert.GetPublicKey());
            return true;
        }
        catch (Exception e) when (e is InvalidKeyException or SignatureException or CertificateException or ArgumentException or InvalidOperationException or SecurityUtilityException)
        {
            return false;
        }
    }

    // The hashes of the PKCS #1 v1.5 RSA signatures checked with .NET's RSA (OpenSSL); others go
    // through BouncyCastle.
    private static readonly Dictionary<string, HashAlgorithmName> RsaSignatureHashes = new(StringComparer.Ordinal)
    {
        [PkcsObjectIdentifiers.Sha1WithRsaEncryption.Id] = HashAlgorithmName.SHA1,
        [PkcsObjectIdentifiers.Sha256WithRsaEncryption.Id] = HashAlgorithmName.SHA256,
        [PkcsObjectIdentifiers.Sha384WithRsaEncryption.Id] = HashAlgorithmName.SHA384,
        [PkcsObjectIdentifiers.Sha512WithRsaEncryption.Id] = HashAlgorithmName.SHA512,
    };

    /// <summary>
    /// Whether an RSA certificate's signature verifies with its own key, checked with .NET's RSA;
    /// null when the key is not RSA or the signature not PKCS #1 v1.5 with SHA-1/2 (BouncyCastle
    /// checks those). BouncyCastle's <c>GetPublicKey</c> first runs a Miller-Rabin test on the
    /// modulus, which was 13 ms of the 55 ms scan of a 47 KB configuration image with one device
    /// certificate; whether a signature verifies does not need it.
    /// </summary>
    private static bool? RsaSelfSignature(X509Certificate cert)
    {
        var structure = cert.CertificateStructure;
        if (!structure.SubjectPublicKeyInfo.Algorithm.Algorithm.Equals(PkcsObjectIdentifiers.RsaEncryption)
            || !RsaSignatureHashes.TryGetValue(structure.SignatureAlgorithm.Algorithm.Id, out var hash)
            || !structure.SignatureAlgorithm.Equals(structure.TbsCertificate.Signature))
            return null;
        try
        {
            using var rsa = RSA.Create();
            rsa.ImportSubjectPublicKeyInfo(structure.SubjectPublicKeyInfo.GetDerEncoded(), out _);
            return rsa.VerifyData(cert.GetTbsCertificate(), cert.GetSignature(), hash, RSASignaturePadding.Pkcs1);
        }
        catch (Exception e) when (e is CryptographicException or CertificateException or ArgumentException)
        {
            // as BouncyCastle's path answers for a key or certificate it cannot use: not self-signed
            return false;
        }
    }

    private static string? WeakKey(X509Certificate cert)
    {
        // RSA from the key's own structure: BouncyCastle's key object tests the modulus for primality first (see RsaSelfSignature)
        var spki = cert.CertificateStructure.SubjectPublicKeyInfo;
        if (spki.Algorithm.Algorithm.Equals(PkcsObjectIdentifiers.RsaEncryption))
        {
            try
            {
                var bits = RsaPublicKeyStructure.GetInstance(spki.ParsePublicKey()).Modulus.BitLength;
                return bits < 2048 ? $"RSA {bits}-bit key" : null;
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException)
            {
                return null;
            }
        }
        try
        {
            return cert.GetPublicKey() switch
            {
                DsaPublicKeyParameters dsa when dsa.Parameters.P.BitLength < 2048 => $"DSA {dsa.Parameters.P.BitLength}-bit key",
                ECPublicKeyParameters ec when ec.Parameters.Curve.FieldSize < 224 => $"EC {ec.Parameters.Curve.FieldSize}-bit curve",
                _ => null,
            };
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or SecurityUtilityException or IOException)
        {
            return null;
        }
    }

    private static bool IsTrustStore(string inner) =>
        inner.Contains("/ca-certificates", StringComparison.Ordinal) || inner.Contains("ca-bundle", StringComparison.Ordinal)
        || inner.Contains("/cacert", StringComparison.Ordinal) || inner.Contains("/certifi/", StringComparison.Ordinal)
        || inner.Contains("/etc/pki/tls/certs/ca", StringComparison.Ordinal) || inner.Contains("/share/ca-", StringComparison.Ordinal);

    private static bool LooksLikeDerCertificateName(string inner) =>
        inner.EndsWith(".der", StringComparison.OrdinalIgnoreCase) || inner.EndsWith(".cer", StringComparison.OrdinalIgnoreCase) || inner.EndsWith(".crt", StringComparison.OrdinalIgnoreCase);

    // ---- helpers ----

    private static string StripHeaders(string body)
    {
        // RFC 1421 headers (Proc-Type, DEK-Info) end with an empty line before the base64.
        var blank = body.IndexOf("\n\n", StringComparison.Ordinal);
        return body.Contains(':', StringComparison.Ordinal) && blank >= 0 ? body[(blank + 2)..] : body;
    }

    private static byte[]? TryBase64(string text)
    {
        var clean = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (c is not ('\r' or '\n' or ' ' or '\t'))
                clean.Append(c);
        }
        try
        {
            return Convert.FromBase64String(clean.ToString());
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>
    /// PEM blocks: "-----BEGIN LABEL-----", a body of at most 64 KiB, "-----END LABEL-----" with the
    /// same label. Found with plain searches (a backtracking pattern could be made to time out
    /// on a file of BEGIN lines and lose the real keys after them).
    /// </summary>
    private static IEnumerable<(string Label, string Body, int Index)> PemBlocks(string text)
    {
        const string Begin = "-----BEGIN ";
        const string Dashes = "-----";
        var at = 0;
        while ((at = text.IndexOf(Begin, at, StringComparison.Ordinal)) >= 0)
        {
            var labelStart = at + Begin.Length;
            var labelEnd = text.IndexOf(Dashes, labelStart, Math.Min(48, text.Length - labelStart), StringComparison.Ordinal);
            if (labelEnd < 0)
            {
                at = labelStart;
                continue;
            }
            var label = text[labelStart..labelEnd];
            var bodyStart = labelEnd + Dashes.Length;
            var end = text.IndexOf("-----END " + label + Dashes, bodyStart, Math.Min(MaxPemBody, text.Length - bodyStart), StringComparison.Ordinal);
            if (label.Length == 0 || label.Length > 40 || end < 0)
            {
                at = labelStart;
                continue;
            }
            yield return (label, text[bodyStart..end].Trim('\r', '\n'), at);
            at = end + label.Length + 14;
        }
    }

    /// <summary>Line numbers of ascending offsets in one pass over the text.</summary>
    private sealed class LineCounter(string text)
    {
        private int _position;
        private int _line = 1;

        public int LineOf(int index)
        {
            if (index < _position)
            {
                _position = 0;
                _line = 1;
            }
            _line += text.AsSpan(_position, index - _position).Count('\n');
            _position = index;
            return _line;
        }
    }

    /// <summary>First and last four characters, the rest as asterisks (at least half hidden).</summary>
    internal static string Mask(string secret)
    {
        if (secret.Length <= 8)
            return new string('*', secret.Length);
        var show = Math.Min(4, secret.Length / 4);
        return secret[..show] + new string('*', secret.Length - (2 * show)) + secret[^show..];
    }

    /// <summary>"Default credentials: root / admin" → "Default credentials: root / a****": the password word masked.</summary>
    private static string MaskCredentials(string line)
    {
        var slash = line.IndexOf('/', StringComparison.Ordinal);
        var start = slash >= 0 ? slash + 1 : line.IndexOfAny([':', '=']) + 1;
        while (start < line.Length && line[start] == ' ')
            start++;
        var end = start;
        while (end < line.Length && !char.IsWhiteSpace(line[end]))
            end++;
        if (end <= start)
            return Truncate(line, 120);
        return Truncate(line[..(start + 1)] + new string('*', end - start - 1) + line[end..], 120);
    }

    private static string Sha256Hex(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));

    private static string Sha256Hex(byte[] value) => Convert.ToHexStringLower(SHA256.HashData(value));

    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..max] + "…";
}
