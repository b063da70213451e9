using System.Diagnostics;
using Assay.Analyzers;
using Assay.Core.Model;
using Assay.Core.Plugins;
using Assay.Engine;
using Assay.Reports;

// usage: Harness INPUT OUTPUT.json [--no-analyzers] [--sarif OUTPUT.sarif]
// Writes the evaluation JSON of INPUT, scanned by the engine (the call `assay scan` makes) with the
// analyzers only (none with --no-analyzers) and no vulnerability matching, and prints
// "seconds=<wall time of the scan>" on standard output.
if (args.Length < 2)
{
    Console.Error.WriteLine("usage: Harness INPUT OUTPUT.json [--no-analyzers] [--sarif OUTPUT.sarif]");
    return 2;
}
if (args[0] == "--bench-dir")
    return BenchDir(args[1]);
var withAnalyzers = !args.Contains("--no-analyzers");
var profile = args.Contains("--profile");
if (profile)
{
    var catalogWatch = Stopwatch.StartNew();
    var count = Assay.Analyzers.Rules.RuleCatalog.All.Count;
    Console.WriteLine($"  rule catalog: {count} rules loaded in {catalogWatch.Elapsed.TotalMilliseconds:F0} ms (cold)");
}
var inspectors = withAnalyzers ? AnalyzerRegistry.CreateAll() : [];
if (profile)
    inspectors = [.. inspectors.Select(i => (IInspector)new Timed(i))];
ScanRequest Request(IReadOnlyList<IInspector> list) => new(args[0]) { Inspectors = list, SkipVulnerabilities = true };
// --warm N: scan N times first (same process) so the timing excludes JIT warm-up.
var warm = Array.IndexOf(args, "--warm") is var w and >= 0 && w + 1 < args.Length ? int.Parse(args[w + 1], System.Globalization.CultureInfo.InvariantCulture) : 0;
for (var i = 0; i < warm; i++)
    ScanEngine.Run(Request(withAnalyzers ? AnalyzerRegistry.CreateAll() : []));
var watch = Stopwatch.StartNew();
var evaluation = ScanEngine.Run(Request(inspectors));
watch.Stop();
using (var output = File.Create(args[1]))
    new JsonReportWriter().Write(evaluation, output);
var sarif = Array.IndexOf(args, "--sarif");
if (sarif >= 0 && sarif + 1 < args.Length)
{
    using var output = File.Create(args[sarif + 1]);
    new SarifReportWriter().Write(evaluation, output);
}
foreach (var t in inspectors.OfType<Timed>().OrderByDescending(t => t.Ticks))
    Console.WriteLine($"  {t.Id,-18} {TimeSpan.FromTicks(t.Ticks).TotalMilliseconds,8:F0} ms in {t.Calls} calls (thread time)");
Console.WriteLine($"seconds={watch.Elapsed.TotalSeconds:F3} files={evaluation.Files.Count} findings={evaluation.Findings.Count} errors={evaluation.Errors.Count}");
return 0;

// usage: Harness --bench-dir DIR: runs every analyzer alone over the regular files of DIR (3 rounds, the last timed).
static int BenchDir(string dir)
{
    var files = Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
        .Where(f => !new FileInfo(f).Attributes.HasFlag(FileAttributes.ReparsePoint) && !f.Contains("/dev/", StringComparison.Ordinal) && !f.Contains("/proc/", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
    var blobs = files.Select(f => (Path: f, Blob: (Assay.Core.Content.IBlob)new Assay.Core.Content.MemoryBlob(File.ReadAllBytes(f)))).ToList();
    var records = blobs.Select(b => new FileRecord
    {
        Path = "bench!" + b.Path[dir.TrimEnd('/').Length..],
        Kind = NodeKind.File,
        Size = b.Blob.Length,
        Mode = "0644",
        Sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(b.Path))),
        Type = Assay.Core.Identification.FileType.Detect(b.Blob),
    }).ToList();
    for (var round = 0; round < 3; round++)
    {
        foreach (var inspector in AnalyzerRegistry.CreateAll())
        {
            var sink = new InspectionSink();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var n = 0;
            var slowest = new List<(double Ms, string Path)>();
            for (var i = 0; i < records.Count; i++)
            {
                if (inspector.Wants(records[i]))
                {
                    var t = Stopwatch.GetTimestamp();
                    inspector.Inspect(new InspectedFile(records[i], blobs[i].Blob), sink);
                    slowest.Add((Stopwatch.GetElapsedTime(t).TotalMilliseconds, records[i].Path));
                    n++;
                }
            }
            var used = Process.GetCurrentProcess().TotalProcessorTime - cpu;
            if (round == 2)
            {
                Console.WriteLine($"  {inspector.Id,-18} {used.TotalMilliseconds,8:F1} ms CPU for {n} files; slowest: "
                    + string.Join(", ", slowest.OrderByDescending(x => x.Ms).Take(3).Select(x => $"{x.Path} {x.Ms:F1} ms")));
            }
        }
    }
    return 0;
}

/// <summary>Measures the thread time an inspector spends in Inspect and Complete.</summary>
internal sealed class Timed(IInspector inner) : IInspector
{
    private long _ticks;
    private long _calls;

    public long Ticks => Interlocked.Read(ref _ticks);
    public long Calls => Interlocked.Read(ref _calls);
    public string Id => inner.Id;
    public bool Wants(FileRecord file) => inner.Wants(file);
    public bool CacheableByContent => inner.CacheableByContent;
    public long? ContainerHeadBytes => inner.ContainerHeadBytes;

    public void Inspect(InspectedFile file, InspectionSink sink)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            inner.Inspect(file, sink);
        }
        finally
        {
            Interlocked.Add(ref _ticks, Stopwatch.GetElapsedTime(start).Ticks);
            Interlocked.Increment(ref _calls);
        }
    }

    public void Complete(IReadOnlyList<FileRecord> files, InspectionSink sink)
    {
        var start = Stopwatch.GetTimestamp();
        inner.Complete(files, sink);
        Interlocked.Add(ref _ticks, Stopwatch.GetElapsedTime(start).Ticks);
    }
}
