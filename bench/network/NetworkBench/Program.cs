using System.Diagnostics;
using System.Globalization;
using Assay.Network.Compliance;
using Assay.Network.Generation;
using Assay.Network.Inventory;
using Assay.Network.Planning;
using Assay.Network.Policy;

// Benchmark of the network engine (bench/network/README.md): the compliance check on about 1,000,000
// generated elements, and replacement plans for 50,000 sites. Each timed step runs in a fresh
// process state as far as possible: the check is timed cold (first run: JIT included) and warm.
//   dotnet run -c Release --project bench/network/NetworkBench -- [WORKDIR] [CHECK_SITES] [PLAN_SITES]

var work = args.Length > 0 ? args[0] : Path.Combine(Path.GetTempPath(), "assay-network-bench");
var checkSites = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 170_000;
var planSites = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 50_000;
Directory.CreateDirectory(work);
var repo = FindRepo();
var costs = CostTable.Load(Path.Combine(repo, "samples/network/costs.csv"));

Console.WriteLine($"load average: {(File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "n/a")}");
Console.WriteLine($"machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}, {(Debugger.IsAttached ? "debugger" : "no debugger")}, " +
    $"{(IsRelease() ? "Release" : "DEBUG BUILD: numbers not representative")}");

var big = Path.Combine(work, $"network-{checkSites}.csv");
var sw = Stopwatch.StartNew();
long elements;
using (var w = new StreamWriter(big, false, new System.Text.UTF8Encoding(false), 1 << 16))
    elements = NetworkGenerator.Write(new GeneratorOptions { Sites = checkSites, Seed = 1 }, w);
Console.WriteLine($"generate: {elements:N0} elements at {checkSites:N0} sites, {new FileInfo(big).Length / 1e6:0.0} MB, {sw.Elapsed.TotalSeconds:0.00} s");

var pack = BuiltinPolicyPacks.Find("uk-dvd")!;
var at = new DateOnly(2026, 11, 25);
// Sequential reader (1 worker) and the parallel one (all cores, InventoryLoader.DefaultWorkers), three runs each.
foreach (var workers in new[] { 1, InventoryLoader.DefaultWorkers }.Distinct())
for (var run = 1; run <= 3; run++)
{
    GC.Collect();
    var before = GC.GetTotalAllocatedBytes(precise: true);
    var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
    sw.Restart();
    var inv = InventoryLoader.Load(big, workers: workers);
    var load = sw.Elapsed.TotalSeconds;
    var designation = VendorDesignation.FromNames(inv, ["Huawei", "ZTE"]);
    var result = ComplianceChecker.Check(inv, pack, at, designation);
    var total = sw.Elapsed.TotalSeconds;
    var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
    var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
    var live = GC.GetTotalMemory(forceFullCollection: true);
    Console.WriteLine($"check ({workers} worker{(workers == 1 ? "" : "s")}) run {run}: wall: load {load:0.000} s + rules {total - load:0.000} s = {total:0.000} s; cpu {cpu:0.000} s; {inv.Count:N0} elements, " +
        $"{result.Violations.Count} violations ({result.Violations.Sum(v => v.Elements.Count):N0} element entries); " +
        $"allocated {allocated / 1e6:0} MB, live after {live / 1e6:0} MB, peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1e6:0} MB");
    GC.KeepAlive(inv);
}

var mid = Path.Combine(work, $"network-{planSites}.csv");
using (var w = new StreamWriter(mid, false, new System.Text.UTF8Encoding(false), 1 << 16))
    elements = NetworkGenerator.Write(new GeneratorOptions { Sites = planSites, Seed = 2 }, w);
var planInv = InventoryLoader.Load(mid);
Console.WriteLine($"plan inventory: {planInv.Count:N0} elements at {planInv.Sites.Count:N0} sites");
foreach (var (id, capacity) in new[] { ("uk-dvd", 2000.0), ("uk-2020", 2000.0), ("cap-25-traffic", 2000.0), ("full-removal", 2000.0) })
{
    var p = BuiltinPolicyPacks.Find(id) ?? PolicyPackLoader.LoadFile(Path.Combine(repo, "samples/network", id + ".yaml"));
    var pcpu0 = Process.GetCurrentProcess().TotalProcessorTime;
    sw.Restart();
    var plan = ReplacementPlanner.Plan(planInv, p, VendorDesignation.FromNames(planInv, ["Huawei", "ZTE"]), costs, capacity, new DateOnly(2026, 12, 1), solverSeconds: SolverSeconds());
    var pcpu = (Process.GetCurrentProcess().TotalProcessorTime - pcpu0).TotalSeconds;
    Console.WriteLine($"plan {id,-15} wall {sw.Elapsed.TotalSeconds,6:0.000} s, cpu {pcpu,6:0.000} s: {plan.ElementsReplaced,7:N0} elements, {plan.SitesTouched,6:N0} sites, EUR {plan.TotalCost,15:N0}, " +
        $"finish {plan.FinishMonth}, feasible {plan.Feasible}, capacity needed {Math.Ceiling(plan.RequiredCapacity):N0}/month; " +
        string.Join("; ", plan.Selections.Select(s => $"{s.Rule} {s.Status} {s.Selected} {s.Measure} ({s.Variables} vars{(s.Bound is { } b && s.Status != "none-needed" ? $", cost {s.Cost:N0} >= bound {b:N0}" : "")})")));
}
Console.WriteLine($"peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1e6:0} MB");

static string FindRepo()
{
    var dir = AppContext.BaseDirectory;
    while (dir is not null && !File.Exists(Path.Combine(dir, "Assay.slnx")))
        dir = Path.GetDirectoryName(dir);
    return dir ?? throw new InvalidOperationException("run from inside the repository");
}

static bool IsRelease()
{
#if DEBUG
    return false;
#else
    return true;
#endif
}

static double SolverSeconds() =>
    double.TryParse(Environment.GetEnvironmentVariable("ASSAY_BENCH_SOLVER_SECONDS"), NumberStyles.Float, CultureInfo.InvariantCulture, out var s) ? s : 10;
