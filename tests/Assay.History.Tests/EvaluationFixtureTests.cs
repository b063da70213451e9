using System.Text.Json;
using Assay.Engine;
using Assay.History.Diff;
using Assay.Reports;

namespace Assay.History.Tests;

/// <summary>
/// An evaluation written to JSON and read back (Fixtures/evaluations/make.sh) diffs exactly like a
/// fresh one: the analyzers' tables, fingerprints and in-tree paths survive the round trip, so
/// <c>assay diff old.json NEW</c> gives what diffing two fresh scans gives.
/// </summary>
public sealed class EvaluationFixtureTests
{
    // the document conventions, with metadata by reflection for the test's own wrapper array
    private static readonly JsonSerializerOptions Json = new(AssayJson.Compact) { TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver() };

    private static string Parts(ReleaseDiffResult d) =>
        JsonSerializer.Serialize(new object[] { d.Components, d.Vulnerabilities, d.Findings, d.Files, d.Hardening, d.Ts33117 }, Json);

    [Fact]
    public void StoredEvaluation_DiffsLikeAFreshScan()
    {
        var stored = EvaluationDocument.Read(Fixture.Path("evaluations/EX2000_1.0.0.json"));
        var fresh = ScanEngine.Run(new ScanRequest(Fixture.Path("releases/EX2000_1.0.0.zip")) { SkipVulnerabilities = true, Parallelism = 1 });
        var next = ScanEngine.Run(new ScanRequest(Fixture.Path("releases/EX2000_1.1.0.zip")) { SkipVulnerabilities = true, Parallelism = 1 });
        Assert.Equal(Parts(ReleaseDiff.Compare(fresh, next)), Parts(ReleaseDiff.Compare(stored, next)));
        Assert.Equal(fresh.Findings.Select(f => f.Fingerprint), stored.Findings.Select(f => f.Fingerprint));
    }
}
