using Assay.Catalog.Identifiers;
using Assay.Catalog.Support;

namespace Assay.Catalog.Tests;

public sealed class IdentifierTests
{
    [Theory]
    [InlineData("0.9.8", "1.0.2k")]
    [InlineData("1.0.2k", "1.1.1d")]
    [InlineData("1.1.1d", "1.1.1t")]
    [InlineData("1.1.1t", "3.0.2")]
    [InlineData("1.2.9", "1.2.11")]
    [InlineData("2.10", "2.9.1")]
    public void VersionOrder_Compare_OlderFirst(string older, string newer)
    {
        if (older == "2.10")
            Assert.True(VersionOrder.Instance.Compare(older, newer) > 0);
        else
            Assert.True(VersionOrder.Instance.Compare(older, newer) < 0);
    }

    [Theory]
    [InlineData("openssl", "1.1.1d", "2026-11-01", "1.1.1", false)]
    [InlineData("openssl", "3.0.20", "2026-01-01", "3.0", true)]
    [InlineData("openssl", "3.0.20", "2026-11-01", "3.0", false)]
    [InlineData("linux-kernel", "6.1.176", "2026-11-01", "6.1", true)]
    [InlineData("linux-kernel", "6.12.3", "2026-11-01", "6.12", true)]
    [InlineData("node.js", "10.19.0", "2026-11-01", "10", false)]
    public void EndOfSupport_Lookup_PicksLongestBranch(string key, string version, string date, string branch, bool supported)
    {
        var status = EndOfSupport.Default.Lookup(key, version, DateOnly.Parse(date, System.Globalization.CultureInfo.InvariantCulture));
        Assert.NotNull(status);
        Assert.Equal((branch, supported), (status!.Branch, status.Supported));
        Assert.False(string.IsNullOrEmpty(status.Source));
    }

    [Fact]
    public void EndOfSupport_EveryKeyTheSignatureDataNames_IsInTheTable()
    {
        var keys = EndOfSupport.Default.Keys.ToHashSet();
        foreach (var c in Binaries.SignatureDatabase.Default.Components.Where(c => c.EolKey is not null))
            Assert.True(keys.Contains(c.EolKey!), $"{c.Name} names end-of-support key '{c.EolKey}', which the table does not have");
    }

    [Fact]
    public void EndOfSupport_UnknownBranch_IsNull()
    {
        Assert.Null(EndOfSupport.Default.Lookup("openssl", "9.9.9", new DateOnly(2026, 1, 1)));
        Assert.Null(EndOfSupport.Default.Lookup("no-such-product", "1.0", new DateOnly(2026, 1, 1)));
    }
}
