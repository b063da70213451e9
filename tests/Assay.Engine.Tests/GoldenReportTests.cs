using System.Globalization;
using Assay.Core.Model;
using Assay.Reports;

namespace Assay.Engine.Tests;

/// <summary>
/// Golden files for everything serialized from a scan (STYLE.md rule 9): the evaluation of the
/// bundled sample delivery in every report format, byte for byte, under an invariant and two
/// non-English cultures. Volatile fields are fixed before writing: the scan's start and end (and so
/// the end-of-support date the consolidation judges by) and the input's absolute path.
/// <c>ASSAY_UPDATE_GOLDEN=1</c> rewrites the files in tests/Assay.Engine.Tests/Golden (review the diff).
/// </summary>
public sealed class GoldenReportTests
{
    private static readonly DateTimeOffset Fixed = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly Lazy<Evaluation> Evaluation = new(Scan);

    public static TheoryData<string> Writers() => [.. ReportWriters.All.Select(w => w.Id)];

    [Theory]
    [MemberData(nameof(Writers))]
    public void Report_OfTheSample_IsTheGoldenFile(string id)
    {
        var writer = ReportWriters.Find(id)!;
        var name = $"sample.{id}{writer.FileExtension}";
        var text = Write(writer, CultureInfo.InvariantCulture);
        if (Environment.GetEnvironmentVariable("ASSAY_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(Path.Combine(Sample.Repo, "tests", "Assay.Engine.Tests", "Golden", name), text);
            return;
        }
        var golden = Path.Combine(Sample.Repo, "tests", "Assay.Engine.Tests", "Golden", name);
        Assert.True(File.Exists(golden), $"no golden file {name}; run with ASSAY_UPDATE_GOLDEN=1 and review it");
        Assert.Equal(File.ReadAllText(golden), text);
        foreach (var culture in new[] { "de-DE", "tr-TR" })
            Assert.Equal(text, Write(writer, CultureInfo.GetCultureInfo(culture)));
    }

    private static string Write(IReportWriter writer, CultureInfo culture)
    {
        var (current, ui) = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = culture;
            using var stream = new MemoryStream();
            writer.Write(Evaluation.Value, stream);
            return System.Text.Encoding.UTF8.GetString(stream.ToArray());
        }
        finally
        {
            (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = (current, ui);
        }
    }

    /// <summary>The sample's evaluation as of <see cref="Fixed"/>, its input named by its path in the repository.</summary>
    private static Evaluation Scan()
    {
        var request = Sample.Request();
        var identity = ScanStages.Identify(request);
        identity = identity with { StartedAt = Fixed, Input = identity.Input with { Path = "samples/delivery-EX1000_1.2.0.zip" } };
        var tree = ScanStages.Unpack(request, identity);
        var evaluation = ScanStages.Assemble(request, identity, tree, ScanStages.Catalog(request, identity, tree), ScanStages.Analyze(request, identity, tree)) with { FinishedAt = Fixed.AddSeconds(1) };
        foreach (var step in ScanEngine.Steps(request))
            evaluation = ScanStages.Evaluate(request, evaluation, step.Id);
        return evaluation;
    }
}
