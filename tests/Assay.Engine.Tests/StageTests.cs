using Assay.Core.Model;
using Assay.Core.Pipeline;

namespace Assay.Engine.Tests;

/// <summary>The stages run apart, each from the stored output of the ones before, give the evaluation of one fused scan.</summary>
public sealed class StageTests
{
    [Fact]
    public void Stages_RunApartFromStoredOutputs_GiveTheFusedEvaluation()
    {
        var request = Sample.Request();
        var fused = ScanEngine.Run(request);

        var identity = RoundTrip(ScanStages.Identify(request));
        var tree = RoundTrip(ScanStages.Unpack(request, identity));
        var catalog = RoundTrip(ScanStages.Catalog(request, identity, tree));
        var analysis = RoundTrip(ScanStages.Analyze(request, identity, tree));
        var evaluation = RoundTrip(ScanStages.Assemble(request, identity, tree, catalog, analysis));
        foreach (var step in ScanEngine.Steps(request))
            evaluation = RoundTrip(ScanStages.Evaluate(request, evaluation, step.Id));

        Assert.Equal(Sample.Canonical(fused), Sample.Canonical(evaluation));
        Assert.NotEmpty(catalog.Components);
        Assert.NotEmpty(analysis.Findings);
        Assert.Equal(["fingerprints", "consolidate", "ts33117"], ScanEngine.Steps(request).Select(s => s.Id));
    }

    [Fact]
    public void UnpackAndInspect_ThenMatch_FromTheStoredDocument_GivesTheFusedEvaluation()
    {
        var request = Sample.Request();
        var fused = ScanEngine.Run(request);
        var progress = new ScanProgress();

        var delivery = RoundTrip(ScanStages.UnpackAndInspect(request, progress));
        var evaluation = ScanStages.Match(request, delivery);

        Assert.Equal(Sample.Canonical(fused), Sample.Canonical(evaluation));
        Assert.NotNull(delivery.Inspection);
        Assert.Equal(fused.Files.Count, delivery.Tree.Files.Count);
        Assert.True(progress.Files > 0, "the walk reports its progress to the caller's counters");
    }

    [Fact]
    public void UnpackAndInspect_WithoutAnalysis_HasNoInspection()
    {
        var request = Sample.Request() with { Analysis = false };
        var delivery = ScanStages.UnpackAndInspect(request);
        Assert.Null(delivery.Inspection);
        Assert.Equal(Sample.Canonical(ScanEngine.Run(request)), Sample.Canonical(ScanStages.Match(request, delivery)));
    }

    [Fact]
    public void Identify_GivesSizeHashAndFormat()
    {
        var identity = ScanStages.Identify(Sample.Request());
        Assert.Equal("zip", identity.Format);
        Assert.Equal(new FileInfo(Sample.Delivery).Length, identity.Input.Size);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Sample.Delivery))), identity.Input.Sha256);
    }

    [Fact]
    public void Inspect_InputChangedBetweenStages_IsAnError()
    {
        var request = Sample.Request();
        var identity = ScanStages.Identify(request);
        var tree = ScanStages.Unpack(request, identity);
        var other = identity with { Input = identity.Input with { Size = identity.Input.Size + 1 } };
        Assert.Throws<InvalidOperationException>(() => ScanStages.Catalog(request, other, tree));
    }

    [Fact]
    public void Evaluate_UnknownStep_NamesTheSteps()
    {
        var e = Assert.Throws<ArgumentException>(() => ScanStages.Evaluate(Sample.Request(), new Evaluation { Tool = new ToolInfo("a", "0"), Input = new InputInfo("x", 0, "") }, "report"));
        Assert.Contains("consolidate, ts33117", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StageDocument_NotADocument_IsInvalidData()
    {
        Assert.Throws<InvalidDataException>(() => StageDocument.Read<UnpackResult>("not json"u8.ToArray()));
        var bytes = StageDocument.Write(new UnpackResult());
        Assert.Equal(64, StageDocument.Address(bytes).Length);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void Jobs_AnyNumberOfWorkers_SameEvaluation(int jobs)
    {
        var reference = Sample.Canonical(ScanEngine.Run(Sample.Request(parallelism: 2)));
        Assert.Equal(reference, Sample.Canonical(ScanEngine.Run(Sample.Request(parallelism: jobs))));
    }

    private static T RoundTrip<T>(T output) => StageDocument.Read<T>(StageDocument.Write(output));
}
