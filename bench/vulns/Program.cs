using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;
using Assay.Core.Model;
using Assay.Vulnerabilities;
using Microsoft.Data.Sqlite;

// 1. Import all of shared/data/nvd/*.jsonl.gz into a new database (records/s, size).
// 2. Import a scaled copy: the same records under COPIES different ids (measures the per-record
//    cost without fixed start-up costs; the extrapolation to the whole NVD uses this rate).
// 3. Match 10,000 components (mapped product names, versions drawn from the database) in one
//    evaluation, cold (fresh matcher: candidate rows loaded from the file) and warm.
// Wall time and process CPU time are both printed: on a shared machine CPU time is the steadier one.
var shared = args.Length > 0 ? args[0] : "/work/shared";
var copies = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 40;
var updateRecords = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 300_000;
var nvd = Path.Combine(shared, "data", "nvd");
if (!Directory.Exists(nvd))
{
    Console.WriteLine($"SKIP: {nvd} not found");
    return 0;
}
var work = Path.Combine(Path.GetTempPath(), $"assay-bench-vulns-{Environment.ProcessId}");
Directory.CreateDirectory(work);
try
{
    var inputs = Directory.GetFiles(nvd, "*.jsonl.gz").Order(StringComparer.Ordinal).ToList();
    var db = Path.Combine(work, "nvd.db");

    var (r1, wall1, cpu1) = Measure(() => VulnerabilityDatabase.Import(db, inputs));
    Console.WriteLine($"import shared subset: {r1.Records} records ({r1.Added} distinct) in {wall1:F2} s wall, {cpu1:F2} s CPU: {r1.Records / wall1:F0} records/s wall, {r1.Records / cpu1:F0} records/s CPU; DB {new FileInfo(db).Length / 1048576.0:F1} MiB");

    // Scaled input: every record COPIES times, ids rewritten CVE-YYYY-N -> CVE-9CCC-YYYYN.
    var scaled = Path.Combine(work, "scaled.jsonl.gz");
    var idPattern = new Regex("^\\{\"id\":\"CVE-(\\d{4})-(\\d+)\"", RegexOptions.CultureInvariant);
    var lines = inputs.SelectMany(f =>
    {
        using var gz = new GZipStream(File.OpenRead(f), CompressionMode.Decompress);
        using var reader = new StreamReader(gz, Encoding.UTF8);
        var all = new List<string>();
        while (reader.ReadLine() is { } l) all.Add(l);
        return all;
    }).ToList();
    using (var output = new GZipStream(File.Create(scaled), CompressionLevel.Fastest))
    using (var writer = new StreamWriter(output, new UTF8Encoding(false)))
        for (var c = 0; c < copies; c++)
            foreach (var l in lines)
                writer.WriteLine(idPattern.Replace(l, m => $"{{\"id\":\"CVE-9{c:D3}-{m.Groups[1].Value}{m.Groups[2].Value}\""));
    var scaledDb = Path.Combine(work, "scaled.db");
    var (r2, wall2, cpu2) = Measure(() => VulnerabilityDatabase.Import(scaledDb, [scaled]));
    var size2 = new FileInfo(scaledDb).Length;
    Console.WriteLine($"import scaled x{copies}: {r2.Records} records ({r2.Added} distinct) in {wall2:F2} s wall, {cpu2:F2} s CPU: {r2.Records / wall2:F0} records/s wall, {r2.Records / cpu2:F0} records/s CPU; DB {size2 / 1048576.0:F1} MiB ({(double)size2 / r2.Added:F0} bytes/record)");
    Console.WriteLine($"extrapolated whole NVD (300,000 records): {300_000 / (r2.Records / wall2):F0} s wall, {300_000 / (r2.Records / cpu2):F0} s CPU, DB ~{300_000.0 * size2 / r2.Added / 1048576.0:F0} MiB (NVD records average larger than this subset's; see README)");

    // 10,000 components: names from the product map, versions drawn from the versions NVD lists for them.
    var versionsByProduct = new Dictionary<string, List<string>>();
    using (var connection = new SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False"))
    {
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT DISTINCT p.vendor || ':' || p.product, m.version FROM cpe_match m JOIN product p ON p.pid = m.pid WHERE m.version NOT IN ('*','-') " +
            "UNION SELECT DISTINCT p.vendor || ':' || p.product, m.end_excl FROM cpe_match m JOIN product p ON p.pid = m.pid WHERE m.end_excl IS NOT NULL";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var key = reader.GetString(0);
            if (!versionsByProduct.TryGetValue(key, out var list)) versionsByProduct[key] = list = [];
            list.Add(reader.GetString(1));
        }
    }
    var random = new Random(20261125);
    var products = Assay.Vulnerabilities.Matching.ProductMap.Default.Products
        .Select(p => (p.Name, Versions: p.CpeKeys.SelectMany(k => versionsByProduct.GetValueOrDefault(k) ?? []).Distinct().Order(StringComparer.Ordinal).ToList()))
        .Where(p => p.Versions.Count > 0).ToList();
    var components = Enumerable.Range(0, 10_000).Select(i =>
    {
        var (name, versions) = products[random.Next(products.Count)];
        return new Component { Name = name, Version = versions[random.Next(versions.Count)], Location = $"/usr/lib/c{i}" };
    }).ToList();
    var evaluation = new Evaluation { Tool = new ToolInfo("bench", "0"), Input = new InputInfo("bench", 0, "00"), Components = components };
    using var database = VulnerabilityDatabase.Open(db);
    var (cold, wall3, cpu3) = Measure(() => VulnerabilityEnricher.Apply(evaluation, database));
    var (_, wall4, cpu4) = Measure(() => VulnerabilityEnricher.Apply(evaluation, database));
    Console.WriteLine($"match 10,000 components ({products.Count} products): {cold.Vulnerabilities.Count} vulnerabilities; first run {wall3:F2} s wall, {cpu3:F2} s CPU; second run {wall4:F2} s wall, {cpu4:F2} s CPU");

    // 4. 'db update' of UPDATE_RECORDS records from local files: NVD API 2.0 pages of 2,000 records (the
    //    shared records under rewritten ids, as in step 2) served on 127.0.0.1 by an HttpListener, fetched,
    //    checked and applied by DatabaseUpdater exactly as from the NVD (no rate limit: a mirror).
    var pages = Path.Combine(work, "pages");
    Directory.CreateDirectory(pages);
    var pageCount = 0;
    {
        var page = new List<string>(2000);
        void Flush()
        {
            var body = new StringBuilder();
            body.Append(System.Globalization.CultureInfo.InvariantCulture, $"{{\"resultsPerPage\":{page.Count},\"startIndex\":{pageCount * 2000},\"totalResults\":{updateRecords},\"format\":\"NVD_CVE\",\"version\":\"2.0\",\"timestamp\":\"2026-11-26T00:00:00.000\",\"vulnerabilities\":[");
            body.AppendJoin(',', page.Select(r => "{\"cve\":" + r + "}"));
            body.Append("]}");
            File.WriteAllText(Path.Combine(pages, $"{pageCount * 2000}.json"), body.ToString());
            pageCount++;
            page.Clear();
        }
        var n = 0;
        for (var c = 0; n < updateRecords; c++)
            foreach (var l in lines)
            {
                if (n++ >= updateRecords)
                    break;
                page.Add(idPattern.Replace(l, m => $"{{\"id\":\"CVE-8{c:D3}-{m.Groups[1].Value}{m.Groups[2].Value}\""));
                if (page.Count == 2000)
                    Flush();
            }
        if (page.Count > 0)
            Flush();
    }
    var port = 20000 + (Environment.ProcessId % 20000);
    using var listener = new System.Net.HttpListener();
    listener.Prefixes.Add($"http://127.0.0.1:{port}/");
    listener.Start();
    var serving = Task.Run(() =>
    {
        while (listener.IsListening)
        {
            System.Net.HttpListenerContext context;
            try { context = listener.GetContext(); }
            catch (System.Net.HttpListenerException) { return; }
            catch (ObjectDisposedException) { return; }
            var start = context.Request.QueryString["startIndex"] ?? "0";
            var file = Path.Combine(pages, $"{int.Parse(start, System.Globalization.CultureInfo.InvariantCulture)}.json");
            using var response = context.Response;
            if (!File.Exists(file))
            {
                response.StatusCode = 404;
                continue;
            }
            response.ContentLength64 = new FileInfo(file).Length;
            using var input = File.OpenRead(file);
            input.CopyTo(response.OutputStream);
        }
    });
    var updateDb = Path.Combine(work, "update.db");
    var (u, wall5, cpu5) = Measure(() => Assay.Vulnerabilities.Update.DatabaseUpdater.Run(updateDb, new Assay.Vulnerabilities.Update.UpdateOptions
    {
        Sources = Assay.Vulnerabilities.Update.UpdateSources.Mirror(new Uri($"http://127.0.0.1:{port}/")),
        Feeds = ["nvd"],
        RequestsPerWindow = 100_000,
    }));
    listener.Stop();
    Console.WriteLine($"db update, {updateRecords:N0} NVD records in {pageCount} API pages from a local mirror: {u.Import.Added:N0} added, {u.Bytes / 1048576.0:F0} MiB fetched; " +
        $"{wall5:F1} s wall ({u.Import.Elapsed.TotalSeconds:F1} s applying), {cpu5:F1} s CPU (target: under 120 s); DB {new FileInfo(updateDb).Length / 1048576.0:F0} MiB");
    return 0;
}
finally
{
    Directory.Delete(work, recursive: true);
}

static (T Result, double Wall, double Cpu) Measure<T>(Func<T> action)
{
    var process = Process.GetCurrentProcess();
    var cpu = process.TotalProcessorTime;
    var watch = Stopwatch.StartNew();
    var result = action();
    watch.Stop();
    process.Refresh();
    return (result, watch.Elapsed.TotalSeconds, (process.TotalProcessorTime - cpu).TotalSeconds);
}
