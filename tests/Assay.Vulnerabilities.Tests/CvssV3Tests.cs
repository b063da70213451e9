using Assay.Vulnerabilities.Import;

namespace Assay.Vulnerabilities.Tests;

/// <summary>Expected scores are NVD's published base scores for these vectors (e.g. CVE-2014-0160 7.5, CVE-2021-44228 10.0).</summary>
public sealed class CvssV3Tests
{
    [Theory]
    [InlineData("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", 7.5)]
    [InlineData("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8)]
    [InlineData("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0)]
    [InlineData("CVSS:3.0/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N", 5.5)]
    [InlineData("CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:N", 7.4)]
    [InlineData("CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:L/I:L/A:N", 5.4)]
    [InlineData("CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:N/I:N/A:N", 0.0)]
    public void BaseScore_KnownVector_MatchesNvdScore(string vector, double expected)
    {
        Assert.Equal(expected, CvssV3.BaseScore(vector));
    }

    [Theory]
    [InlineData("AV:N/AC:L/Au:N/C:P/I:N/A:N")]
    [InlineData("CVSS:3.1/AV:N/AC:L")]
    [InlineData("CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N")]
    [InlineData("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N")]
    public void BaseScore_IncompleteOrOtherVersion_IsNull(string vector)
    {
        Assert.Null(CvssV3.BaseScore(vector));
    }
}
