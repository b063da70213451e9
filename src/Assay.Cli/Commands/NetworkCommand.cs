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
/// deadline), 1 violations (or a deadline that cannot be met, each named on standard error), 2 usage,
/// 3 an input file unreadable or malformed, 5 (risk) ranked, but a linked evaluation could not be read.
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

    private sealed record Common(Option<string?> Format, Option<string?> Output, Option<string?> HighRisk, Option<string?> Vendors, Option<string?> Sites);

    private static Common AddCommon(Command c, bool designations = true)
    {
        var format = CliOptions.Choice("--format", "Output format: table, json, csv or html.", [.. NetworkReports.Formats], "table", "-f");
        var output = CliOptions.OutputFile("--output", "Write the report to this file instead of standard output (its folder must exist).", "-o");
        var highRisk = CliOptions.Text("--high-risk", "Restricted vendors, comma-separated (e.g. Huawei,ZTE); overrides the pack's and the vendors file's designations.");
        var vendors = CliOptions.InputPath("--vendors", "Vendors file (CSV vendor,country,designations or YAML) with designations per jurisdiction.");
        var sites = CliOptions.InputPath("--sites", "Sites CSV (site_id,region,site_class[,location]) when the element CSV has no region/site_class.");
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
        var show = CliOptions.Choice("--show", "Print the YAML of one built-in pack (a starting point for a custom pack).", [.. BuiltinPolicyPacks.Ids], null);
        var verbose = CliOptions.Flag("--verbose", "List each pack's rules with dates, fact status and sources.", "-v");
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
                foreach (var a in p.Parameters)
                    Console.WriteLine($"{"",12} --param {a.Name}=YYYY-MM-DD: {a.Description}");
            }
            return ExitCodes.Ok;
        });
        return c;
    }

    private static Command Check()
    {
        var inventory = CliOptions.InputArgument("inventory", "Element CSV, or YAML inventory (vendors, sites, elements).");
        var policy = PolicyOption("Built-in pack ({0}) or a pack YAML file.");
        var at = CliOptions.Date("--at", "Check as of this date (YYYY-MM-DD); default today (UTC).");
        var param = ParamOption();
        var c = new Command("check", "Check an inventory against a policy pack: violations, elements involved, shares per domain and region.") { inventory, policy, at, param };
        var common = AddCommon(c);
        c.SetAction(parse => Run(() =>
        {
            var date = parse.GetValue(at) ?? Today;
            var pack = WithParameters([ResolvePack(parse.GetValue(policy)!)], parse.GetValue(param))[0];
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
        var inventory = CliOptions.InputArgument("inventory", "Element CSV, or YAML inventory.");
        var policy = PolicyOption("Built-in pack ({0}) or pack YAML: the main scenario.");
        var costs = CliOptions.InputPaths("--costs", "Costs CSV: domain,function,unit_cost[,unit_cost_low,unit_cost_high][,effort][,currency][,year][,unit][,source]; " +
            "'*' is a default. Repeatable: a later file's rows override an earlier one's.");
        costs.Required = true;
        var capacity = CliOptions.Number("--capacity", "Replacement capacity in work units (elements, at effort 1) per month.", 0, 1e9);
        capacity.Required = true;
        var start = CliOptions.Date("--start", "First month of the plan (YYYY-MM-DD); default today (UTC).");
        var compare = CliOptions.InputPaths("--compare", "Further scenarios (pack ids or files) planned side by side; repeatable.");
        var limit = CliOptions.Number("--time-limit", "CP-SAT work limit per share cap, in deterministic seconds (about a second of one core each): " +
            "a count of work, not of wall time, so the same inputs give the same plan on any machine and under any load.", 0, 3600, 10);
        var param = ParamOption();
        var c = new Command("plan", "Month-by-month replacement schedule that meets each deadline if capacity allows, with costs; --compare scenarios.")
            { inventory, policy, costs, capacity, start, compare, limit, param };
        var common = AddCommon(c);
        c.SetAction(parse => Run(() =>
        {
            var from = parse.GetValue(start) ?? Today;
            var cap = parse.GetValue(capacity)!.Value;
            var seconds = parse.GetValue(limit)!.Value;
            var packs = new List<PolicyPack> { ResolvePack(parse.GetValue(policy)!) };
            foreach (var p in parse.GetValue(compare) ?? [])
                packs.Add(ResolvePack(p));
            packs = WithParameters(packs, parse.GetValue(param));
            var costTable = parse.GetValue(costs)!.Select(CostTable.Load).Aggregate((a, b) => a.Overlay(b));
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
                    json: NetworkReports.WriteCompareJson);
            // Exit 1 must never be silent: name each scenario and deadline the capacity cannot meet.
            foreach (var plan in plans.Where(p => !p.Feasible))
            {
                var missed = plan.Deadlines.Where(d => !d.Met).ToList();
                var detail = missed.Count == 0 ? "" : ": " + string.Join("; ", missed.Select(d => $"{d.Rule} due {d.Date:yyyy-MM-dd}" +
                    (d.Overdue ? " (already past at the start)" : d.RequiredCapacity is { } need ? $" needs {need.ToString("0.##", CultureInfo.InvariantCulture)} units/month" : "")));
                Console.Error.WriteLine($"assay network: scenario '{plan.Scenario}' misses {missed.Count} deadline(s) at --capacity {cap.ToString(CultureInfo.InvariantCulture)}{detail}");
            }
            return plans.TrueForAll(p => p.Feasible) ? ExitCodes.Ok : ExitCodes.FindingsOverThreshold;
        }));
        return c;
    }

    private static Command Risk()
    {
        var inventory = CliOptions.InputArgument("inventory", "Element CSV (with model and software_version), or YAML inventory.");
        var evidence = CliOptions.InputPath("--evidence", "Links CSV vendor,model,software_version,evaluation (evaluation JSON paths relative to it).");
        evidence.Required = true;
        var top = CliOptions.Count("--top", "How many elements and sites to rank (default 20).", 1, 100_000, 20);
        var c = new Command("risk", "Rank where risk sits from the lab's evaluations (vulnerabilities, hardening, TS 33.117), whatever the vendor.\n" +
            "Exit codes: 0 ranked, 2 usage, 3 inventory or links file unreadable, 5 ranked but a linked evaluation could not be read (its product counts as not evaluated).") { inventory, evidence, top };
        var common = AddCommon(c, designations: false);
        c.SetAction(parse => Run(() =>
        {
            var n = parse.GetValue(top)!.Value;
            var links = EvidenceRisk.LoadLinks(parse.GetValue(evidence)!);
            var inv = InventoryLoader.Load(parse.GetValue(inventory)!, parse.GetValue(common.Sites));
            var result = EvidenceRisk.Assess(inv, links.Evidence, n) with { LinkProblems = links.Problems };
            Emit(parse.GetValue(common.Format)!, parse.GetValue(common.Output), result,
                (r, w) => NetworkReports.WriteRiskTable(r, w), NetworkReports.WriteRiskCsv, NetworkReports.WriteRiskHtml);
            // A linked evaluation that cannot be read leaves its product unranked, not the whole network.
            foreach (var problem in links.Problems)
                Console.Error.WriteLine($"assay network: {problem.Message}; {problem.Vendor} {problem.Model} {problem.SoftwareVersion} is ranked as not yet evaluated");
            return links.Problems.Count > 0 ? ExitCodes.Incomplete : ExitCodes.Ok;
        }));
        return c;
    }

    private static Command Generate()
    {
        var sites = CliOptions.Count("--sites", "Number of sites (about 6 elements per RAN site).", 3, NetworkGenerator.MaxSites);
        sites.Required = true;
        var seed = CliOptions.Count("--seed", "Random seed; the same seed gives the same network (default 1).", 0, int.MaxValue, 1);
        var regions = CliOptions.Count("--regions", "Number of regions (1-16, default 12).", 1, 16, 12);
        var output = CliOptions.OutputFile("--output", "Write the CSV here instead of standard output (its folder must exist).", "-o");
        var profile = CliOptions.Choice("--profile", $"Shape of the network (default {NetworkProfiles.Default}); docs/network.md states each one's assumptions.", [.. NetworkProfiles.Ids], NetworkProfiles.Default);
        var c = new Command("generate", "Write a synthetic national network (element CSV) for demos and benchmarks.") { sites, seed, regions, output, profile };
        c.SetAction(parse => Run(() =>
        {
            var options = new GeneratorOptions
            {
                Sites = parse.GetValue(sites)!.Value, Seed = parse.GetValue(seed)!.Value, Regions = parse.GetValue(regions)!.Value,
                Profile = parse.GetValue(profile) ?? NetworkProfiles.Default,
            };
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
                count = 0;
                OutputFile.Write(path, stream =>
                {
                    using var file = new StreamWriter(stream, new System.Text.UTF8Encoding(false), bufferSize: 1 << 16, leaveOpen: true);
                    count = NetworkGenerator.Write(options, file);
                });
                Console.Error.WriteLine($"wrote {count:N0} elements at {options.Sites:N0} sites to {path} in {sw.Elapsed.TotalSeconds:0.00} s");
                Console.Error.WriteLine($"profile {options.Profile}: {NetworkProfiles.Find(options.Profile)!.Shape}");
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

    private static DateOnly Today => DateOnly.FromDateTime(DateTime.UtcNow);

    private static Option<string[]> ParamOption() => CliOptions.Texts("--param",
        "A date the pack's rules depend on, NAME=YYYY-MM-DD (repeatable); 'assay network policies -v' lists each pack's parameters (us-fcc: allocation, disbursement, extended_to).");

    /// <summary>The packs with their parameter dates fixed; a malformed or undeclared parameter is a usage error (checked before any file is read).</summary>
    private static List<PolicyPack> WithParameters(List<PolicyPack> packs, string[]? arguments)
    {
        try
        {
            var values = PackParameters.Parse(arguments ?? []);
            PackParameters.CheckKnown(values, packs);
            return packs.ConvertAll(p => PackParameters.Apply(p, values));
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }
    }

    /// <summary><c>--policy</c>: a built-in pack id or a pack file (resolved before any other work).</summary>
    private static Option<string?> PolicyOption(string description)
    {
        var option = CliOptions.Text("--policy", string.Format(CultureInfo.InvariantCulture, description, string.Join(", ", BuiltinPolicyPacks.Ids)), "-p");
        option.Required = true;
        return option;
    }

    private static List<string>? SplitList(string? text) =>
        text is null ? null : [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    private static void Emit<T>(string format, string? path, T value, Action<T, TextWriter> table, Action<T, TextWriter> csv, Action<T, TextWriter> html,
        Action<T, Stream>? json = null)
    {
        if (path is not null)
        {
            OutputFile.Write(path, stream => Render(format, stream, value, table, csv, html, json));
            return;
        }
        using var stdout = Console.OpenStandardOutput();
        Render(format, stdout, value, table, csv, html, json);
    }

    private static void Render<T>(string format, Stream stream, T value, Action<T, TextWriter> table, Action<T, TextWriter> csv, Action<T, TextWriter> html,
        Action<T, Stream>? json)
    {
        if (format == "json")
        {
            if (json is null)
                NetworkReports.WriteJson(value, stream);
            else
                json(value, stream);
            return;
        }
        using var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false), 1 << 16, leaveOpen: true);
        switch (format)
        {
            case "csv": csv(value, writer); break;
            case "html": html(value, writer); break;
            default: table(value, writer); break;
        }
    }
}
