using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Assay.History.Reports;

/// <summary>
/// Signs a payload into a DSSE envelope (secure-systems-lab/dsse, protocol v1): the signature
/// covers the pre-authentication encoding <c>"DSSEv1" SP LEN(type) SP type SP LEN(body) SP body</c>
/// (LEN as ASCII decimal), never the JSON. Keys: ECDSA P-256/P-384/P-521 (SHA-256/384/512,
/// DER-encoded signatures) or RSA (RSASSA-PSS with SHA-256), from a PEM private key; the key id is
/// the SHA-256 of the public key's SubjectPublicKeyInfo.
/// </summary>
public sealed class DsseSigner : IDisposable
{
    private readonly AsymmetricAlgorithm _key;

    private DsseSigner(AsymmetricAlgorithm key)
    {
        _key = key;
        KeyId = Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()));
    }

    /// <summary>Hex SHA-256 of the SubjectPublicKeyInfo, the envelope's <c>keyid</c>.</summary>
    public string KeyId { get; }

    /// <summary>
    /// Reads a PEM private key (PKCS#8, SEC1 or PKCS#1; encrypted PKCS#8 with <paramref name="password"/>).
    /// <see cref="InvalidDataException"/> says what is wrong with it and which keys work.
    /// </summary>
    public static DsseSigner FromPem(string pem, string? password = null)
    {
        ArgumentNullException.ThrowIfNull(pem);
        var encrypted = pem.Contains("-----BEGIN ENCRYPTED PRIVATE KEY-----", StringComparison.Ordinal);
        if (encrypted && password is null)
            throw new InvalidDataException("the signing key is encrypted; give its password in the environment variable ASSAY_SIGN_KEY_PASSWORD");
        var failures = new List<string>();
        foreach (var create in new Func<AsymmetricAlgorithm>[] { ECDsa.Create, RSA.Create })
        {
            var key = create();
            try
            {
                if (encrypted)
                    key.ImportFromEncryptedPem(pem, password);
                else
                    key.ImportFromPem(pem);
                if (key is RSA { KeySize: < 2048 })
                    throw new InvalidDataException($"the RSA signing key has {key.KeySize} bits; use 2048 or more");
                return new DsseSigner(key);
            }
            catch (CryptographicException e)
            {
                failures.Add(e.Message);
                key.Dispose();
            }
            catch (ArgumentException e)
            {
                failures.Add(e.Message);
                key.Dispose();
            }
        }
        throw new InvalidDataException($"the signing key is not a PEM ECDSA (P-256, P-384, P-521) or RSA private key ({failures[0]}); Ed25519 is not supported. Make one with: openssl ecparam -name prime256v1 -genkey -noout | openssl pkcs8 -topk8 -nocrypt");
    }

    /// <summary>DSSE's pre-authentication encoding of <paramref name="payload"/> of <paramref name="payloadType"/>.</summary>
    public static byte[] PreAuthenticationEncoding(string payloadType, byte[] payload)
    {
        var type = Encoding.UTF8.GetBytes(payloadType);
        var head = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"DSSEv1 {type.Length} "));
        var middle = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $" {payload.Length} "));
        return [.. head, .. type, .. middle, .. payload];
    }

    /// <summary>Signs <paramref name="message"/> with the key.</summary>
    public byte[] Sign(byte[] message) => _key switch
    {
        ECDsa ec => ec.SignData(message, HashFor(ec), DSASignatureFormat.Rfc3279DerSequence),
        RSA rsa => rsa.SignData(message, HashAlgorithmName.SHA256, RSASignaturePadding.Pss),
        _ => throw new InvalidOperationException($"no signing scheme for {_key.GetType().Name}"),
    };

    /// <summary>The DSSE envelope of <paramref name="payload"/>: payload and signature in standard base64.</summary>
    public JsonObject Envelope(string payloadType, byte[] payload) => new()
    {
        ["payloadType"] = payloadType,
        ["payload"] = Convert.ToBase64String(payload),
        ["signatures"] = new JsonArray(new JsonObject
        {
            ["keyid"] = KeyId,
            ["sig"] = Convert.ToBase64String(Sign(PreAuthenticationEncoding(payloadType, payload))),
        }),
    };

    /// <summary>The hash the curve's size calls for (FIPS 186-5: P-256 with SHA-256 and so on).</summary>
    internal static HashAlgorithmName HashFor(ECDsa ec) => ec.KeySize switch
    {
        <= 256 => HashAlgorithmName.SHA256,
        <= 384 => HashAlgorithmName.SHA384,
        _ => HashAlgorithmName.SHA512,
    };

    public void Dispose() => _key.Dispose();
}
