using Assay.Core.Text;

namespace Assay.Core.Tests;

/// <summary>The text pre-check that keeps YamlDotNet's recursive reader from overflowing the stack.</summary>
public sealed class YamlNestingTests
{
    [Theory]
    [InlineData("a: [1, [2, {b: c}]]\n")]
    [InlineData("items:\n  - name: x\n    args: [\"--a\", \"[not a bracket\"]\n  - - nested\n    - list\n")]
    [InlineData("note: text with [brackets] and - dashes - inside # and [[[[ comments\n")]
    [InlineData("s: '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[['\n")]
    [InlineData("? complex key\n: value\n")]
    public void RealYaml_Passes(string text) => Assert.Null(YamlNesting.Check(text));

    [Fact]
    public void DeepFlowNesting_IsRefusedWithItsLine()
    {
        var refused = YamlNesting.Check("a: 1\nb: " + new string('[', 100_000));
        Assert.NotNull(refused);
        Assert.Equal(2, refused.Value.Line);
        Assert.Contains("brackets nested more than 64", refused.Value.Reason);
    }

    [Fact]
    public void DashesOnOneLine_AreBlockNestingAndAreBounded()
    {
        // "- - - - x": every dash opens a sequence inside the last; no indentation at all.
        var refused = YamlNesting.Check(string.Concat(Enumerable.Repeat("- ", 50_000)) + "x\n");
        Assert.NotNull(refused);
        Assert.Contains("block entries nested past column", refused.Value.Reason);
        Assert.Null(YamlNesting.Check(string.Concat(Enumerable.Repeat("- ", 20)) + "x\n"));
    }

    [Fact]
    public void DeepIndentation_IsRefused()
    {
        var text = string.Concat(Enumerable.Range(0, 600).Select(i => new string(' ', i) + "k:\n"));
        Assert.Contains("indented more than", YamlNesting.Check(text)!.Value.Reason);
    }

    [Fact]
    public void LongFlowLine_IsNotNesting()
    {
        // A single-line JSON manifest is YAML too: long, flat, dashes in strings.
        var json = "{\"items\": [" + string.Join(", ", Enumerable.Range(0, 2_000).Select(i => $"{{\"name\": \"a-{i}\", \"v\": -{i}}}")) + "]}";
        Assert.Null(YamlNesting.Check(json));
    }
}
