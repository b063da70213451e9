using System.Diagnostics;
using Assay.Core.Model;
using Assay.Engine;
using Assay.Reports;
using Json.Schema;

namespace Assay.Cli.Tests;

/// <summary>End to end: the bundled sample through `assay scan`, the documented schema and exit codes.</summary>
public sealed class CliTests
{
    private static readonly string Repo = FindRepo();

    private static string FindRepo()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Assay.slnx")))
                return dir.FullName;
        }
        throw new InvalidOperationException("repository root (Assay.slnx) not found above the test folder");
    }

    private static string Sample => Path.Combine(Repo, "samples", "delivery-EX1000_1.2.0.zip");

    [Fact]
    public void Scan_Sample_FindsTheNestedTreeWithoutErrors()
    {
        var e = ScanRunner.Run(new ScanRequest(Sample) { SkipVulnerabilities = true }, showProgress: false);
        Assert.DoesNotContain(e.Errors, x => x.Category != ErrorCategory.Limit);
        Assert.Contains(e.Files, f => f.Path.EndsWith(".squashfs!/usr/sbin/httpd", StringComparison.Ordinal) && f.Type?.Class == "elf");
        Assert.Contains(e.Files, f => f.Path == "delivery-EX1000_1.2.0.zip!/firmware/initramfs.cpio.gz!/initramfs.cpio!/etc/inittab");
        Assert.Contains(e.Chunks, c => c.Format == "padding");
    }

    [Fact]
    public void JsonReport_Sample_ValidatesAgainstTheDocumentedSchema()
    {
        var e = ScanRunner.Run(new ScanRequest(Sample) { SkipVulnerabilities = true }, showProgress: false);
        using var stream = new MemoryStream();
        new JsonReportWriter().Write(e, stream);
        var schema = JsonSchema.FromFile(Path.Combine(Repo, "docs", "evaluation.schema.json"));
        var result = schema.Evaluate(System.Text.Json.JsonDocument.Parse(stream.ToArray()).RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        Assert.True(result.IsValid, string.Join("\n", (result.Details ?? []).Where(d => d.Errors is not null).SelectMany(d => d.Errors!.Select(x => $"{d.InstanceLocation}: {x.Value}")).Take(10)));
    }

    [Fact]
    public void Summary_Sample_NamesFormatsAndCounts()
    {
        var e = ScanRunner.Run(new ScanRequest(Sample) { SkipVulnerabilities = true }, showProgress: false);
        using var stream = new MemoryStream();
        new SummaryReportWriter().Write(e, stream);
        var text = System.Text.Encoding.UTF8.GetString(stream.ToArray());
        Assert.Contains("squashfs", text, StringComparison.Ordinal);
        Assert.Contains("cpio (newc)", text, StringComparison.Ordinal);
        Assert.Contains("Entries", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "scan", "/nonexistent/image.bin" }, 3)]
    [InlineData(new[] { "scan" }, 2)]
    [InlineData(new[] { "scan", "x", "--format", "pdf" }, 2)]
    [InlineData(new[] { "no-such-command" }, 2)]
    public void ExitCode_BadInvocation_IsDocumented(string[] args, int expected) => Assert.Equal(expected, Run(args).Code);

    [Fact]
    public void Extract_Sample_WritesTreeOnlyInsideTheFolder()
    {
        var dir = Directory.CreateTempSubdirectory("assay-cli-").FullName;
        try
        {
            var (code, _, _) = Run(["scan", Sample, "--extract", Path.Combine(dir, "out"), "-f", "json", "-o", Path.Combine(dir, "e.json"), "--no-progress", "--no-vulns"]);
            Assert.Equal(0, code);
            Assert.True(File.Exists(Path.Combine(dir, "out", "delivery-EX1000_1.2.0.zip.extracted", "RELEASE-NOTES.txt")));
            Assert.All(Directory.EnumerateFileSystemEntries(dir), p => Assert.True(p.EndsWith("out", StringComparison.Ordinal) || p.EndsWith("e.json", StringComparison.Ordinal)));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void DbImportThenScan_Sample_MatchesAndGatesOnSeverity()
    {
        var dir = Directory.CreateTempSubdirectory("assay-db-").FullName;
        try
        {
            var db = Path.Combine(dir, "v.db");
            var feed = Path.Combine(Repo, "tests", "Assay.Vulnerabilities.Tests", "Fixtures", "nvd", "sample.jsonl");
            Assert.Equal(0, Run(["db", "import", feed, "--db", db]).Code);
            var (code, _, _) = Run(["scan", Sample, "--db", db, "-f", "json", "-o", Path.Combine(dir, "e.json"), "--no-progress", "--fail-on", "critical"]);
            var e = JsonReportWriter.Read(File.OpenRead(Path.Combine(dir, "e.json")));
            // The sample's web daemon carries the OpenSSL 1.0.2k banner; the fixture feed has OpenSSL ranges.
            Assert.Contains(e.Components, c => c.Name == "openssl" && c.Version == "1.0.2k");
            var expected = e.Findings.Any(f => f.Severity >= Core.Model.Severity.Critical) || e.Vulnerabilities.Any(v => v.Severity >= Core.Model.Severity.Critical) ? 1 : 0;
            Assert.Equal(expected, code);
            Assert.Equal(1, expected);
        }
        finally
        {
            if (Directory.Exists(dir))
                Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Scan_MissingDatabase_IsInputUnreadable() =>
        Assert.Equal(3, Run(["scan", Sample, "--db", "/nonexistent/v.db", "--no-progress"]).Code);

    [Theory]
    [InlineData("html", "<!DOCTYPE html>")]
    [InlineData("sarif", "\"version\": \"2.1.0\"")]
    public void Scan_Sample_WritesEachReportFormat(string format, string marker)
    {
        var (code, stdout, _) = Run(["scan", Sample, "-f", format, "--no-progress", "--no-vulns"]);
        Assert.Equal(0, code);
        Assert.Contains(marker, stdout, StringComparison.Ordinal);
    }

    private static (int Code, string Out, string Err) Run(string[] args) => AssayProcess.Run(args);
}
