using System.Text.Json;
using Assay.Core.Model;
using Assay.Reports;

namespace Assay.Engine.Tests;

/// <summary>The bundled sample delivery (samples/make-sample.sh: zip > flash image with uImage and SquashFS, cpio.gz, tar.xz) and helpers.</summary>
internal static class Sample
{
    public static string Repo { get; } = FindRepo();

    public static string Delivery => Path.Combine(Repo, "samples", "delivery-EX1000_1.2.0.zip");

    /// <summary>A request for the sample without vulnerability matching (no database in tests).</summary>
    public static ScanRequest Request(string? cache = null, int parallelism = 2) =>
        new(Delivery) { SkipVulnerabilities = true, CacheDirectory = cache, Parallelism = parallelism };

    /// <summary>The evaluation's JSON with the timestamps masked: what must be byte-identical.</summary>
    public static string Canonical(Evaluation e) => JsonSerializer.Serialize(e with { StartedAt = default, FinishedAt = default }, AssayJson.Options);

    public static string TempDirectory()
    {
        var dir = Path.Combine(Path.GetTempPath(), $"assay-engine-tests-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static string FindRepo()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Assay.slnx")))
                return dir.FullName;
        }
        throw new InvalidOperationException("the repository root (Assay.slnx) is not above the test assembly");
    }
}
