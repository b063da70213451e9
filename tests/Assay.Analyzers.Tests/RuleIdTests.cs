using System.Text.RegularExpressions;
using Assay.Analyzers.Rules;

namespace Assay.Analyzers.Tests;

/// <summary>
/// Every rule id the code names is in the rule catalogue (rules.yaml), and every rule of the
/// catalogue is raised somewhere in the code: a renamed or dropped rule fails here, not silently
/// in a report that cites a rule nobody raises.
/// </summary>
public sealed partial class RuleIdTests
{
    [GeneratedRegex("\"(ASSAY-[A-Z0-9]+(?:-[A-Z0-9]+)+)\"")]
    private static partial Regex RuleLiteral();

    [Fact]
    public void RuleIds_InCodeAndInTheCatalogue_AreTheSame()
    {
        var source = Path.Combine(Repo(), "src");
        var inCode = Directory.EnumerateFiles(source, "*.cs", SearchOption.AllDirectories)
            .SelectMany(f => RuleLiteral().Matches(File.ReadAllText(f)).Select(m => m.Groups[1].Value))
            .ToHashSet(StringComparer.Ordinal);
        var inCatalogue = RuleCatalog.All.Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        Assert.True(inCode.Count > 0, "no rule id found in the sources");
        Assert.Empty(inCode.Except(inCatalogue).Order(StringComparer.Ordinal));
        Assert.Empty(inCatalogue.Except(inCode).Order(StringComparer.Ordinal));
    }

    private static string Repo()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Assay.slnx")))
                return dir.FullName;
        }
        throw new InvalidOperationException("the repository root (Assay.slnx) is not above the test assembly");
    }
}
