using Assay.Vulnerabilities.Versions;

namespace Assay.Vulnerabilities.Tests.Versions;

/// <summary>Each list is in strictly ascending order for its scheme; the reasons are in the scheme docs.</summary>
public sealed class VersionOrderTests
{
    public static TheoryData<string, string[]> Ascending => new()
    {
        // Generic: the answer-key ordering (known-answers.json matching_rule.version_order).
        { "generic", ["0.9.8", "0.9.8y", "0.9.8za", "1.0.1", "1.0.1a", "1.0.1f", "1.0.1g", "1.1.1z", "1.1.1za", "1.2.2.1", "1.2.2.2", "1.2.11", "1.2.12", "2018.76", "2019.78"] },
        // OpenSSL: letter levels by length then alphabet; pre-releases before their release; 3.0 == 3.0.0 handled below.
        { "openssl", ["0.9.8zh", "1.0.0-beta5", "1.0.0", "1.0.0a", "1.0.1", "1.0.1f", "1.0.1g", "1.0.1z", "1.0.1za", "1.1.1", "1.1.1a", "1.1.1z", "1.1.1za", "3.0.0-alpha17", "3.0.0-beta1", "3.0.0", "3.0.13", "3.1.0"] },
        // Dropbear: 0.NN before YEAR.NN, testN before the release.
        { "dropbear", ["0.44test3", "0.44", "0.52", "2011.54", "2013.58", "2013.59", "2018.76", "2019.78", "2022.83"] },
        // Kernel: -rc before release, numbers numeric.
        { "linux-kernel", ["2.6.32.27", "3.10.0", "4.8.2", "4.9", "4.19.0", "5.10.0-rc7", "5.10.0", "6.2", "6.6.9", "6.6.53", "6.6.54"] },
        // Semver precedence example of semver.org §11.
        { "semver", ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1", "1.2.0", "v1.10.0", "2.0.0"] },
        // Debian: deb-version(7) examples; ~ sorts before the end, epoch wins over everything.
        { "debian", ["1.0~rc1", "1.0", "1.0-1", "1.0+deb12u1", "3.0.11-1~deb12u1", "3.0.11-1~deb12u2", "3.0.11-1", "3.0.11-1+b1", "1:0.9"] },
    };

    [Theory]
    [MemberData(nameof(Ascending))]
    public void Compare_AscendingList_IsStrictlyIncreasing(string schemeId, string[] versions)
    {
        var scheme = VersionSchemes.Get(schemeId);
        for (var i = 0; i + 1 < versions.Length; i++)
        {
            Assert.True(scheme.Compare(versions[i], versions[i + 1]) < 0, $"{schemeId}: expected {versions[i]} < {versions[i + 1]}");
            Assert.True(scheme.Compare(versions[i + 1], versions[i]) > 0, $"{schemeId}: expected {versions[i + 1]} > {versions[i]}");
        }
    }

    [Theory]
    [InlineData("openssl", "3.0", "3.0.0")]
    [InlineData("openssl", "OpenSSL_1_0_1f", "1.0.1f")]
    [InlineData("openssl", "1.0.2k-fips", "1.0.2k")]
    [InlineData("linux-kernel", "6.6", "6.6.0")]
    [InlineData("linux-kernel", "5.10.0-21-amd64", "5.10.0")]
    [InlineData("linux-kernel", "v4.8.2", "4.8.2")]
    [InlineData("dropbear", "dropbear_2019.78", "2019.78")]
    [InlineData("semver", "1.2", "1.2.0")]
    [InlineData("semver", "1.0.0+build.5", "1.0.0")]
    [InlineData("debian", "0:1.2-3", "1.2-3")]
    [InlineData("generic", "1.0-1", "1.0.1")]
    public void Compare_EquivalentSpellings_AreEqual(string schemeId, string a, string b)
    {
        Assert.Equal(0, VersionSchemes.Get(schemeId).Compare(a, b));
    }

    [Fact]
    public void Generic_PrereleaseSuffix_SortsAfterRelease()
    {
        // Documented limitation: the generic scheme has no notion of pre-releases.
        Assert.True(GenericVersionScheme.Instance.Compare("1.0.0rc1", "1.0.0") > 0);
    }

    [Fact]
    public void Generic_DigitsAndLetters_DigitRunSortsFirst()
    {
        Assert.True(GenericVersionScheme.Instance.Compare("1.0.1", "1.0.a") < 0);
    }

    [Fact]
    public void Registry_Ids_AreUniqueAndSorted()
    {
        var ids = VersionSchemes.All.Select(s => s.Id).ToList();
        Assert.Equal(ids.Order(StringComparer.Ordinal), ids);
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.All(VersionSchemes.All, s => Assert.False(string.IsNullOrWhiteSpace(s.Description)));
    }

    [Fact]
    public void Get_UnknownId_ThrowsListingValidIds()
    {
        var e = Assert.Throws<ArgumentException>(() => VersionSchemes.Get("nope"));
        Assert.Contains("openssl", e.Message);
    }
}
