using Assay.Server.Api;

namespace Assay.Server.Tests;

/// <summary>What the service parses out of request headers before anything is stored (fuzz targets server:*).</summary>
public sealed class RequestParserTests
{
    [Theory]
    [InlineData("attachment; filename=\"EX1000_1.2.0.zip\"", "EX1000_1.2.0.zip")]
    [InlineData("attachment; filename*=UTF-8''r%C3%A9sum%C3%A9.bin", "résumé.bin")]
    [InlineData("attachment; filename=\"../../etc/passwd\"", "passwd")]
    [InlineData(null, DeliveryName.Fallback)]
    [InlineData("attachment; filename", DeliveryName.Fallback)]
    public void DeliveryName_FromHeader_KeepsOneSafeComponent(string? header, string expected)
    {
        Assert.Equal(expected, DeliveryName.FromHeader(header, out var error));
        Assert.Null(error);
    }

    [Theory]
    [InlineData("attachment; filename=\"a\u0001b\"")]
    [InlineData("attachment; filename=\"a\u007fb.zip\"")]
    // fuzz/crashes/server-delivery-name-799.bin: a filename* parameter without a value threw ArgumentNullException (a 500)
    [InlineData("attachmenT; filename*")]
    // fuzz/crashes/server-delivery-name-264386.bin: a UTF-7 filename* threw NotSupportedException (a 500)
    [InlineData("attachment; filename*=UTF-7''r%C3%A9sum%C3%A9.bin")]
    public void DeliveryName_FromHeader_RefusesWithAReason(string header)
    {
        Assert.Null(DeliveryName.FromHeader(header, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Theory]
    [InlineData("bytes 0-99/100", true)]
    [InlineData("bytes 100-99/100", false)]
    [InlineData("bytes 0-100/100", false)]
    [InlineData("bytes -1-5/10", false)]
    [InlineData("bytes 0-9/99999999999999999999", false)]
    [InlineData("items 0-9/10", false)]
    public void ContentRange_OnlyPossibleRanges(string header, bool ok) =>
        Assert.Equal(ok, DeliveryEndpoints.TryRange(header, out _, out _, out _));
}
