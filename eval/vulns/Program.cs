using System.Diagnostics;
using System.Text.Json;
using Assay.Core.Model;
using Assay.Vulnerabilities;
using Assay.Vulnerabilities.Matching;

// Imports shared/data/nvd/*.jsonl.gz into a temporary database and checks that every case of
// known-answers.json gives exactly its expected CVE set. Exit 0: all agree (or no shared data);
// 1: some case disagrees; 2: bad arguments or unreadable answer key.
var shared = args.Length > 0 ? args[0] : Environment.GetEnvironmentVariable("ASSAY_SHARED") ?? "/work/shared";
var nvd = Path.Combine(shared, "data", "nvd");
var keyPath = Path.Combine(nvd, "known-answers.json");
if (!File.Exists(keyPath))
{
    Console.WriteLine($"SKIP: {keyPath} not found (the shared material is absent); nothing evaluated");
    return 0;
}

var inputs = Directory.GetFiles(nvd, "*.jsonl.gz").Order(StringComparer.Ordinal).ToList();
var dbPath = Path.Combine(Path.GetTempPath(), $"assay-eval-vulns-{Environment.ProcessId}.db");
try
{
    var import = VulnerabilityDatabase.Import(dbPath, inputs);
    Console.WriteLine($"imported {import.Files} files: {import.Added} records added, {import.Unchanged} duplicates, {import.Issues.Count} issues, {import.Elapsed.TotalSeconds:F2} s");
    foreach (var issue in import.Issues)
        Console.WriteLine($"  issue: {issue}");

    using var doc = JsonDocument.Parse(File.ReadAllBytes(keyPath));
    using var db = VulnerabilityDatabase.Open(dbPath);
    var options = new MatchOptions { UseProductMap = false, GuessProducts = false };
    int agree = 0, total = 0;
    var watch = Stopwatch.StartNew();
    foreach (var c in doc.RootElement.GetProperty("cases").EnumerateArray())
    {
        total++;
        var id = c.GetProperty("id").GetString()!;
        var version = c.GetProperty("version").GetString()!;
        var components = c.GetProperty("query_cpes").EnumerateArray()
            .Select(q => new Component { Name = c.GetProperty("component").GetString()!, Version = version, Location = q.GetString()!, Cpe = q.GetString()! })
            .ToList();
        var matcher = new VulnerabilityMatcher(db, ProductMap.Default, options);
        var got = matcher.Match(components).Select(v => v.Id).ToHashSet(StringComparer.Ordinal);
        var expected = c.GetProperty("expected_cve_ids").EnumerateArray().Select(e => e.GetString()!).ToHashSet(StringComparer.Ordinal);
        var missing = expected.Except(got).Order(StringComparer.Ordinal).ToList();
        var extra = got.Except(expected).Order(StringComparer.Ordinal).ToList();
        var ok = missing.Count == 0 && extra.Count == 0;
        if (ok) agree++;
        Console.WriteLine($"{(ok ? "ok  " : "FAIL")} {id} {c.GetProperty("component").GetString()} {version}: expected {expected.Count}, got {got.Count}"
            + (missing.Count > 0 ? $"; missing {string.Join(' ', missing)}" : "")
            + (extra.Count > 0 ? $"; extra {string.Join(' ', extra)}" : ""));
    }
    Console.WriteLine($"agreement: {agree}/{total} cases exact ({watch.Elapsed.TotalMilliseconds:F0} ms matching)");

    // Informational, not part of the agreement: the NVD JSON 1.1 supplement must import cleanly on top.
    var supplement = Path.Combine(nvd, "v1.1-supplement");
    if (Directory.Exists(supplement))
    {
        var extra = VulnerabilityDatabase.Import(dbPath, [supplement]);
        Console.WriteLine($"v1.1 supplement: {extra.Files} files, {extra.Added} added, {extra.Updated} updated, {extra.Unchanged} unchanged, {extra.Issues.Count} issues");
        foreach (var issue in extra.Issues.Take(10))
            Console.WriteLine($"  issue: {issue}");
    }
    return agree == total ? 0 : 1;
}
finally
{
    File.Delete(dbPath);
}
