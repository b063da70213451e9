using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Assay.History.Build;
using Assay.History.Reports;

namespace Assay.History.Tests;

/// <summary>The attestation: an in-toto Statement about both inputs, and its DSSE envelope verified with the public key, as a verifier would.</summary>
public sealed class InTotoTests
{
    private static VerifyResult Result() => BuildComparison.Compare(VerifyBuildTests.Build("delivered.sqfs"), VerifyBuildTests.Build("resigned.tar.gz"), Normalisations.Signatures);

    private static string Write(InTotoWriter writer, VerifyResult result)
    {
        using var stream = new MemoryStream();
        writer.Write(result, stream);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    [Fact]
    public void Statement_NamesBothInputsBySha256AndCarriesTheVerdict()
    {
        var result = Result();
        var statement = JsonNode.Parse(Write(new InTotoWriter(), result))!;
        Assert.Equal("https://in-toto.io/Statement/v1", statement["_type"]!.GetValue<string>());
        Assert.Equal(InTotoWriter.PredicateType, statement["predicateType"]!.GetValue<string>());
        var subjects = statement["subject"]!.AsArray();
        Assert.Equal(("delivered/delivered.sqfs", result.Delivered.Sha256), (subjects[0]!["name"]!.GetValue<string>(), subjects[0]!["digest"]!["sha256"]!.GetValue<string>()));
        Assert.Equal(("rebuilt/resigned.tar.gz", result.Rebuilt.Sha256), (subjects[1]!["name"]!.GetValue<string>(), subjects[1]!["digest"]!["sha256"]!.GetValue<string>()));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Fixture.Path("rebuild/delivered.sqfs")))), result.Delivered.Sha256);
        var predicate = statement["predicate"]!;
        Assert.Equal("reproducible", predicate["verdict"]!.GetValue<string>());
        Assert.Equal("signatures", predicate["normalisations"]![0]!.GetValue<string>());
        Assert.Contains(predicate["files"]!.AsArray(), f => f!["path"]!.GetValue<string>() == "/lib/modules/demo.ko" && f["status"]!.GetValue<string>() == "normalised");
    }

    [Fact]
    public void PreAuthenticationEncoding_MatchesTheDsseSpecExample() =>
        // secure-systems-lab/dsse protocol.md: PAE("http://example.com/HelloWorld", "hello world")
        Assert.Equal("DSSEv1 29 http://example.com/HelloWorld 11 hello world",
            Encoding.UTF8.GetString(DsseSigner.PreAuthenticationEncoding("http://example.com/HelloWorld", "hello world"u8.ToArray())));

    [Fact]
    public void Envelope_EcdsaKey_VerifiesWithThePublicKeyAndNotWhenTampered()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var signer = DsseSigner.FromPem(key.ExportPkcs8PrivateKeyPem());
        var result = Result();
        var envelope = JsonNode.Parse(Write(new InTotoWriter { Signer = signer }, result))!;
        Assert.Equal(InTotoWriter.PayloadType, envelope["payloadType"]!.GetValue<string>());
        var payload = Convert.FromBase64String(envelope["payload"]!.GetValue<string>());
        Assert.Equal(InTotoWriter.Statement(result), payload);
        var signature = envelope["signatures"]![0]!;
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo())), signature["keyid"]!.GetValue<string>());
        var sig = Convert.FromBase64String(signature["sig"]!.GetValue<string>());
        var pae = DsseSigner.PreAuthenticationEncoding(InTotoWriter.PayloadType, payload);
        Assert.True(key.VerifyData(pae, sig, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
        payload[^3] ^= 1;
        Assert.False(key.VerifyData(DsseSigner.PreAuthenticationEncoding(InTotoWriter.PayloadType, payload), sig, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
    }

    [Fact]
    public void Envelope_RsaKey_IsPssSha256()
    {
        using var key = RSA.Create(2048);
        using var signer = DsseSigner.FromPem(key.ExportRSAPrivateKeyPem());
        var pae = DsseSigner.PreAuthenticationEncoding(InTotoWriter.PayloadType, "{}"u8.ToArray());
        Assert.True(key.VerifyData(pae, signer.Sign(pae), HashAlgorithmName.SHA256, RSASignaturePadding.Pss));
    }

    [Fact]
    public void Signer_EncryptedKey_NeedsThePassword()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var pem = key.ExportEncryptedPkcs8PrivateKeyPem("s3cret", new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 10_000));
        Assert.Contains("ASSAY_SIGN_KEY_PASSWORD", Assert.Throws<InvalidDataException>(() => DsseSigner.FromPem(pem)).Message, StringComparison.Ordinal);
        using var signer = DsseSigner.FromPem(pem, "s3cret");
        var message = "m"u8.ToArray();
        Assert.True(key.VerifyData(message, signer.Sign(message), HashAlgorithmName.SHA384, DSASignatureFormat.Rfc3279DerSequence));
    }

    [Theory]
    [InlineData("not a key")]
    [InlineData("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")]
    public void Signer_NotAKey_SaysWhichKeysWork(string pem) =>
        Assert.Contains("ECDSA", Assert.Throws<InvalidDataException>(() => DsseSigner.FromPem(pem)).Message, StringComparison.Ordinal);

    [Fact]
    public void Signer_ShortRsaKey_Refused()
    {
        using var key = RSA.Create(1024);
        Assert.Contains("2048", Assert.Throws<InvalidDataException>(() => DsseSigner.FromPem(key.ExportRSAPrivateKeyPem())).Message, StringComparison.Ordinal);
    }
}
