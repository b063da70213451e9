using System.Collections.Concurrent;
using Assay.Engine;
using Assay.History.Build;

namespace Assay.History.Tests;

/// <summary>
/// The build comparison on real builds (Fixtures/rebuild/make.sh): the delivered SquashFS image
/// against tar.gz rebuilds that each differ in one planted way. Each normalisation is tried where
/// it applies (the rebuild becomes reproducible) and where it does not (the difference stays).
/// </summary>
public sealed class VerifyBuildTests
{
    private static readonly ConcurrentDictionary<string, BuildTree> Scanned = new(StringComparer.Ordinal);

    /// <summary>One scan per fixture for the whole class, as the CLI does it: engine, recorder, no analyzers.</summary>
    internal static BuildTree Build(string name) => Scanned.GetOrAdd(name, n =>
    {
        var recorder = new BuildRecorder();
        var evaluation = ScanEngine.Run(new ScanRequest(Fixture.Path("rebuild/" + n))
        {
            Analysis = false,
            SkipVulnerabilities = true,
            Parallelism = 1,
            ExtraInspectors = [recorder],
            EntryObserver = recorder,
        });
        return recorder.Complete(evaluation);
    });

    private static VerifyResult Verify(string rebuilt, Normalisations normalise = Normalisations.None, string delivered = "delivered.sqfs") =>
        BuildComparison.Compare(Build(delivered), Build(rebuilt), normalise);

    private static FileVerdict File(VerifyResult r, string path) => Assert.Single(r.Files, f => f.Path == path);

    [Fact]
    public void SameBuild_SquashFsAgainstTarGz_IsReproducibleStrictly()
    {
        var r = Verify("same.tar.gz");
        Assert.Equal(VerifyResult.Reproducible, r.Verdict);
        Assert.Empty(r.Normalisations);
        Assert.Equal(0, r.UnexplainedBytes);
        Assert.True(r.Complete);
        Assert.All(r.Files, f => Assert.Equal(FileVerdict.Identical, f.Status));
        Assert.Contains(r.Files, f => f.Path == "/usr/bin/hello");
        Assert.Contains(r.Files, f => f.Path == "/boot/kernel.fit!/kernel-1");
        // The handlers' DTS listing of the FIT is not part of the build.
        Assert.DoesNotContain(r.Files, f => f.Path.EndsWith(".dts", StringComparison.Ordinal));
        Assert.Equal("/same.tar", r.Rebuilt.Root);
    }

    [Fact]
    public void OtherBuildFolder_OnlyDebugInformationAndBuildIdDiffer()
    {
        var r = Verify("debugpath.tar.gz");
        Assert.Equal(VerifyResult.NotReproducible, r.Verdict);
        var hello = File(r, "/usr/bin/hello");
        Assert.Equal(FileVerdict.Differs, hello.Status);
        var differing = hello.Sections.Where(s => s.Status != FileVerdict.Identical).Select(s => s.Name).ToList();
        Assert.Contains(".note.gnu.build-id", differing);
        Assert.Contains(differing, n => n.StartsWith(".debug_", StringComparison.Ordinal));
        Assert.DoesNotContain(differing, n => n is ".text" or ".rodata" or ".data" or ".dynsym" or ".plt");
        Assert.Equal(FileVerdict.Identical, hello.Sections.Single(s => s.Name == ".text").Status);
        Assert.Single(r.Files, f => f.Status != FileVerdict.Identical);
        Assert.Equal(hello.UnexplainedBytes, r.UnexplainedBytes);
    }

    [Fact]
    public void PatchedInstruction_TextDiffers()
    {
        var hello = File(Verify("patched.tar.gz", Normalisations.Mtime | Normalisations.Owner | Normalisations.Order | Normalisations.Signatures), "/usr/bin/hello");
        Assert.Equal(FileVerdict.Differs, hello.Status);
        Assert.Equal(FileVerdict.Differs, hello.Sections.Single(s => s.Name == ".text").Status);
        Assert.Equal(FileVerdict.Identical, hello.Sections.Single(s => s.Name == ".rodata").Status);
    }

    [Fact]
    public void ExtraFile_IsOnlyRebuiltAndCountsWhole()
    {
        var r = Verify("extra.tar.gz", Normalisations.Mtime | Normalisations.Owner | Normalisations.Order | Normalisations.Signatures);
        var extra = File(r, "/usr/bin/extra-tool");
        Assert.Equal(FileVerdict.OnlyRebuilt, extra.Status);
        Assert.Equal(VerifyResult.NotReproducible, r.Verdict);
        Assert.Equal(21, r.UnexplainedBytes);
    }

    [Fact]
    public void Signatures_OtherSigner_NormalisedOnlyWhenDeclared()
    {
        var strict = Verify("resigned.tar.gz");
        Assert.Equal(VerifyResult.NotReproducible, strict.Verdict);
        Assert.Equal(["/boot/image.bin.sig", "/boot/kernel.fit", "/lib/modules/demo.ko"], strict.Files.Where(f => f.Status == FileVerdict.Differs).Select(f => f.Path));
        Assert.Equal(FileVerdict.Identical, File(strict, "/lib/modules/demo.ko").Sections.Single(s => s.Name == ".text").Status);
        Assert.Equal(FileVerdict.Differs, File(strict, "/lib/modules/demo.ko").Sections.Single(s => s.Name == "[module signature]").Status);

        var normalised = Verify("resigned.tar.gz", Normalisations.Signatures);
        Assert.Equal(VerifyResult.Reproducible, normalised.Verdict);
        Assert.Equal(0, normalised.UnexplainedBytes);
        Assert.Equal(3, normalised.Normalised["signatures"]);
        Assert.All(normalised.Files.Where(f => f.Status == FileVerdict.Normalised), f => Assert.Equal("signatures", Assert.Single(f.NormalisedBy).Normalisation));
    }

    [Fact]
    public void Signatures_UnsignedRebuild_NormalisedAgainstTheSignedDelivery()
    {
        var r = Verify("unsigned.tar.gz", Normalisations.Signatures);
        Assert.Equal(VerifyResult.Reproducible, r.Verdict);
        Assert.Equal(FileVerdict.Normalised, File(r, "/boot/image.bin.sig").Status);
        Assert.Contains("FIT signature node /configurations/conf-1/signature-1", Assert.Single(File(r, "/boot/kernel.fit").NormalisedBy).Detail, StringComparison.Ordinal);
        Assert.Equal(VerifyResult.NotReproducible, Verify("unsigned.tar.gz").Verdict);
    }

    [Fact]
    public void Signatures_TrailerThatIsNotPkcs7_IsNeverSetAside()
    {
        var r = Verify("fakesig.tar.gz", Normalisations.Signatures);
        Assert.Equal(VerifyResult.NotReproducible, r.Verdict);
        var module = File(r, "/lib/modules/demo.ko");
        Assert.Equal(FileVerdict.Differs, module.Status);
        Assert.True(module.UnexplainedBytes >= 200, $"{module.UnexplainedBytes} unexplained bytes");
    }

    [Fact]
    public void Mtime_NormalisedOnlyWhenDeclared()
    {
        var strict = Verify("mtime.tar.gz");
        Assert.Equal(VerifyResult.NotReproducible, strict.Verdict);
        Assert.Contains("mtime", File(strict, "/usr/bin/hello").What);
        Assert.Contains(File(strict, "/boot/kernel.fit").Sections, s => s.Name == "/:timestamp" && s.Status == FileVerdict.Differs);

        var normalised = Verify("mtime.tar.gz", Normalisations.Mtime);
        Assert.Equal(VerifyResult.Reproducible, normalised.Verdict);
        Assert.Equal(FileVerdict.Normalised, File(normalised, "/usr/bin/hello").Status);
        // Owners were not touched: declaring owner alone does not excuse times.
        Assert.Equal(VerifyResult.NotReproducible, Verify("mtime.tar.gz", Normalisations.Owner).Verdict);
    }

    [Fact]
    public void Owner_NormalisedOnlyWhenDeclared()
    {
        Assert.Contains("owner", File(Verify("owner.tar.gz"), "/etc/hello.conf").What);
        var r = Verify("owner.tar.gz", Normalisations.Owner);
        Assert.Equal(VerifyResult.Reproducible, r.Verdict);
        Assert.Equal("uid:gid 0:0 → 1000:1000", Assert.Single(File(r, "/etc/hello.conf").NormalisedBy).Detail);
        Assert.Equal(VerifyResult.NotReproducible, Verify("owner.tar.gz", Normalisations.Mtime | Normalisations.Signatures).Verdict);
    }

    [Fact]
    public void Order_ReorderedTar_NormalisedOnlyWhenDeclared()
    {
        var strict = Verify("reordered.tar.gz", delivered: "delivered.tar.gz");
        Assert.Equal(VerifyResult.NotReproducible, strict.Verdict);
        Assert.Equal(["order"], File(strict, "/").What);
        Assert.Equal(VerifyResult.Reproducible, Verify("reordered.tar.gz", Normalisations.Order, "delivered.tar.gz").Verdict);
        // A SquashFS image has no member order to compare with a tar's.
        Assert.Equal(VerifyResult.Reproducible, Verify("reordered.tar.gz").Verdict);
    }

    [Theory]
    [InlineData("mtime,owner", Normalisations.Mtime | Normalisations.Owner)]
    [InlineData(" signatures , order ", Normalisations.Signatures | Normalisations.Order)]
    [InlineData("", Normalisations.None)]
    public void NormalisationNames_Parse(string text, Normalisations expected) => Assert.Equal(expected, NormalisationNames.Parse(text));

    [Fact]
    public void NormalisationNames_Unknown_NamesTheValidOnes() =>
        Assert.Contains("valid: mtime, owner, order, signatures", Assert.Throws<ArgumentException>(() => NormalisationNames.Parse("mtime,debug")).Message, StringComparison.Ordinal);
}
