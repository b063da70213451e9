using Assay.Network.Inventory;
using Assay.Network.Policy;

namespace Assay.Network.Tests;

public sealed class PackParametersTests
{
    [Theory]
    [InlineData("disbursement", "is not NAME=YYYY-MM-DD")]
    [InlineData("Disbursement=2022-10-29", "is not NAME=YYYY-MM-DD")]
    [InlineData("disbursement=2022-13-01", "'2022-13-01' is not a date")]
    [InlineData("disbursement=tomorrow", "'tomorrow' is not a date")]
    public void Parse_Malformed_SaysWhatIsExpected(string argument, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => PackParameters.Parse([argument]));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Parse_Twice_IsAnError()
    {
        var e = Assert.Throws<ArgumentException>(() => PackParameters.Parse(["allocation=2022-07-15", "allocation=2022-07-16"]));
        Assert.Contains("given twice", e.Message);
    }

    [Fact]
    public void CheckKnown_Misspelt_ListsTheDeclaredParameters()
    {
        var e = Assert.Throws<ArgumentException>(() => PackParameters.CheckKnown(PackParameters.Parse(["disbursment=2022-10-29"]), [BuiltinPolicyPacks.Find("us-fcc")!]));
        Assert.Contains("no such parameter", e.Message);
        Assert.Contains("disbursement (us-fcc:", e.Message);
        var none = Assert.Throws<ArgumentException>(() => PackParameters.CheckKnown(PackParameters.Parse(["allocation=2022-07-15"]), [BuiltinPolicyPacks.Find("uk-dvd")!]));
        Assert.Contains("take no parameters", none.Message);
    }

    [Fact]
    public void Apply_IgnoresParametersOfOtherPacks_AndLeavesFixedDatesAlone()
    {
        var dvd = BuiltinPolicyPacks.Find("uk-dvd")!;
        Assert.Same(dvd, PackParameters.Apply(dvd, PackParameters.Parse(["allocation=2022-07-15"])));
    }

    [Fact]
    public void Loader_ParameterDates_AreValidated()
    {
        var e = Assert.Throws<InventoryException>(() => PolicyPackLoader.Parse("""
            id: p
            vendor_class: named
            vendors: [X]
            parameters:
              - {name: start, description: "d"}
              - {name: Start2, description: "d"}
            rules:
              - {id: A, kind: deadline, from: {param: begin, months: 12}}
              - {id: B, kind: deadline, from: {param: start, months: -1}}
              - {id: C, kind: deadline, from: {param: start, months: 12}, extension_param: later}
              - {id: D, kind: deadline, from: [2020-01-01]}
            """, "p.yaml"));
        Assert.Contains("parameter name 'Start2'", e.Message);
        Assert.Contains("rule A: from.param 'begin' is not a parameter of the pack (declared: start)", e.Message);
        Assert.Contains("rule B: months '-1'", e.Message);
        Assert.Contains("rule C: extension_param 'later'", e.Message);
        Assert.Contains("rule D: each entry of 'from' must be a mapping", e.Message);
    }

    [Fact]
    public void Loader_ParameterDate_ResolvesFromTheFirstGivenParameter()
    {
        var pack = PolicyPackLoader.Parse("""
            id: p
            vendor_class: named
            vendors: [X]
            parameters:
              - {name: exact, description: "d"}
              - {name: rough, description: "d", example: 2021-01-31}
            rules:
              - id: A
                kind: deadline
                from: [{param: exact, months: 6}, {param: rough, months: 1, assumption: "a bound"}]
            """, "p.yaml");
        Assert.Null(pack.Rules[0].From);
        Assert.Contains("--param rough=2021-01-31", pack.Rules[0].Unresolved);
        var rough = PackParameters.Apply(pack, PackParameters.Parse(["rough=2021-01-31"])).Rules[0];
        // month arithmetic keeps the day where it can: 31 Jan + 1 month = 28 Feb
        Assert.Equal((new DateOnly(2021, 2, 28), "a bound"), (rough.From!.Value, rough.DateAssumption));
        var exact = PackParameters.Apply(pack, PackParameters.Parse(["rough=2021-01-31", "exact=2021-03-15"])).Rules[0];
        Assert.Equal((new DateOnly(2021, 9, 15), (string?)null), (exact.From!.Value, exact.DateAssumption));
    }
}

public sealed class YamlHostileInputTests
{
    [Fact]
    public void DeeplyNestedBrackets_AreRefusedBeforeTheReaderRecurses()
    {
        var yaml = "id: x\nvendor_class: named\nvendors: [X]\nrules: " + new string('[', 100_000) + new string(']', 100_000) + "\n";
        var e = Assert.Throws<InventoryException>(() => PolicyPackLoader.Parse(yaml, "deep.yaml"));
        Assert.Contains("deep.yaml:4: brackets nested more than 64 deep", e.Message);
    }

    [Fact]
    public void DeepIndentation_IsRefused()
    {
        var e = Assert.Throws<InventoryException>(() => PolicyPackLoader.Parse("id: x\n" + new string(' ', 600) + "- a\n", "indent.yaml"));
        Assert.Contains("indent.yaml:2: indented more than 512 spaces", e.Message);
    }

    [Fact]
    public void BracketsInTextQuotesAndComments_AreNotNesting()
    {
        var brackets = new string('[', 80);
        var pack = PolicyPackLoader.Parse($"id: x # {brackets}\ntitle: \"{brackets}\"\nnote: see {brackets} here\nvendor_class: named\nvendors: [X]\nrules:\n  - {{id: A, kind: exclude, note: '{brackets}'}}\n", "ok.yaml");
        Assert.Equal(brackets, pack.Title);
    }

    [Theory]
    [InlineData("yaml-scanner-crash.bin")]
    [InlineData("yaml-parser-crash.bin")]
    public void ReaderFailure_OnMalformedInput_IsAnInputError(string fixture)
    {
        // Found by fuzzing: YamlDotNet throws InvalidOperationException (scanner) and ArgumentException (node parser) on these.
        var bytes = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", fixture));
        var e = Assert.Throws<InventoryException>(() => PolicyPackLoader.Parse(System.Text.Encoding.UTF8.GetString(bytes), "fuzz.yaml"));
        Assert.StartsWith("fuzz.yaml", e.Message);
    }
}
