using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json;
using Assay.Core.Extraction;

namespace Assay.Cli.Tests;

/// <summary>
/// What a user and a CI gate rely on, through the real command in a process: the report never
/// replaces a device, FIFO or link named as output; an input that was not understood exits 5 (or 1
/// with <c>--fail-on error</c>) and says so; folders are never created or overwritten silently.
/// The inputs are made here from the bundled sample (cut short, emptied, compressed).
/// </summary>
public sealed class UserContractTests : IDisposable
{
    private static string Sample => Path.Combine(Fixture.RepoRoot, "samples", "delivery-EX1000_1.2.0.zip");

    private readonly string _dir = Directory.CreateTempSubdirectory("assay-user-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Temp(string name) => Path.Combine(_dir, name);

    private static (int Code, string Out, string Err) Run(params string[] args) => AssayProcess.Run(args);

    // ---------------- -o never replaces what is not a regular file ----------------

    [Fact]
    public void Output_CharacterDevice_IsWrittenThroughAndStaysADevice()
    {
        Assert.Equal(HostFileType.CharDevice, HostFile.TypeOf("/dev/null"));
        var (code, _, err) = Run("scan", Sample, "-f", "json", "-o", "/dev/null", "--no-progress", "--no-vulns");
        Assert.True(code == ExitCodes.Ok, err);
        Assert.Equal(HostFileType.CharDevice, HostFile.TypeOf("/dev/null"));
        Assert.Empty(Directory.EnumerateFiles("/dev", ".null.*"));
    }

    [Fact]
    public async Task Output_Fifo_IsWrittenThroughToTheReader()
    {
        var fifo = Temp("report.fifo");
        using (var mk = Process.Start("mkfifo", [fifo]))
            mk.WaitForExit();
        Assert.Equal(HostFileType.Fifo, HostFile.TypeOf(fifo));
        // The reader must open the FIFO while assay writes to it, as a pipeline would.
        var reader = Task.Run(() => File.ReadAllText(fifo));
        var (code, _, err) = Run("scan", Sample, "-f", "json", "-o", fifo, "--no-progress", "--no-vulns");
        Assert.True(code == ExitCodes.Ok, err);
        var text = await reader.WaitAsync(TimeSpan.FromSeconds(60));
        using var doc = JsonDocument.Parse(text);
        Assert.Equal("assay", doc.RootElement.GetProperty("tool").GetProperty("name").GetString());
        Assert.Equal(HostFileType.Fifo, HostFile.TypeOf(fifo));
    }

    [Fact]
    public void Output_Symlink_IsFollowedAndStaysALink()
    {
        var target = Temp("real-report.json");
        File.WriteAllText(target, "old content");
        var link = Temp("report-link.json");
        File.CreateSymbolicLink(link, target);
        var (code, _, err) = Run("scan", Sample, "-f", "json", "-o", link, "--no-progress", "--no-vulns");
        Assert.True(code == ExitCodes.Ok, err);
        Assert.Equal(HostFileType.Symlink, HostFile.TypeOf(link));
        Assert.Equal(target, new FileInfo(link).LinkTarget);
        using var doc = JsonDocument.Parse(File.ReadAllText(target));
        Assert.True(doc.RootElement.TryGetProperty("files", out _));
    }

    [Fact]
    public void Output_RegularFile_IsReplacedAtomicallyWithNoTemporaryLeft()
    {
        var report = Temp("report.json");
        File.WriteAllText(report, "old content");
        var (code, _, err) = Run("scan", Sample, "-f", "json", "-o", report, "--no-progress", "--no-vulns");
        Assert.True(code == ExitCodes.Ok, err);
        Assert.StartsWith("{", File.ReadAllText(report), StringComparison.Ordinal);
        Assert.Equal(["report.json"], Directory.EnumerateFileSystemEntries(_dir).Select(Path.GetFileName));
    }

    [Fact]
    public void Output_FolderThatDoesNotExist_IsRefusedBeforeTheScanAndNotCreated()
    {
        var missing = Temp("no/such/folder");
        var (code, _, err) = Run("scan", Sample, "-f", "json", "-o", Path.Combine(missing, "out.json"), "--no-progress", "--no-vulns");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("does not exist; create it first", err, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Temp("no")));
    }

    // ---------------- exit codes a gate can trust ----------------

    [Fact]
    public void Scan_CleanSample_ExitsZeroAndSaysComplete()
    {
        var (code, stdout, _) = Run("scan", Sample, "--no-progress", "--no-vulns");
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("complete: every container Assay recognised was unpacked", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Scan_EmptyFile_ExitsFiveAndSaysNotUnderstood()
    {
        var empty = Temp("empty.bin");
        File.WriteAllBytes(empty, []);
        var (code, stdout, err) = Run("scan", empty, "--no-progress", "--no-vulns");
        Assert.Equal(ExitCodes.Incomplete, code);
        Assert.Contains("NOT UNDERSTOOD", stdout, StringComparison.Ordinal);
        Assert.Contains("empty", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("everything recognised was unpacked", stdout, StringComparison.Ordinal);
        Assert.Contains("not understood", err, StringComparison.Ordinal);
    }

    [Fact]
    public void Scan_TruncatedZip_ExitsFiveAndNamesTheBrokenPart()
    {
        var truncated = Temp("truncated.zip");
        File.WriteAllBytes(truncated, File.ReadAllBytes(Sample)[..1000]);
        var (code, stdout, _) = Run("scan", truncated, "--no-progress", "--no-vulns");
        Assert.Equal(ExitCodes.Incomplete, code);
        Assert.Contains("INCOMPLETE", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Scan_TruncatedTarGz_GateWithFailOnHigh_DoesNotPass()
    {
        var tarGz = Temp("delivery.tar.gz");
        using (var file = File.Create(tarGz))
        using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
            System.Formats.Tar.TarFile.CreateFromDirectory(Path.Combine(Fixture.RepoRoot, "samples", "network"), gzip, includeBaseDirectory: false);
        var bytes = File.ReadAllBytes(tarGz);
        File.WriteAllBytes(tarGz, bytes[..(bytes.Length / 2)]);
        var (code, _, err) = Run("scan", tarGz, "--no-progress", "--no-vulns", "--fail-on", "high");
        Assert.Equal(ExitCodes.Incomplete, code);
        Assert.Contains("incomplete", err, StringComparison.Ordinal);
    }

    [Fact]
    public void Scan_TruncatedZip_FailOnError_ExitsOne()
    {
        var truncated = Temp("truncated.zip");
        File.WriteAllBytes(truncated, File.ReadAllBytes(Sample)[..1000]);
        var (code, _, err) = Run("scan", truncated, "--no-progress", "--no-vulns", "--fail-on", "error");
        Assert.Equal(ExitCodes.FindingsOverThreshold, code);
        Assert.Contains("--fail-on error", err, StringComparison.Ordinal);
    }

    [Fact]
    public void Sbom_EmptyFile_ExitsFive()
    {
        var empty = Temp("empty.bin");
        File.WriteAllBytes(empty, []);
        var (code, stdout, _) = Run("sbom", empty, "--no-progress", "--no-vulns");
        Assert.Equal(ExitCodes.Incomplete, code);
        Assert.Contains("CycloneDX", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Scan_MissingVulnerabilityDatabase_IsRefusedBeforeTheScan()
    {
        var (code, _, err) = Run("scan", Sample, "--db", Temp("none.db"), "--no-progress");
        Assert.Equal(ExitCodes.InputUnreadable, code);
        Assert.Contains("does not exist", err, StringComparison.Ordinal);
        Assert.DoesNotContain("scanning", err, StringComparison.Ordinal);
    }

    [Fact]
    public void Scan_AbsoluteEntryName_IsListedInsideTheContainerWithAnUnsafeError()
    {
        var tar = Temp("absolute.tar");
        using (var file = File.Create(tar))
        using (var writer = new System.Formats.Tar.TarWriter(file, System.Formats.Tar.TarEntryFormat.Pax))
        {
            var entry = new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.RegularFile, "/etc/cron.d/evil")
            {
                DataStream = new MemoryStream("* * * * * root id\n"u8.ToArray()),
            };
            writer.WriteEntry(entry);
        }
        var (code, stdout, err) = Run("scan", tar, "-f", "json", "--no-progress", "--no-vulns");
        Assert.True(code == ExitCodes.Ok, err);
        using var doc = JsonDocument.Parse(stdout);
        Assert.Contains(doc.RootElement.GetProperty("files").EnumerateArray(), f => f.GetProperty("path").GetString() == "absolute.tar!/etc/cron.d/evil");
        var error = Assert.Single(doc.RootElement.GetProperty("errors").EnumerateArray());
        Assert.Equal("unsafe", error.GetProperty("category").GetString());
        Assert.Contains("'/etc/cron.d/evil' is absolute", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    // ---------------- --extract folder policy ----------------

    [Fact]
    public void Extract_NonEmptyFolderWithForce_WritesBesideTheUsersFiles()
    {
        var folder = Temp("out");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "keep.txt"), "mine");
        var (code, _, err) = Run("scan", Sample, "--extract", folder, "--force", "-f", "json", "-o", "/dev/null", "--no-progress", "--no-vulns");
        Assert.True(code == ExitCodes.Ok, err);
        Assert.Equal("mine", File.ReadAllText(Path.Combine(folder, "keep.txt")));
        Assert.True(File.Exists(Path.Combine(folder, "delivery-EX1000_1.2.0.zip.extracted", "RELEASE-NOTES.txt")));
    }

    // ---------------- the TS 33.117 table in the terminal ----------------

    [Fact]
    public void Scan_Summary_ShowsTheTs33117TableWithChecksRanAndNotChecked()
    {
        var (code, stdout, _) = Run("scan", Sample, "--no-progress", "--no-vulns");
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("3GPP TS 33.117", stdout, StringComparison.Ordinal);
        Assert.Matches(@"passed \(\d+ checks ran\)", stdout);
        Assert.Contains("not checked", stdout, StringComparison.Ordinal);
        Assert.Contains("failed", stdout, StringComparison.Ordinal);
    }
}
