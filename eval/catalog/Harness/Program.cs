using System.Diagnostics;
using Assay.Catalog;
using Assay.Engine;
using Assay.Reports;

// usage: Harness INPUT OUTPUT.json [--no-catalog]
// Writes the evaluation JSON of INPUT, scanned by the engine (the call `assay scan` makes) with the
// catalogers only (none with --no-catalog) and no vulnerability matching, and prints
// "seconds=<wall time of the scan>" on standard output.
if (args.Length == 2 && args[0] == "--time-signatures")
{
    // times the binary signature scan alone on one host file (5 runs, best)
    // a file, or every file below a folder, read into memory first
    var paths = Directory.Exists(args[1]) ? Directory.EnumerateFiles(args[1], "*", SearchOption.AllDirectories).Where(p => !new FileInfo(p).Attributes.HasFlag(FileAttributes.ReparsePoint)).ToList() : [args[1]];
    var blobs = paths.Select(p => (Name: Path.GetFileName(p), Blob: new Assay.Core.Content.MemoryBlob(File.ReadAllBytes(p)))).ToList();
    var cataloger = new Assay.Catalog.Binaries.BinarySignatureCataloger();
    var best = double.MaxValue;
    var bestHash = double.MaxValue;
    var count = 0;
    for (var i = 0; i < 5; i++)
    {
        var w = Stopwatch.StartNew();
        count = blobs.Sum(b => cataloger.Scan(b.Blob, b.Name, headerOnly: false, out _).Count);
        best = Math.Min(best, w.Elapsed.TotalSeconds);
        var h = Stopwatch.StartNew();
        foreach (var b in blobs)
            System.Security.Cryptography.SHA256.HashData(b.Blob.Data.Span);
        bestHash = Math.Min(bestHash, h.Elapsed.TotalSeconds);
    }
    Console.WriteLine($"signature scan: {best:F3}s (SHA-256 of the same bytes: {bestHash:F3}s) for {blobs.Sum(b => b.Blob.Length) >> 20} MiB in {blobs.Count} files, {count} hits");
    return 0;
}
if (args.Length == 1 && args[0] == "--time-per-file")
{
    // fixed cost of one file: 10,000 scans of a 1 KiB blob without any anchor
    var size = int.Parse(Environment.GetEnvironmentVariable("ASSAY_EVAL_SIZE") ?? "1024", System.Globalization.CultureInfo.InvariantCulture);
    var blob = new Assay.Core.Content.MemoryBlob(new byte[size]);
    var cataloger = new Assay.Catalog.Binaries.BinarySignatureCataloger();
    for (var round = 0; round < 3; round++)
    {
        var w = Stopwatch.StartNew();
        for (var i = 0; i < 10_000; i++)
            cataloger.Scan(blob, "libfoo.so.1", headerOnly: false, out _);
        Console.WriteLine($"per file: {w.Elapsed.TotalMilliseconds * 1000 / 10_000:F1} us");
    }
    return 0;
}
if (args.Length == 2 && args[0] == "--time-anchors")
{
    // how long the anchor search alone takes: Latin-1 widening, then IndexOfAny with all anchors
    var bytes = File.ReadAllBytes(args[1]);
    var chars = new char[bytes.Length];
    var anchors = Assay.Catalog.Binaries.SignatureDatabase.Default.Signatures.SelectMany(s => s.Anchors).Distinct().ToArray();
    var sv = System.Buffers.SearchValues.Create(anchors, StringComparison.Ordinal);
    for (var round = 0; round < 3; round++)
    {
        var w1 = Stopwatch.StartNew();
        System.Text.Encoding.Latin1.GetChars(bytes, chars);
        var widen = w1.Elapsed.TotalSeconds;
        var w2 = Stopwatch.StartNew();
        var hits = 0;
        var span = chars.AsSpan();
        for (var i = 0; ;)
        {
            var k = span[i..].IndexOfAny(sv);
            if (k < 0)
                break;
            hits++;
            i += k + 1;
        }
        Console.WriteLine($"anchors={anchors.Length} widen={widen:F3}s search={w2.Elapsed.TotalSeconds:F3}s hits={hits}");
    }
    foreach (var group in anchors.Order(StringComparer.Ordinal).Chunk(16))
    {
        var g = System.Buffers.SearchValues.Create(group, StringComparison.Ordinal);
        var wg = Stopwatch.StartNew();
        var gh = 0;
        var gspan = chars.AsSpan();
        for (var i = 0; ;)
        {
            var k = gspan[i..].IndexOfAny(g);
            if (k < 0)
                break;
            gh++;
            i += k + 1;
        }
        Console.WriteLine($"group {string.Join("|", group.Select(a => a.Replace("\0", "\\0").Replace("\n", "\\n")))}: {wg.Elapsed.TotalSeconds:F3}s hits={gh}");
    }
    foreach (var n in new[] { 4, 8, 16, 24, 32, 48 })
    {
        var subset = System.Buffers.SearchValues.Create(anchors.Take(n).ToArray(), StringComparison.Ordinal);
        var w3 = Stopwatch.StartNew();
        var h = 0;
        var span = chars.AsSpan();
        for (var i = 0; ;)
        {
            var k = span[i..].IndexOfAny(subset);
            if (k < 0)
                break;
            h++;
            i += k + 1;
        }
        Console.WriteLine($"first {n}: {w3.Elapsed.TotalSeconds:F3}s hits={h}");
    }
    return 0;
}
if (args.Length < 2)
{
    Console.Error.WriteLine("usage: Harness INPUT OUTPUT.json [--no-catalog]");
    return 2;
}
var withCatalog = !args.Contains("--no-catalog");
var repeat = args.Contains("--warm") ? 2 : 1;
// --warm: scan twice in one process and time the second run (JIT and data loading excluded)
Stopwatch watch = null!;
Assay.Core.Model.Evaluation evaluation = null!;
for (var run = 0; run < repeat; run++)
{
    watch = Stopwatch.StartNew();
    var only = Environment.GetEnvironmentVariable("ASSAY_EVAL_CATALOGERS")?.Split(',');
    var inspectors = withCatalog ? Catalogers.CreateAll().Where(c => only is null || only.Contains(c.Id)).ToList() : [];
    evaluation = ScanEngine.Run(new ScanRequest(args[0]) { Inspectors = inspectors, SkipVulnerabilities = true });
    watch.Stop();
}
using (var output = File.Create(args[1]))
    new JsonReportWriter().Write(evaluation, output);
Console.WriteLine($"seconds={watch.Elapsed.TotalSeconds:F3} files={evaluation.Files.Count} components={evaluation.Components.Count} errors={evaluation.Errors.Count}");
return 0;
