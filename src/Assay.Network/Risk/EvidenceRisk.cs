using System.Text;
using Assay.Core.Model;
using Assay.Network.Inventory;
using Assay.Network.Text;
using Assay.Reports;

namespace Assay.Network.Risk;

/// <summary>The evidence of one lab evaluation, reduced to what the risk score needs.</summary>
public sealed record EvaluationEvidence
{
    public required string Vendor { get; init; }
    public required string Model { get; init; }
    public required string SoftwareVersion { get; init; }
    public required string File { get; init; }
    public required int OpenCritical { get; init; }
    public required int OpenHigh { get; init; }
    public required int OpenMedium { get; init; }
    public required int HardeningFindings { get; init; }

    /// <summary>Distinct TS 33.117 clauses failed by any finding.</summary>
    public required IReadOnlyList<string> Ts33117Failures { get; init; }

    /// <summary>The product's score before the domain weight (see <see cref="EvidenceRisk"/>).</summary>
    public required double Score { get; init; }
}

/// <summary>Risk of one element or site.</summary>
public sealed record RiskItem(string Id, string Site, string Region, string Domain, string Vendor, string Product, double Risk, string Basis);

/// <summary>Risk per vendor: the same measure for every vendor, designated or not.</summary>
public sealed record VendorRisk(string Vendor, int Elements, int Assessed, double TotalRisk, double MeanRisk);

/// <summary>The product versions deployed but not evaluated: what the lab should look at next.</summary>
public sealed record UnassessedProduct(string Vendor, string Model, string SoftwareVersion, int Elements);

/// <summary>Result of <c>assay network risk</c>.</summary>
/// <summary>A linked evaluation that could not be read: the product stays unassessed and the ranking goes on without it.</summary>
public sealed record LinkProblem(string Vendor, string Model, string SoftwareVersion, string Evaluation, string Message);

/// <summary>The evaluations a links file points at: those read and scored, and those that could not be read.</summary>
public sealed record EvidenceLinks(IReadOnlyList<EvaluationEvidence> Evidence, IReadOnlyList<LinkProblem> Problems);

public sealed record RiskResult
{
    public required string Inventory { get; init; }
    public required int Elements { get; init; }
    public required int Assessed { get; init; }
    public required IReadOnlyList<EvaluationEvidence> Evaluations { get; init; }
    public required IReadOnlyList<RiskItem> TopElements { get; init; }
    public required IReadOnlyList<RiskItem> TopSites { get; init; }
    public required IReadOnlyList<VendorRisk> Vendors { get; init; }
    public required IReadOnlyList<UnassessedProduct> Unassessed { get; init; }
    public required IReadOnlyDictionary<string, double> DomainWeights { get; init; }

    /// <summary>Linked evaluations that could not be read (missing, malformed); their products are in <see cref="Unassessed"/>.</summary>
    public IReadOnlyList<LinkProblem> LinkProblems { get; init; } = [];
}

/// <summary>
/// Evidence-based risk: links each element (vendor, model, software version) to the lab's evaluation
/// of that product version and scores it from what the evaluation found, weighted by how critical the
/// element's domain is. The vendor's name plays no part in the score.
/// <para>
/// Product score = 10 per open critical vulnerability + 4 per open high + 1 per open medium
/// ("open": not marked not_affected or fixed by VEX) + the hardening findings' severities
/// (critical 4, high 2, medium 1, low 0.25; at most 20 in all, so one weak toolchain does not drown
/// the rest) + 3 per failed TS 33.117 clause. Element risk = product score × domain weight × 1.5 at
/// a <c>sensitive</c> site. The weights are Assay's choice, stated in docs/network.md; they rank, they
/// do not measure a probability.
/// </para>
/// </summary>
public static class EvidenceRisk
{
    /// <summary>Criticality of each domain: the core and its management hold the keys to the network.</summary>
    public static IReadOnlyDictionary<NetworkDomain, double> DomainWeights { get; } = new Dictionary<NetworkDomain, double>
    {
        [NetworkDomain.Core] = 1.0,
        [NetworkDomain.Management] = 0.9,
        [NetworkDomain.Transport] = 0.6,
        [NetworkDomain.Oss] = 0.5,
        [NetworkDomain.Ran] = 0.4,
        [NetworkDomain.FixedAccess] = 0.4,
    };

    public const double SensitiveSiteFactor = 1.5;

    /// <summary>Most evaluations linked in one run.</summary>
    public const int MaxLinks = 10_000;

    /// <summary>
    /// Reads a links CSV <c>vendor,model,software_version,evaluation</c> (evaluation: path of an
    /// evaluation JSON, relative to the links file) and loads each evaluation. A malformed links file
    /// throws <see cref="InventoryException"/>; an evaluation that cannot be read (missing, not JSON,
    /// too large) is listed in <see cref="EvidenceLinks.Problems"/> and the others are still scored.
    /// </summary>
    public static EvidenceLinks LoadLinks(string path)
    {
        var file = Path.GetFileName(path);
        var dir = Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
        var errors = new ErrorList(file);
        var result = new List<EvaluationEvidence>();
        var problems = new List<LinkProblem>();
        using var stream = InputFiles.OpenBounded(path, InputFiles.MaxSmallFileBytes);
        using var reader = new CsvLineReader(new StreamReader(stream, Encoding.UTF8));
        Span<Range> fields = stackalloc Range[CsvLineReader.MaxFields];
        if (!reader.TryReadLine(out var header))
            throw new InventoryException($"{file}: empty; expected vendor,model,software_version,evaluation");
        var n = reader.Split(header, fields, out var h, out _);
        int vendor = -1, model = -1, version = -1, evaluation = -1;
        for (var f = 0; f < n; f++)
        {
            var name = h[fields[f]].Trim().TrimStart('\uFEFF');
            if (name.Equals("vendor", StringComparison.OrdinalIgnoreCase)) vendor = f;
            else if (name.Equals("model", StringComparison.OrdinalIgnoreCase) || name.Equals("product", StringComparison.OrdinalIgnoreCase)) model = f;
            else if (name.Equals("software_version", StringComparison.OrdinalIgnoreCase) || name.Equals("version", StringComparison.OrdinalIgnoreCase)) version = f;
            else if (name.Equals("evaluation", StringComparison.OrdinalIgnoreCase)) evaluation = f;
        }
        if (vendor < 0 || model < 0 || version < 0 || evaluation < 0)
            throw new InventoryException($"{file}:1: the links header needs vendor, model, software_version and evaluation; found '{InventoryBuilder.Clip(header)}'");
        var need = new[] { vendor, model, version, evaluation }.Max() + 1;
        var seen = new HashSet<(string, string, string)>();
        while (reader.TryReadLine(out var line))
        {
            if (line.IsWhiteSpace())
                continue;
            if (result.Count >= MaxLinks)
            {
                errors.Add(reader.LineNumber, $"more than {MaxLinks} links");
                break;
            }
            var count = reader.Split(line, fields, out var t, out var err);
            if (count < need)
            {
                if (!errors.Add(reader.LineNumber, err ?? $"{count} fields, expected {need}"))
                    break;
                continue;
            }
            var key = (t[fields[vendor]].Trim().ToString(), t[fields[model]].Trim().ToString(), t[fields[version]].Trim().ToString());
            if (!seen.Add(key))
            {
                errors.Add(reader.LineNumber, $"{key.Item1} {key.Item2} {key.Item3} is linked twice; keep one evaluation per product version");
                continue;
            }
            var linked = t[fields[evaluation]].Trim().ToString();
            var evalPath = Path.Combine(dir, linked);
            try
            {
                using var es = InputFiles.OpenBounded(evalPath, InputFiles.MaxEvaluationBytes);
                var ev = JsonReportWriter.Read(es);
                result.Add(Score(ev, key.Item1, key.Item2, key.Item3, Path.GetFileName(evalPath)));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InventoryException or System.Text.Json.JsonException or InvalidDataException or NotSupportedException)
            {
                problems.Add(new LinkProblem(key.Item1, key.Item2, key.Item3, linked, $"{file}:{reader.LineNumber}: evaluation {evalPath}: {e.Message}"));
            }
        }
        errors.ThrowIfAny();
        return new EvidenceLinks(result, problems);
    }

    /// <summary>Scores one evaluation document.</summary>
    public static EvaluationEvidence Score(Evaluation evaluation, string vendor, string model, string version, string file)
    {
        int critical = 0, high = 0, medium = 0;
        foreach (var v in evaluation.Vulnerabilities)
        {
            if (v.VexState is "not_affected" or "fixed")
                continue;
            switch (v.Severity)
            {
                case Severity.Critical: critical++; break;
                case Severity.High: high++; break;
                case Severity.Medium: medium++; break;
            }
        }
        var hardening = 0;
        var hardeningScore = 0.0;
        var clauses = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var f in evaluation.Findings)
        {
            if (string.Equals(f.Category, "hardening", StringComparison.OrdinalIgnoreCase))
            {
                hardening++;
                hardeningScore += f.Severity switch
                {
                    Severity.Critical => 4,
                    Severity.High => 2,
                    Severity.Medium => 1,
                    Severity.Low => 0.25,
                    _ => 0,
                };
            }
            foreach (var r in f.Requirements)
                clauses.Add(r);
        }
        var score = 10.0 * critical + 4.0 * high + medium + Math.Min(20, hardeningScore) + 3.0 * clauses.Count;
        return new EvaluationEvidence
        {
            Vendor = vendor,
            Model = model,
            SoftwareVersion = version,
            File = file,
            OpenCritical = critical,
            OpenHigh = high,
            OpenMedium = medium,
            HardeningFindings = hardening,
            Ts33117Failures = [.. clauses],
            Score = score,
        };
    }

    /// <summary>Scores every element and site of the inventory; lists the top <paramref name="top"/>.</summary>
    public static RiskResult Assess(NetworkInventory inv, IReadOnlyList<EvaluationEvidence> evidence, int top = 20)
    {
        var byProduct = new Dictionary<(string, string, string), EvaluationEvidence>();
        foreach (var ev in evidence)
            byProduct[(ev.Vendor.ToUpperInvariant(), ev.Model.ToUpperInvariant(), ev.SoftwareVersion.ToUpperInvariant())] = ev;

        // resolve once per distinct (vendor, model, version) index triple
        var cache = new Dictionary<(int, int, int), EvaluationEvidence?>();
        var elementRisk = new double[inv.Count];
        var assessed = new bool[inv.Count];
        var siteRisk = new double[inv.Sites.Count];
        var unassessed = new Dictionary<(int, int, int), int>();
        var sensitive = inv.SiteClasses.Find("sensitive");
        for (var e = 0; e < inv.Count; e++)
        {
            var key = (inv.Vendor[e], inv.Model[e], inv.SoftwareVersion[e]);
            if (!cache.TryGetValue(key, out var ev))
            {
                byProduct.TryGetValue((inv.Vendors[key.Item1].ToUpperInvariant(), inv.Models[key.Item2].ToUpperInvariant(), inv.SoftwareVersions[key.Item3].ToUpperInvariant()), out ev);
                cache[key] = ev;
            }
            if (ev is null)
            {
                unassessed[key] = unassessed.GetValueOrDefault(key) + 1;
                continue;
            }
            var risk = ev.Score * DomainWeights[inv.Domain[e]];
            if (sensitive >= 0 && inv.SiteClass[inv.Site[e]] == sensitive)
                risk *= SensitiveSiteFactor;
            elementRisk[e] = risk;
            assessed[e] = true;
            siteRisk[inv.Site[e]] += risk;
        }

        var topElements = TopIndices(elementRisk, top).Select(e => new RiskItem(
            inv.ElementIds[e], inv.Sites[inv.Site[e]], inv.Regions[inv.RegionOf(e)], inv.Domain[e].ToName(), inv.Vendors[inv.Vendor[e]],
            $"{inv.Models[inv.Model[e]]} {inv.SoftwareVersions[inv.SoftwareVersion[e]]}".Trim(), elementRisk[e],
            Basis(cache[(inv.Vendor[e], inv.Model[e], inv.SoftwareVersion[e])]!, inv.Domain[e]))).ToList();

        var topSites = TopIndices(siteRisk, top).Select(s => new RiskItem(
            inv.Sites[s], inv.Sites[s], inv.Regions[inv.SiteRegion[s]], "", "", inv.SiteClasses[inv.SiteClass[s]], siteRisk[s], "sum of its elements' risk")).ToList();

        var vendorCount = new int[inv.Vendors.Count];
        var vendorAssessed = new int[inv.Vendors.Count];
        var vendorRisk = new double[inv.Vendors.Count];
        for (var e = 0; e < inv.Count; e++)
        {
            vendorCount[inv.Vendor[e]]++;
            if (assessed[e])
            {
                vendorAssessed[inv.Vendor[e]]++;
                vendorRisk[inv.Vendor[e]] += elementRisk[e];
            }
        }
        var vendors = Enumerable.Range(0, inv.Vendors.Count)
            .Select(v => new VendorRisk(inv.Vendors[v], vendorCount[v], vendorAssessed[v], vendorRisk[v], vendorAssessed[v] == 0 ? 0 : vendorRisk[v] / vendorAssessed[v]))
            .OrderByDescending(v => v.TotalRisk).ThenBy(v => v.Vendor, StringComparer.Ordinal).ToList();

        return new RiskResult
        {
            Inventory = inv.Source,
            Elements = inv.Count,
            Assessed = assessed.Count(a => a),
            Evaluations = evidence,
            TopElements = topElements,
            TopSites = topSites,
            Vendors = vendors,
            Unassessed = unassessed.OrderByDescending(kv => kv.Value)
                .ThenBy(kv => inv.Vendors[kv.Key.Item1], StringComparer.Ordinal).ThenBy(kv => inv.Models[kv.Key.Item2], StringComparer.Ordinal)
                .ThenBy(kv => inv.SoftwareVersions[kv.Key.Item3], StringComparer.Ordinal)
                .Select(kv => new UnassessedProduct(inv.Vendors[kv.Key.Item1], inv.Models[kv.Key.Item2], inv.SoftwareVersions[kv.Key.Item3], kv.Value)).ToList(),
            DomainWeights = DomainWeights.ToDictionary(kv => kv.Key.ToName(), kv => kv.Value),
        };
    }

    private static string Basis(EvaluationEvidence ev, NetworkDomain domain) =>
        $"{ev.File}: {ev.OpenCritical} critical, {ev.OpenHigh} high open vulnerabilities, {ev.HardeningFindings} hardening findings, " +
        $"{ev.Ts33117Failures.Count} TS 33.117 clauses failed; {domain.ToName()} weight {DomainWeights[domain]}";

    /// <summary>Indices of the largest positive values, highest first, ties by index.</summary>
    private static List<int> TopIndices(double[] values, int top)
    {
        var list = new List<int>();
        for (var i = 0; i < values.Length; i++)
            if (values[i] > 0)
                list.Add(i);
        list.Sort((a, b) => values[b].CompareTo(values[a]) is var c && c != 0 ? c : a.CompareTo(b));
        return list.Count > top ? list[..top] : list;
    }
}
