using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Assay.Network.Compliance;
using Assay.Network.Generation;
using Assay.Network.Inventory;
using Assay.Network.Output;
using Assay.Network.Planning;
using Assay.Network.Policy;
using Assay.Network.Risk;

namespace Assay.Cli.Commands;

/// <summary>
/// <c>assay network</c>: vendor-policy compliance, replacement planning, evidence-based risk and a
/// synthetic network generator (docs/network.md). Exit codes: 0 compliant (or plan meets every
/// deadline), 1 violations (or a deadline that cannot be met), 2 usage, 3 an input file unreadable
/// or malformed.
/// </summary>
internal static class NetworkCommand
{
    public static Command Create()
    {
        var command = new Command("network", "Check an operator's network against a vendor policy, plan replacements, rank risk by evidence.");
        command.Subcommands.Add(Policies());
        command.Subcommands.Add(Check());
        command.Subcommands.Add(Plan());
        command.Subcommands.Add(Risk());
        command.Subcommands.Add(Generate());
        return command;
    }

    private sealed record Common(Option<string> Format, Option<string?> Output, Option<string?> HighRisk, Option<string?> Vendors, Option<string?> Sites);

    private static Common AddCommon(Command c, bool designations = true)
    {
        var format = new Option<string>("--format", "-f") { Description = "Output format: table, json, csv or html.", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong([.. NetworkReports.Formats]);
        var output = new Option<string?>("--output", "-o") { Description = "Write the report to this file instead of standard output." };
        var highRisk = new Option<string?>("--high-risk") { Description = "Restricted vendors, comma-separated (e.g. Huawei,ZTE); overrides the pack's and the vendors file's designations." };
        var vendors = new Option<string?>("--vendors") { Description = "Vendors file (CSV vendor,country,designations or YAML) with designations per jurisdiction." };
        var sites = new Option<string?>("--sites") { Description = "Sites CSV (site_id,region,site_class[,location]) when the element CSV has no region/site_class." };
        c.Options.Add(format);
        c.Options.Add(output);
        c.Options.Add(sites);
        if (designations)
        {
            c.Options.Add(highRisk);
            c.Options.Add(vendors);
        }
        return new Common(format, output, highRisk, vendors, sites);
    }

    private static Command Policies()
    {
        var show = new Option<string?>("--show") { Description = "Print the YAML of one built-in pack (a starting point for a custom pack)." };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "List each pack's rules with dates, fact status and sources." };
        var c = new Command("policies", "List the built-in policy packs.") { show, verbose };
        c.SetAction(parse =>
        {
            var id = parse.GetValue(show);
            if (id is not null)
            {
                if (BuiltinPolicyPacks.Find(id) is null)
                    return Usage($"no built-in pack '{id}'; valid: {string.Join(", ", BuiltinPolicyPacks.Ids)}");
                Console.Write(BuiltinPolicyPacks.ReadText(BuiltinPolicyPacks.Find(id)!.Id));
                return ExitCodes.Ok;
            }
            foreach (var p in BuiltinPolicyPacks.All)
            {
                Console.WriteLine($"{p.Id,-8} {p.Jurisdiction,-3} {p.VendorClass,-18} {p.Title}");
                if (!parse.GetValue(verbose))
                    continue;
                foreach (var r in p.Rules)
                    Console.WriteLine($"{"",12} {r.Id,-14} {(r.Enforceable ? "" : "(advisory) ")}{r.Describe()} [{r.FactStatus}; {r.Source}]");
            }
            return ExitCodes.Ok;
        });
        return c;
    }

    private static Command Check()
    {
        var inventory = new Argument<string>("inventory") { Description = "Element CSV, or YAML inventory (vendors, sites, elements)." };
        var policy = new Option<string>("--policy", "-p") { Description = $"Built-in pack ({string.Join(", ", BuiltinPolicyPacks.Ids)}) or a pack YAML file.", Required = true };
        var at = new Option<string?>("--at") { Description = "Check as of this date (YYYY-MM-DD); default today (UTC)." };
        var c = new Command("check", "Check an inventory against a policy pack: violations, elements involved, shares per domain and region.") { inventory, policy, at };
        var common = AddCommon(c);
        c.SetAction(parse => Run(() =>
        {
            if (!TryDate(parse.GetValue(at), out var date))
                return Usage($"--at '{parse.GetValue(at)}' is not a date (YYYY-MM-DD)");
            var pack = ResolvePack(parse.GetValue(policy)!);
            var inv = InventoryLoader.Load(parse.GetValue(inventory)!, parse.GetValue(common.Sites), parse.GetValue(common.Vendors));
            var designation = VendorDesignation.Resolve(inv, pack, SplitList(parse.GetValue(common.HighRisk)));
            var result = ComplianceChecker.Check(inv, pack, date, designation);
            Emit(parse.GetValue(common.Format)!, parse.GetValue(common.Output), result,
                (r, w) => NetworkReports.WriteCheckTable(r, w), NetworkReports.WriteCheckCsv, NetworkReports.WriteCheckHtml);
            return result.Compliant ? ExitCodes.Ok : ExitCodes.FindingsOverThreshold;
        }));
        return c;
    }

    private static Command Plan()
    {
        var inventory = new Argument<string>("inventory") { Description = "Element CSV, or YAML inventory." };
        var policy = new Option<string>("--policy", "-p") { Description = "Built-in pack or pack YAML: the main scenario.", Required = true };
        var costs = new Option<string>("--costs") { Description = "Costs CSV: domain,function,unit_cost[,effort][,currency]; '*' is a default.", Required = true };
        var capacity = new Option<double>("--capacity") { Description = "Replacement capacity in work units (elements, at effort 1) per month.", Required = true };
        var start = new Option<string?>("--start") { Description = "First month of the plan (YYYY-MM-DD); default today (UTC)." };
        var compare = new Option<string[]>("--compare") { Description = "Further scenarios (pack ids or files) planned side by side; repeatable.", AllowMultipleArgumentsPerToken = true };
        var limit = new Option<double>("--time-limit") { Description = "CP-SAT deterministic time limit per share cap (about seconds; the wall-clock limit is three times as long).", DefaultValueFactory = _ => 10 };
        var c = new Command("plan", "Month-by-month replacement schedule that meets each deadline if capacity allows, with costs; --compare scenarios.")
            { inventory, policy, costs, capacity, start, compare, limit };
        var common = AddCommon(c);
        c.SetAction(parse => Run(() =>
        {
            if (!TryDate(parse.GetValue(start), out var from))
                return Usage($"--start '{parse.GetValue(start)}' is not a date (YYYY-MM-DD)");
            var cap = parse.GetValue(capacity);
            if (!(cap > 0) || !double.IsFinite(cap))
                return Usage($"--capacity {cap} must be a positive number of work units per month");
            var seconds = parse.GetValue(limit);
            if (!(seconds > 0) || seconds > 3600)
                return Usage("--time-limit must be between 0 and 3600 seconds");
            var packs = new List<PolicyPack> { ResolvePack(parse.GetValue(policy)!) };
            foreach (var p in parse.GetValue(compare) ?? [])
                packs.Add(ResolvePack(p));
            var costTable = CostTable.Load(parse.GetValue(costs)!);
            var inv = InventoryLoader.Load(parse.GetValue(inventory)!, parse.GetValue(common.Sites), parse.GetValue(common.Vendors));
            var highRisk = SplitList(parse.GetValue(common.HighRisk));
            var plans = new List<PlanResult>();
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var pack in packs)
            {
                var name = names.Add(pack.Id) ? pack.Id : $"{pack.Id}#{plans.Count + 1}";
                plans.Add(ReplacementPlanner.Plan(inv, pack, VendorDesignation.Resolve(inv, pack, highRisk), costTable, cap, from, name, seconds));
            }
            var format = parse.GetValue(common.Format)!;
            var output = parse.GetValue(common.Output);
            if (plans.Count == 1)
                Emit(format, output, plans[0], (p, w) => NetworkReports.WritePlanTable(p, w), NetworkReports.WritePlanCsv, (p, w) => NetworkReports.WritePlanHtml([p], w));
            else
                Emit(format, output, plans, NetworkReports.WriteCompareTable, NetworkReports.WriteCompareCsv, NetworkReports.WritePlanHtml,
                    json: ps => new { scenarios = ps.Select(NetworkReports.Summary).ToList() });
            return plans.TrueForAll(p => p.Feasible) ? ExitCodes.Ok : ExitCodes.FindingsOverThreshold;
        }));
        return c;
    }

    private static Command Risk()
    {
        var inventory = new Argument<string>("inventory") { Description = "Element CSV (with model and software_version), or YAML inventory." };
        var evidence = new Option<string>("--evidence") { Description = "Links CSV vendor,model,software_version,evaluation (evaluation JSON paths relative to it).", Required = true };
        var top = new Option<int>("--top") { Description = "How many elements and sites to rank.", DefaultValueFactory = _ => 20 };
        var c = new Command("risk", "Rank where risk sits from the lab's evaluations (vulnerabilities, hardening, TS 33.117), whatever the vendor.") { inventory, evidence, top };
        var common = AddCommon(c, designations: false);
        c.SetAction(parse => Run(() =>
        {
            var n = parse.GetValue(top);
            if (n is < 1 or > 100_000)
                return Usage("--top must be between 1 and 100000");
            var links = EvidenceRisk.LoadLinks(parse.GetValue(evidence)!);
            var inv = InventoryLoader.Load(parse.GetValue(inventory)!, parse.GetValue(common.Sites));
            var result = EvidenceRisk.Assess(inv, links, n);
            Emit(parse.GetValue(common.Format)!, parse.GetValue(common.Output), result,
                (r, w) => NetworkReports.WriteRiskTable(r, w), NetworkReports.WriteRiskCsv, NetworkReports.WriteRiskHtml);
            return ExitCodes.Ok;
        }));
        return c;
    }

    private static Command Generate()
    {
        var sites = new Option<int>("--sites") { Description = "Number of sites (about 6 elements per RAN site).", Required = true };
        var seed = new Option<int>("--seed") { Description = "Random seed; the same seed gives the same network.", DefaultValueFactory = _ => 1 };
        var regions = new Option<int>("--regions") { Description = "Number of regions (1-16).", DefaultValueFactory = _ => 12 };
        var output = new Option<string?>("--output", "-o") { Description = "Write the CSV here instead of standard output." };
        var c = new Command("generate", "Write a synthetic national network (element CSV) for demos and benchmarks.") { sites, seed, regions, output };
        c.SetAction(parse => Run(() =>
        {
            var options = new GeneratorOptions { Sites = parse.GetValue(sites), Seed = parse.GetValue(seed), Regions = parse.GetValue(regions) };
            if (options.Sites is < 3 or > NetworkGenerator.MaxSites)
                return Usage($"--sites must be between 3 and {NetworkGenerator.MaxSites:N0}");
            if (options.Regions is < 1 or > 16)
                return Usage("--regions must be between 1 and 16");
            var path = parse.GetValue(output);
            var sw = Stopwatch.StartNew();
            long count;
            if (path is null)
            {
                using var stdout = new StreamWriter(Console.OpenStandardOutput(), bufferSize: 1 << 16);
                count = NetworkGenerator.Write(options, stdout);
            }
            else
            {
                using var file = new StreamWriter(path, append: false, new System.Text.UTF8Encoding(false), bufferSize: 1 << 16);
                count = NetworkGenerator.Write(options, file);
                Console.Error.WriteLine($"wrote {count:N0} elements at {options.Sites:N0} sites to {path} in {sw.Elapsed.TotalSeconds:0.00} s");
            }
            return ExitCodes.Ok;
        }));
        return c;
    }

    // ---------------- helpers ----------------

    private static int Run(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (UsageException e)
        {
            return Usage(e.Message);
        }
        catch (InventoryException e)
        {
            Console.Error.WriteLine($"assay network: {e.Message}");
            return ExitCodes.InputUnreadable;
        }
        catch (FileNotFoundException e)
        {
            Console.Error.WriteLine($"assay network: {e.Message}");
            return ExitCodes.InputUnreadable;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"assay network: {e.Message}");
            return ExitCodes.InputUnreadable;
        }
    }

    private sealed class UsageException(string message) : Exception(message);

    private static int Usage(string message)
    {
        Console.Error.WriteLine($"assay network: {message}");
        return ExitCodes.Usage;
    }

    private static PolicyPack ResolvePack(string idOrPath)
    {
        if (BuiltinPolicyPacks.Find(idOrPath) is { } p)
            return p;
        if (File.Exists(idOrPath))
            return PolicyPackLoader.LoadFile(idOrPath);
        throw new UsageException($"policy '{idOrPath}' is neither a built-in pack ({string.Join(", ", BuiltinPolicyPacks.Ids)}) nor an existing pack file");
    }

    private static bool TryDate(string? text, out DateOnly date)
    {
        if (text is null)
        {
            date = DateOnly.FromDateTime(DateTime.UtcNow);
            return true;
        }
        return DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);
    }

    private static List<string>? SplitList(string? text) =>
        text is null ? null : [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    private static void Emit<T>(string format, string? path, T value, Action<T, TextWriter> table, Action<T, TextWriter> csv, Action<T, TextWriter> html,
        Func<T, object>? json = null)
    {
        using var stream = path is null ? Console.OpenStandardOutput() : new FileStream(path, FileMode.Create, FileAccess.Write);
        if (format == "json")
        {
            if (json is null)
                NetworkReports.WriteJson(value, stream);
            else
                NetworkReports.WriteJson(json(value), stream);
            return;
        }
        using var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false), 1 << 16);
        switch (format)
        {
            case "csv": csv(value, writer); break;
            case "html": html(value, writer); break;
            default: table(value, writer); break;
        }
    }
}
