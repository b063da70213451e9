using System.Text.RegularExpressions;
using Assay.Core.Text;

namespace Assay.Core.Tests;

public sealed class GuardedRegexTests
{
    /// <summary>Exponential for a backtracking engine on a run of 'a' that ends otherwise.</summary>
    private const string Catastrophic = @"^(a+)+$";

    [Fact]
    public void HostileInput_PastTheBudget_TheLinearEngineAnswersAndKeepsAnswering()
    {
        var regex = new GuardedRegex(Catastrophic, budget: TimeSpan.FromMilliseconds(5));
        var hostile = new string('a', 40) + "!";
        var watch = System.Diagnostics.Stopwatch.StartNew();
        Assert.False(regex.IsMatch(hostile));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");   // interpreted alone: hours
        Assert.True(regex.FellBack);
        Assert.Empty(regex.Matches(hostile));
        Assert.False(regex.Match(hostile).Success);
        Assert.True(regex.IsMatch("aaaa"));
    }

    [Fact]
    public void EveryCall_PastTheBudget_FallsBackWithTheSameAnswer()
    {
        var hostile = new string('a', 36) + "!";
        Assert.False(new GuardedRegex(Catastrophic, budget: TimeSpan.FromMilliseconds(5)).Match(hostile).Success);
        Assert.Empty(new GuardedRegex(Catastrophic, budget: TimeSpan.FromMilliseconds(5)).Matches(hostile));
    }

    [Fact]
    public void OrdinaryInput_Interpreted_SameMatchesAndGroupsAsTheLinearEngine()
    {
        const string pattern = @"OpenSSL (?<v>\d\.\d{1,2}\.\d{1,2}[a-z]{0,2})(?:-fips)? {1,2}\d{1,2} [A-Z][a-z]{2} \d{4}";
        var regex = new GuardedRegex(pattern);
        var text = "x\0OpenSSL 1.1.1w  11 Sep 2023\0OpenSSL 3.0.13-fips 30 Jan 2024\0OpenSSL 9.9 bad\0";
        var interpreted = regex.Matches(text);
        Assert.False(regex.FellBack);
        var linear = regex.Linear.Matches(text);
        Assert.Equal(2, interpreted.Count);
        Assert.Equal(linear.Select(m => (m.Index, m.Length, m.Groups["v"].Value)), interpreted.Select(m => (m.Index, m.Length, m.Groups["v"].Value)));
        Assert.Equal("3.0.13", regex.Match(text[20..]).Groups["v"].Value);
    }

    [Theory]
    [InlineData(RegexOptions.NonBacktracking)]
    [InlineData(RegexOptions.Compiled)]
    [InlineData(RegexOptions.RightToLeft)]
    public void EngineOptions_Refused(RegexOptions options) =>
        Assert.Throws<ArgumentException>(() => new GuardedRegex("a", options));

    [Fact]
    public void PatternTheLinearEngineRefuses_FailsOnlyWhenItIsNeeded()
    {
        var regex = new GuardedRegex(@"(a)\1");   // backreference: interpreted fine, no linear form
        Assert.True(regex.IsMatch("aa"));
        Assert.Throws<NotSupportedException>(() => regex.Linear);
    }
}
