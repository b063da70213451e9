using Assay.Vulnerabilities.Versions;
using Assay.Core.Identifiers;

namespace Assay.Vulnerabilities.Tests.Versions;

public sealed class DebianVersionSchemeTests
{
    /// <summary>Every pair of Fixtures/debian/dpkg-pairs.tsv, whose relation dpkg itself computed (make.sh).</summary>
    [Fact]
    public void Compare_EveryPair_AgreesWithDpkg()
    {
        var lines = File.ReadAllLines(Fixture.Path("debian/dpkg-pairs.tsv"));
        Assert.True(lines.Length > 1000);
        var disagreements = new List<string>();
        foreach (var line in lines)
        {
            var f = line.Split('\t');
            var expected = f[2] switch { "lt" => -1, "eq" => 0, "gt" => 1, _ => throw new InvalidDataException(line) };
            var actual = Math.Sign(DebianVersionScheme.Instance.Compare(f[0], f[1]));
            if (actual != expected)
                disagreements.Add($"{f[0]} vs {f[1]}: dpkg {f[2]}, ours {actual}");
        }
        Assert.Empty(disagreements);
    }

    [Theory]
    [InlineData("1:2.3-4", "1", "2.3", "4")]
    [InlineData("2.3", "0", "2.3", "")]
    [InlineData("1.2-3-4", "0", "1.2-3", "4")]
    public void Split_Version_GivesEpochUpstreamRevision(string version, string epoch, string upstream, string revision)
    {
        Assert.Equal((epoch, upstream, revision), DebianVersion.Split(version));
    }
}
