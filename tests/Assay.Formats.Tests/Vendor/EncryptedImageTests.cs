namespace Assay.Formats.Tests.Vendor;

/// <summary>Encrypted firmware: reported as encrypted with its entropy, or decrypted and verified when the key is public (SHRS).</summary>
public sealed class EncryptedImageTests
{
    [Fact]
    public void Shrs_DecryptedAndVerified_IsTheTrxInside()
    {
        var e = ScanHelper.Scan("vendor/dlink.shrs");
        Assert.Empty(e.Errors);
        Assert.Equal("dlink-shrs", e.Files.Single(f => f.Path == "dlink.shrs").Format);
        var firmware = e.Files.Single(f => f.Path == "dlink.shrs!/firmware.decrypted");
        Assert.Equal("trx", firmware.Format);
        Assert.Equal(ScanHelper.Sha256(Fixture.Bytes("vendor/trx-v1.trx")), firmware.Sha256);
        Assert.Contains(e.Files, f => f.Path == "dlink.shrs!/firmware.decrypted!/part1!/etc/passwd");
    }

    [Fact]
    public void Shrs_CipherTextChanged_IsNotTakenForShrs()
    {
        var bytes = Fixture.Bytes("vendor/dlink.shrs");
        bytes[0x6dc + 10] ^= 1;
        var e = ScanHelper.ScanBytes(bytes, "x.shrs");
        Assert.NotEqual("dlink-shrs", e.Files.Single(f => f.Path == "x.shrs").Format);
    }

    [Fact]
    public void Shrs_PlainDigestWrong_ReportsAnotherKey()
    {
        var bytes = Fixture.Bytes("vendor/dlink.shrs");
        bytes[0x5c] ^= 1; // sha512 of the decrypted firmware
        var e = ScanHelper.ScanBytes(bytes, "x.shrs");
        Assert.Contains(e.Errors, x => x.Handler == "dlink-shrs" && x.Message.Contains("another key", StringComparison.Ordinal));
        Assert.DoesNotContain(e.Files, f => f.Path.StartsWith("x.shrs!/", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("dlink.encrpted_img", "D-Link encrpted_img, AES-encrypted firmware of 65536 bytes, entropy 7.99")]
    [InlineData("openssl.enc", "OpenSSL enc encrypted data, salt ")]
    public void EncryptedContainer_ReportedWithItsEntropy(string fixture, string description)
    {
        var e = ScanHelper.Scan($"vendor/{fixture}");
        var file = e.Files.Single(f => f.Path == fixture);
        Assert.Equal("encrypted-image", file.Format);
        Assert.StartsWith(description, file.Type!.Description, StringComparison.Ordinal);
        Assert.DoesNotContain(e.Chunks, c => c.Format == "unknown");
    }

    [Fact]
    public void EncryptedContainer_InAFlashDump_IsItsOwnChunk()
    {
        var img = Fixture.Bytes("vendor/dlink.encrpted_img");
        var pad = Enumerable.Repeat((byte)0xff, 4096).ToArray();
        var e = ScanHelper.ScanBytes([.. pad, .. img, .. pad], "flash.bin");
        Assert.Contains(e.Chunks, c => c.Path == "flash.bin" && c.Format == "encrypted-image" && c.Offset == 4096 && c.Length == img.Length);
        Assert.Equal(2, e.Chunks.Count(c => c.Path == "flash.bin" && c.Format == "padding"));
    }
}

/// <summary>Arcadyan's obfuscated LZMA (Fixtures/vendor/make_vendor.py, after binwalk v3's de-obfuscation).</summary>
public sealed class ArcadyanTests
{
    private static readonly Dictionary<string, string> Sha256 = File.ReadAllLines(Fixture.Path("vendor/expected.txt"))
        .Where(l => l.Contains("  ", StringComparison.Ordinal)).Select(l => l.Split("  ")).ToDictionary(p => p[1], p => p[0]);

    [Fact]
    public void Obfuscated_Lzma_IsDeobfuscatedAndDecompressed()
    {
        var e = ScanHelper.Scan("vendor/arcadyan.bin");
        Assert.Empty(e.Errors);
        Assert.Equal("arcadyan", e.Files.Single(f => f.Path == "arcadyan.bin").Format);
        Assert.Equal("lzma", e.Files.Single(f => f.Path == "arcadyan.bin!/deobfuscated.lzma").Format);
        var payload = e.Files.Single(f => f.Path == "arcadyan.bin!/deobfuscated.lzma!/deobfuscated");
        // vmlinux followed by the rootfs image, as sha256sum gave it when the fixture was made.
        Assert.Equal(Sha256["arcadyan-payload"], payload.Sha256);
    }

    [Fact]
    public void Deobfuscate_OfTheScrambledHeader_IsTheLzmaHeader()
    {
        var head = new byte[0x88];
        new byte[] { 0x00, 0xd5, 0x08, 0x00 }.CopyTo(head, 0x68);
        var clear = Formats.Vendor.ArcadyanHandler.Deobfuscate(head);
        Assert.Equal(new byte[] { 0x5d, 0x00, 0x00, 0x80 }, clear[4..8]);
    }
}
