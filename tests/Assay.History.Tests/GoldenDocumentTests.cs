using System.Text;
using Assay.History.Build;
using Assay.History.Diff;
using Assay.History.Reports;

namespace Assay.History.Tests;

/// <summary>
/// Golden files of the history documents (STYLE.md rule 9): the diff as JSON and SARIF, the
/// verify-build document and the in-toto statement, byte for byte. The inputs' host paths are
/// replaced by their file names (the only volatile field). Set ASSAY_UPDATE_GOLDEN=1 to rewrite
/// them after an intended change, then review the diff.
/// </summary>
public sealed class GoldenDocumentTests
{
    private static readonly string Repo = FindRepo();

    /// <summary>The two stored evaluations of the EX2000 fixture: components, files, hardening and TS 33.117 tables from a real scan.</summary>
    private static ReleaseDiffResult StoredDiff() => ReleaseDiff.Compare(
        EvaluationDocument.Read(Fixture.Path("evaluations/EX2000_1.0.0.json")), EvaluationDocument.Read(Fixture.Path("evaluations/EX2000_1.1.0.json")));

    /// <summary>A signed delivery against a rebuild signed by another key: normalised with <c>signatures</c>, differing without.</summary>
    private static VerifyResult Resigned(Normalisations normalise)
    {
        var r = BuildComparison.Compare(VerifyBuildTests.Build("delivered.sqfs"), VerifyBuildTests.Build("resigned.tar.gz"), normalise);
        return r with
        {
            Delivered = r.Delivered with { Path = Path.GetFileName(r.Delivered.Path) },
            Rebuilt = r.Rebuilt with { Path = Path.GetFileName(r.Rebuilt.Path) },
        };
    }

    [Fact]
    public void DiffJson_StoredEvaluations_MatchesGolden() => Compare("diff-ex2000.json", Write(new DiffJsonWriter(), StoredDiff()));

    [Fact]
    public void DiffSarif_StoredEvaluations_MatchesGolden() => Compare("diff-ex2000.sarif", Write(new DiffSarifWriter(), StoredDiff()));

    [Fact]
    public void DiffJson_Sample_MatchesGolden() => Compare("diff-sample.json", Write(new DiffJsonWriter(), DiffReportTests.Sample()));

    [Fact]
    public void DiffSarif_Sample_MatchesGolden() => Compare("diff-sample.sarif", Write(new DiffSarifWriter(), DiffReportTests.Sample()));

    [Fact]
    public void VerifyJson_ResignedStrict_MatchesGolden() => Compare("verify-resigned-strict.json", Write(new VerifyJsonWriter(), Resigned(Normalisations.None)));

    [Fact]
    public void VerifyJson_ResignedNormalised_MatchesGolden() => Compare("verify-resigned-signatures.json", Write(new VerifyJsonWriter(), Resigned(Normalisations.Signatures)));

    [Fact]
    public void InTotoStatement_ResignedNormalised_MatchesGolden() => Compare("verify-resigned-signatures.intoto.json", Write(new InTotoWriter(), Resigned(Normalisations.Signatures)));

    private static string Write(IDiffReportWriter writer, ReleaseDiffResult diff)
    {
        using var stream = new MemoryStream();
        writer.Write(diff, stream);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static string Write(IVerifyReportWriter writer, VerifyResult result)
    {
        using var stream = new MemoryStream();
        writer.Write(result, stream);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void Compare(string name, string actual)
    {
        var path = Path.Combine(Repo, "tests", "Assay.History.Tests", "Golden", name);
        if (Environment.GetEnvironmentVariable("ASSAY_UPDATE_GOLDEN") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, actual);
        }
        Assert.True(File.Exists(path), $"golden file {path} is missing; run with ASSAY_UPDATE_GOLDEN=1 to create it");
        Assert.Equal(File.ReadAllText(path), actual);
    }

    private static string FindRepo()
    {
        var dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "Assay.slnx")))
            dir = Path.GetDirectoryName(dir);
        return dir ?? throw new InvalidOperationException("the tests run inside the repository (Assay.slnx not found above the test binaries)");
    }
}
