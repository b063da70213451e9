using Assay.Vulnerabilities.Versions;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Assay.Vulnerabilities.Tests.Versions;

/// <summary>A version-like string for property tests.</summary>
public sealed record VersionSample(string Value)
{
    public override string ToString() => Value;
}

/// <summary>Generates version strings that reach every parsing path of the schemes, plus junk.</summary>
public static class VersionArbitraries
{
    public static Arbitrary<VersionSample> Versions()
    {
        var number = Gen.OneOf(Gen.Choose(0, 12).Select(n => n.ToString()), Gen.Elements("00", "007", "2019", "99999999999999999999"));
        var core = Gen.Choose(1, 4).SelectMany(n => Gen.ArrayOf(number, n)).Select(parts => string.Join('.', parts));
        var prefix = Gen.Elements("", "", "", "v", "1:", "openssl-", "linux-");
        var letters = Gen.Elements("", "", "", "a", "f", "z", "za", "zb", "p1");
        var suffix = Gen.Elements("", "", "", "-rc1", "-alpha2", "-beta", "-beta.11", "~rc1", "+dfsg", "-1", "-2~deb12u1", "test3", ".el7", "-fips", "+build.7", "-0+deb11u3");
        var structured = from p in prefix
                         from c in core
                         from l in letters
                         from s in suffix
                         select p + c + l + s;
        var junk = Gen.ArrayOf(Gen.Elements('1', '0', '.', '-', '~', '+', ':', 'a', 'z', '_', ' ', 'é'), 6).Select(cs => new string(cs));
        return Arb.From(Gen.Frequency((5, structured), (1, junk)).Select(v => new VersionSample(v)));
    }
}

/// <summary>Ordering laws every scheme must obey, so sorting and range checks are consistent.</summary>
[Properties(Arbitrary = [typeof(VersionArbitraries)], MaxTest = 400)]
public sealed class VersionOrderPropertyTests
{
    [Property]
    public bool Compare_SameString_IsZero(VersionSample a) =>
        VersionSchemes.All.All(s => s.Compare(a.Value, a.Value) == 0);

    [Property]
    public bool Compare_Swapped_IsNegated(VersionSample a, VersionSample b) =>
        VersionSchemes.All.All(s => Math.Sign(s.Compare(a.Value, b.Value)) == -Math.Sign(s.Compare(b.Value, a.Value)));

    [Property]
    public bool Compare_ThreeVersions_IsTransitive(VersionSample a, VersionSample b, VersionSample c) =>
        VersionSchemes.All.All(s =>
        {
            var (x, y, z) = (a.Value, b.Value, c.Value);
            // Sort the three, then check the order is consistent pairwise.
            var sorted = new[] { x, y, z }.Order(Comparer<string>.Create(s.Compare)).ToArray();
            return s.Compare(sorted[0], sorted[1]) <= 0 && s.Compare(sorted[1], sorted[2]) <= 0 && s.Compare(sorted[0], sorted[2]) <= 0
                && (s.Compare(x, y) > 0 || s.Compare(y, z) > 0 || s.Compare(x, z) <= 0);
        });

    [Property]
    public bool Compare_EqualVersions_CompareAlikeWithThird(VersionSample a, VersionSample b, VersionSample c) =>
        VersionSchemes.All.All(s => s.Compare(a.Value, b.Value) != 0 || Math.Sign(s.Compare(a.Value, c.Value)) == Math.Sign(s.Compare(b.Value, c.Value)));
}
