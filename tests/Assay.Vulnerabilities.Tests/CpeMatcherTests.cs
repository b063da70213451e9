using Assay.Vulnerabilities.Matching;
using Assay.Vulnerabilities.Storage;
using Assay.Vulnerabilities.Versions;

namespace Assay.Vulnerabilities.Tests;

public sealed class CpeMatcherTests
{
    private static CpeMatchRow Row(string version = "*", string update = "*", string part = "a",
        string? si = null, string? se = null, string? ei = null, string? ee = null) =>
        new(0, 0, false, false, true, part, "openssl", "openssl", version, update, $"cpe:2.3:{part}:openssl:openssl:{version}:{update}:*:*:*:*:*:*", si, se, ei, ee);

    private static bool M(CpeMatchRow row, string version, string? update = null) =>
        CpeMatcher.Matches(row, version, update, OpenSslVersionScheme.Instance);

    [Theory]
    [InlineData("1.0.1", true)]
    [InlineData("1.0.1g", true)]
    [InlineData("1.0.1h", false)]
    [InlineData("1.0.0z", false)]
    public void Matches_StartIncludingEndExcluding_HonorsBothBounds(string version, bool expected)
    {
        Assert.Equal(expected, M(Row(si: "1.0.1", ee: "1.0.1h"), version));
    }

    [Theory]
    [InlineData("1.32.1", true)]
    [InlineData("1.32.2", false)]
    [InlineData("1.30.0", false)]
    [InlineData("1.30.1", true)]
    public void Matches_StartExcludingEndIncluding_HonorsBothBounds(string version, bool expected)
    {
        Assert.Equal(expected, CpeMatcher.Matches(Row(se: "1.30.0", ei: "1.32.1"), version, null, GenericVersionScheme.Instance));
    }

    [Fact]
    public void Matches_ExactVersion_RequiresEqualText()
    {
        Assert.True(M(Row("1.0.1f"), "1.0.1F"));
        Assert.False(M(Row("1.0.1f"), "1.0.1g"));
        Assert.False(M(Row("1.0"), "1.0.0"));
    }

    [Fact]
    public void Matches_AnyAndNotApplicable_AreAllAndNothing()
    {
        Assert.True(M(Row("*"), "0.0.1"));
        Assert.False(M(Row("-"), "0.0.1"));
    }

    [Fact]
    public void Matches_HardwarePart_NeverMatches()
    {
        Assert.False(M(Row("*", part: "h"), "1.0.1f"));
    }

    [Fact]
    public void Matches_UpdateQualifier_NeedsSameUpdateOrGluedSpelling()
    {
        var row = Row("7.1", "p1");
        Assert.False(M(row, "7.1"));
        Assert.True(M(row, "7.1", "p1"));
        Assert.True(M(row, "7.1p1"));
        Assert.True(M(row, "7.1-P1"));
        Assert.False(M(row, "7.1p2"));
        Assert.False(M(Row("*", "beta1"), "1.0.2"));
    }

    [Fact]
    public void Describe_Range_NamesCriterionAndBounds()
    {
        Assert.Equal("cpe:2.3:a:openssl:openssl:*:*:*:*:*:*:*:* versionStartIncluding 1.0.1 versionEndExcluding 1.0.1h",
            CpeMatcher.Describe(Row(si: "1.0.1", ee: "1.0.1h")));
    }
}
