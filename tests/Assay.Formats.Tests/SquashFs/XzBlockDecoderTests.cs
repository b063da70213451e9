using System.Security.Cryptography;
using Assay.Formats.SquashFs;

namespace Assay.Formats.Tests.SquashFs;

/// <summary>
/// The xz block decoder against streams made by xz 5.4.1 (Fixtures/squashfs/make.sh) with each BCJ
/// filter and delta over 16 KiB of bytes full of the branch patterns each filter converts: the
/// output must be the original bytes (expected-code-sha256.txt).
/// </summary>
public sealed class XzBlockDecoderTests
{
    private const int CodeLength = 16384;

    [Theory]
    [InlineData("bcj-x86")]
    [InlineData("bcj-x86-start")]
    [InlineData("bcj-powerpc")]
    [InlineData("bcj-ia64")]
    [InlineData("bcj-arm")]
    [InlineData("bcj-armthumb")]
    [InlineData("bcj-sparc")]
    [InlineData("bcj-arm64")]
    [InlineData("delta")]
    public void TryDecode_FilteredStream_GivesOriginalBytes(string name)
    {
        var input = Fixture.Bytes($"squashfs/{name}.xz");
        var output = new byte[CodeLength + 100];

        var handled = new XzBlockDecoder().TryDecode(input, output, out var written);

        Assert.True(handled);
        Assert.Equal(CodeLength, written);
        var expected = File.ReadAllText(Fixture.Path("squashfs/expected-code-sha256.txt"))[..64];
        Assert.Equal(expected, Convert.ToHexStringLower(SHA256.HashData(output.AsSpan(0, written))));
    }

    [Fact]
    public void TryDecode_OutputTooSmall_ThrowsInvalidData()
    {
        var input = Fixture.Bytes("squashfs/bcj-arm.xz");

        Assert.Throws<InvalidDataException>(() => new XzBlockDecoder().TryDecode(input, new byte[CodeLength / 2], out _));
    }

    [Fact]
    public void TryDecode_CorruptedPayload_ThrowsInvalidData()
    {
        var input = Fixture.Bytes("squashfs/bcj-x86.xz");
        for (var at = 40; at < input.Length - 40; at += 997)
        {
            var bytes = (byte[])input.Clone();
            bytes[at] ^= 0x55;
            var e = Record.Exception(() => new XzBlockDecoder().TryDecode(bytes, new byte[CodeLength], out _));
            Assert.IsType<InvalidDataException>(e);
        }
    }
}
