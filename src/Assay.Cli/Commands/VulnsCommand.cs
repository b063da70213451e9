using System.CommandLine;
using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text.Json;
using Assay.Core.Model;
using Assay.Reports;
using Assay.Vulnerabilities;
using Assay.Core.Identifiers;
using Assay.Vulnerabilities.Sbom;
using Assay.Vulnerabilities.Vex;

namespace Assay.Cli.Commands;

/// <summary>
/// <c>assay vulns FILE</c> (an Assay evaluation JSON, any CycloneDX JSON SBOM or SPDX 2.x JSON document),
/// <c>assay vulns --component NAME@VERSION</c>, <c>assay vulns --cpe CPE23</c>: match components
/// against the offline database.
/// </summary>
internal static class VulnsCommand
{
    private static readonly string[] Formats = ["json", "table"];
    private static readonly string[] Severities = ["critical", "high", "medium", "low", "none", "kev"];

    /// <summary>Largest evaluation or SBOM file read.</summary>
    private const long MaxInputBytes = 512L << 20;

    public static Command Create()
    {
        var file = CliOptions.OptionalInputArgument("FILE", "An Assay evaluation JSON, or a CycloneDX or SPDX 2.x JSON SBOM from any tool.");
        var component = CliOptions.Texts("--component", "Match one component: NAME@VERSION (e.g. openssl@1.0.1f) or a package URL. Repeatable.");
        var cpe = CliOptions.Texts("--cpe", "Match one component given as a CPE 2.3 name (cpe:2.3:a:openssl:openssl:1.0.1f:*:*:*:*:*:*:*). Repeatable.");
        var format = CliOptions.Choice("--format", "Output: table (default) or json (the evaluation document, as 'assay scan -f json').", Formats, "table", "-f");
        var vex = CliOptions.InputPath("--vex", "An OpenVEX or CycloneDX VEX file: marks vulnerabilities not_affected / fixed / under_investigation / affected.");
        var failOn = CliOptions.Choice("--fail-on", "Exit with 1 when a vulnerability not marked not_affected or fixed is at least this severe: critical, high, medium, low, none; or kev: listed in CISA's Known Exploited Vulnerabilities catalog.", Severities, null);
        var db = DbCommand.DbOption();
        var command = new Command("vulns", "Match components against the offline vulnerability database.\n" +
            "Exit codes: 0 done, 1 vulnerabilities at or over --fail-on, 2 usage error, 3 input or database unreadable.")
        { file, component, cpe, format, vex, failOn, db };
        command.SetAction(parse =>
        {
            var input = parse.GetValue(file) is { } f ? new FileInfo(f) : null;
            var components = parse.GetValue(component) ?? [];
            var cpes = parse.GetValue(cpe) ?? [];
            if (input is null && components.Length == 0 && cpes.Length == 0)
            {
                Console.Error.WriteLine("assay: give an evaluation JSON, a CycloneDX or SPDX SBOM file, or --component NAME@VERSION, or --cpe CPE23");
                return ExitCodes.Usage;
            }

            Evaluation evaluation;
            try
            {
                evaluation = input is not null ? ReadInput(input) : CommandLineEvaluation();
                var extra = new List<Component>();
                foreach (var c in components)
                    extra.Add(ParseComponent(c));
                foreach (var c in cpes)
                {
                    var parsed = Cpe23.Parse(c);
                    extra.Add(new Component { Name = parsed.Product, Version = parsed.Version is "*" or "-" ? "" : parsed.Version, Location = "command-line", Cpe = c });
                }
                if (extra.Count > 0)
                    evaluation = evaluation with { Components = [.. evaluation.Components, .. extra] };
            }
            catch (FormatException e)
            {
                Console.Error.WriteLine($"assay: {e.Message}");
                return ExitCodes.Usage;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or JsonException)
            {
                Console.Error.WriteLine($"assay: cannot read '{input?.FullName}': {e.Message}");
                return ExitCodes.InputUnreadable;
            }

            try
            {
                using var database = VulnerabilityDatabase.Open(parse.GetValue(db) ?? VulnerabilityDatabase.DefaultPath);
                var vexDocument = parse.GetValue(vex) is { } v ? VexDocument.Load(Path.GetFullPath(v)) : null;
                evaluation = VulnerabilityEnricher.ApplyWith(evaluation, database, vexDocument);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
            {
                Console.Error.WriteLine($"assay: {e.Message}");
                return ExitCodes.InputUnreadable;
            }

            if (parse.GetValue(format) == "json")
            {
                using var stdout = Console.OpenStandardOutput();
                new JsonReportWriter().Write(evaluation, stdout);
            }
            else
            {
                WriteTable(evaluation, Console.Out);
            }
            return Gate(evaluation, parse.GetValue(failOn));
        });
        return command;
    }

    internal static int Gate(Evaluation evaluation, string? failOn)
    {
        if (failOn is null)
            return ExitCodes.Ok;
        if (failOn == "kev")
        {
            var listed = Cli.Gate.KnownExploited(evaluation);
            if (listed.Count == 0)
                return ExitCodes.Ok;
            Console.Error.WriteLine($"assay: {listed.Count} known exploited vulnerabilities (CISA KEV): {string.Join(", ", listed.Take(10))}{(listed.Count > 10 ? ", ..." : "")} (--fail-on kev)");
            return ExitCodes.FindingsOverThreshold;
        }
        var threshold = Enum.Parse<Severity>(failOn, ignoreCase: true);
        var over = evaluation.Vulnerabilities.Count(v => v.Severity >= threshold && v.VexState is not (VexStatus.NotAffected or VexStatus.Fixed));
        if (over == 0)
            return ExitCodes.Ok;
        Console.Error.WriteLine($"assay: {over} vulnerabilities at or over '{failOn}' (--fail-on)");
        return ExitCodes.FindingsOverThreshold;
    }

    private static Evaluation ReadInput(FileInfo input)
    {
        if (!input.Exists)
            throw new FileNotFoundException("the file does not exist", input.FullName);
        if (input.Length > MaxInputBytes)
            throw new InvalidDataException($"the file is {input.Length:N0} bytes, more than the limit of {MaxInputBytes:N0}");
        var bytes = File.ReadAllBytes(input.FullName);
        using var doc = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 256 });
        var cyclonedx = CycloneDxComponentReader.IsCycloneDx(doc.RootElement);
        if (cyclonedx || SpdxComponentReader.IsSpdx(doc.RootElement))
        {
            return new Evaluation
            {
                Tool = Tool(),
                Input = new InputInfo(input.FullName, input.Length, Convert.ToHexStringLower(SHA256.HashData(bytes))),
                StartedAt = DateTimeOffset.UtcNow,
                FinishedAt = DateTimeOffset.UtcNow,
                Components = cyclonedx ? CycloneDxComponentReader.Read(doc.RootElement, input.FullName) : SpdxComponentReader.Read(doc.RootElement, input.FullName),
            };
        }
        if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("components", out _) || !doc.RootElement.TryGetProperty("tool", out _))
            throw new InvalidDataException("neither an Assay evaluation (with \"tool\" and \"components\"), a CycloneDX JSON SBOM (\"bomFormat\": \"CycloneDX\") nor an SPDX 2.x JSON document (\"spdxVersion\": \"SPDX-2.3\")");
        using var stream = new MemoryStream(bytes, writable: false);
        return JsonReportWriter.Read(stream);
    }

    private static Evaluation CommandLineEvaluation() => new()
    {
        Tool = Tool(),
        Input = new InputInfo("command-line", 0, Convert.ToHexStringLower(SHA256.HashData(ReadOnlySpan<byte>.Empty))),
        StartedAt = DateTimeOffset.UtcNow,
        FinishedAt = DateTimeOffset.UtcNow,
    };

    private static ToolInfo Tool() =>
        new("assay", typeof(VulnsCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0");

    /// <summary>NAME@VERSION, or a package URL with a version.</summary>
    internal static Component ParseComponent(string text)
    {
        if (text.StartsWith("pkg:", StringComparison.OrdinalIgnoreCase))
        {
            var at = text.LastIndexOf('@');
            var nameStart = text.LastIndexOf('/', at < 0 ? text.Length - 1 : at) + 1;
            if (at < 0 || nameStart <= 0)
                throw new FormatException($"--component '{text}': a package URL needs a name and a version (pkg:type/name@version)");
            var end = text.IndexOfAny(['?', '#'], at);
            var version = Uri.UnescapeDataString(end < 0 ? text[(at + 1)..] : text[(at + 1)..end]);
            return new Component { Name = Uri.UnescapeDataString(text[nameStart..at]).ToLowerInvariant(), Version = version, Location = "command-line", Purl = text };
        }
        var sep = text.LastIndexOf('@');
        if (sep <= 0 || sep == text.Length - 1)
            throw new FormatException($"--component '{text}' is not NAME@VERSION (e.g. openssl@1.0.1f, busybox@1.31.1) or a package URL");
        return new Component { Name = text[..sep].Trim().ToLowerInvariant(), Version = text[(sep + 1)..].Trim(), Location = "command-line" };
    }

    internal static void WriteTable(Evaluation evaluation, TextWriter output)
    {
        var inv = CultureInfo.InvariantCulture;
        var vulns = VulnerabilityOrder.ByExploitation(evaluation.Vulnerabilities);
        if (vulns.Count > 0)
        {
            output.WriteLine($"{"ID",-20} {"KEV",-14} {"EPSS",-12} {"SEVERITY",-9} {"CVSS",4} {"COMPONENT",-24} {"STATE",-19} MATCHED BY");
            foreach (var v in vulns)
            {
                var score = (v.CvssV31Score ?? v.CvssV40Score)?.ToString("0.0", inv) ?? "-";
                var state = v.VexState ?? (v.MayBeBackported ? "may-be-backported" : "");
                var comp = $"{v.Component}@{v.Version}";
                output.WriteLine($"{v.Id,-20} {VulnerabilityOrder.KevLabel(v),-14} {VulnerabilityOrder.EpssLabel(v),-12} {v.Severity.ToString().ToLowerInvariant(),-9} {score,4} {Cut(comp, 24),-24} {state,-19} {v.MatchedBy}");
            }
            output.WriteLine();
        }
        var counts = Enum.GetValues<Severity>().Where(s => s != Severity.Info).OrderDescending()
            .Select(s => $"{s.ToString().ToLowerInvariant()} {vulns.Count(v => v.Severity == s)}");
        var triaged = vulns.Count(v => v.VexState is VexStatus.NotAffected or VexStatus.Fixed);
        var backported = vulns.Count(v => v.MayBeBackported);
        output.WriteLine($"{vulns.Count} vulnerabilities in {evaluation.Components.Count} components: {string.Join(", ", counts)}" +
            (triaged > 0 ? $"; {triaged} not_affected or fixed by VEX" : "") +
            (backported > 0 ? $"; {backported} in distribution packages that may carry back-ported fixes" : ""));
        if (evaluation.PlatformConditional.Count > 0)
        {
            output.WriteLine();
            output.WriteLine($"{evaluation.PlatformConditional.Count} more apply only on a platform that is not among the components (not counted by --fail-on):");
            foreach (var v in evaluation.PlatformConditional)
                output.WriteLine($"{v.Id,-20} {v.Component}@{v.Version}: applies only on {v.AppliesOnlyOn}");
        }
    }

    private static string Cut(string s, int n) => s.Length <= n ? s : s[..(n - 1)] + "~";
}
