using System.Diagnostics;

namespace Assay.Cli.Tests;

/// <summary>End to end: the bundled snapshot on a first scan, <c>--fail-on kev</c>, <c>db export/import/status</c>.</summary>
public sealed class VulnDataCommandTests : IDisposable
{
    private static string Repo
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Assay.slnx")))
                dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("repository root (Assay.slnx) not found above the test assembly");
        }
    }

    private static string Fixtures => Path.Combine(Repo, "tests", "Assay.Vulnerabilities.Tests", "Fixtures");

    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"assay-vulndata-{Guid.NewGuid():N}");

    public VulnDataCommandTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private (int Code, string Out, string Err) Run(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "assay.dll"));
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        psi.Environment["LC_ALL"] = "C.UTF-8";
        psi.Environment["LANG"] = "C.UTF-8";
        // No user database, a private cache: the first-run situation.
        psi.Environment["XDG_DATA_HOME"] = Path.Combine(_dir, "data");
        psi.Environment["XDG_CACHE_HOME"] = Path.Combine(_dir, "cache");
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(120_000))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"assay {string.Join(' ', args)} did not finish in 120 s");
        }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    [Fact]
    public void Scan_NoDatabase_UsesTheBundledSnapshotSaysSoAndFailOnKevGates()
    {
        var (code, stdout, stderr) = Run("scan", Path.Combine(Repo, "samples", "delivery-EX1000_1.2.0.zip"), "--no-progress", "--fail-on", "kev");

        Assert.Equal(ExitCodes.FindingsOverThreshold, code);
        Assert.Contains("snapshot bundled with Assay", stderr, StringComparison.Ordinal);
        // A real CVE of the sample's Linux 4.14.180, in the real CISA KEV catalog (added 2024-08-07).
        Assert.Contains("CVE-2024-36971", stdout, StringComparison.Ordinal);
        Assert.Contains("added 2024-08-07", stdout, StringComparison.Ordinal);
        Assert.Contains("known exploited vulnerabilities (CISA KEV): CVE-2024-36971", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void DbExportImportStatus_AirGapRoundTripAndStaleWarning()
    {
        var kev = Path.Combine(_dir, "kev.json");
        File.WriteAllText(kev, File.ReadAllText(Path.Combine(Fixtures, "kev", "catalog.json")).Replace("2099-01-03T17:04:19.9796Z", "2020-01-03T00:00:00Z", StringComparison.Ordinal));
        var lab = Path.Combine(_dir, "lab.db");
        Assert.Equal(ExitCodes.Ok, Run("db", "import", Path.Combine(Fixtures, "nvd", "sample.jsonl"), kev, "--db", lab).Code);

        var (exportCode, exportOut, exportErr) = Run("db", "export", Path.Combine(_dir, "carry.gz"), "--db", lab);
        Assert.True(exportCode == ExitCodes.Ok, exportErr);
        Assert.Contains("SHA-256", exportOut, StringComparison.Ordinal);

        var gapped = Path.Combine(_dir, "gapped.db");
        var (importCode, importOut, importErr) = Run("db", "import", Path.Combine(_dir, "carry.gz"), "--db", gapped);
        Assert.True(importCode == ExitCodes.Ok, importErr);
        Assert.Contains("replaced", importOut, StringComparison.Ordinal);

        var (statusCode, statusOut, statusErr) = Run("db", "status", "--db", gapped);
        Assert.Equal(ExitCodes.Ok, statusCode);
        Assert.Matches(@"(?m)^kev\s+3\s+2020-01-03 00:00\s+\d+ days !", statusOut);
        Assert.Contains("warning: kev data is", statusErr, StringComparison.Ordinal);
        Assert.DoesNotContain("warning: nvd", statusErr, StringComparison.Ordinal);
    }

    [Fact]
    public void DbUpdate_UnknownFeedOrBadMirror_IsUsage()
    {
        Assert.Equal(ExitCodes.Usage, Run("db", "update", "--feed", "exploitdb").Code);
        Assert.Equal(ExitCodes.Usage, Run("db", "update", "--mirror", "ftp://mirror.example/").Code);
    }
}
