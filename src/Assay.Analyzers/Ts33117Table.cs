using Assay.Analyzers.Rules;
using Assay.Core.Model;

namespace Assay.Analyzers;

/// <summary>
/// The per-requirement TS 33.117 table of an evaluation (Rel-16 V16.8.0 clause numbering; see
/// research/telecom-standards.md §1.2): <c>fail</c> when a finding of severity Low or above cites
/// the clause; <c>pass</c> when Assay's rules for the clause examined something in the image (the
/// row says how many checks ran) and none fired; <c>not-checked</c> when Assay has rules for the
/// clause but the image held nothing they look at (no SSH configuration, no web server, no ELF);
/// <c>not-testable</c> when the clause needs a running system, documents or checks Assay does not
/// make from an image.
/// </summary>
/// <remarks>
/// "pass" means "no failing evidence in the image", not a certified pass: partially checkable clauses
/// (marked <c>partial</c>) still need the dynamic test of the SCAS test case.
/// </remarks>
public static class Ts33117Table
{
    /// <summary>Clause, title and how far a static look at the image can test it (static, partial, dynamic).</summary>
    internal static readonly (string Section, string Title, string Testability)[] Requirements =
    [
        ("4.2.3.2.2", "Protecting data and information – confidential system internal data", "partial"),
        ("4.2.3.2.3", "Protecting data and information in storage", "static"),
        ("4.2.3.2.4", "Protecting data and information in transfer", "partial"),
        ("4.2.3.2.5", "Logging access to personal data", "dynamic"),
        ("4.2.3.3.2", "Boot from intended memory devices only", "partial"),
        ("4.2.3.3.5", "Network product software package integrity", "partial"),
        ("4.2.3.4.1.1", "System functions shall not be used without successful authentication and authorization", "partial"),
        ("4.2.3.4.1.2", "Accounts shall allow unambiguous identification of the user", "partial"),
        ("4.2.3.4.2.1", "Account protection by at least one authentication attribute", "static"),
        ("4.2.3.4.2.2", "Predefined accounts shall be deleted or disabled", "static"),
        ("4.2.3.4.2.3", "Predefined or default authentication attributes shall be deleted or disabled", "static"),
        ("4.2.3.4.3.1", "Password structure", "partial"),
        ("4.2.3.4.3.2", "Password changes", "partial"),
        ("4.2.3.4.3.3", "Protection against brute force and dictionary attacks", "partial"),
        ("4.2.3.4.3.4", "Hiding password display", "dynamic"),
        ("4.2.3.4.4.1", "Network product management and maintenance interfaces", "partial"),
        ("4.2.3.4.5", "Policy regarding consecutive failed login attempts", "partial"),
        ("4.2.3.4.6.1", "Authorization policy", "dynamic"),
        ("4.2.3.4.6.2", "Role-based access control", "dynamic"),
        ("4.2.3.5.1", "Protecting sessions – logout function", "dynamic"),
        ("4.2.3.5.2", "Protecting sessions – inactivity timeout", "partial"),
        ("4.2.3.6.1", "Security event logging", "partial"),
        ("4.2.3.6.2", "Log transfer to centralized storage", "partial"),
        ("4.2.3.6.3", "Protection of security event log files", "static"),
        ("4.2.4.1.1.1", "Handling of growing content", "partial"),
        ("4.2.4.1.1.2", "Handling of ICMP", "partial"),
        ("4.2.4.1.1.3", "Handling of IP options and extensions", "partial"),
        ("4.2.4.1.2.1", "Authenticated privilege escalation only", "static"),
        ("4.2.4.2.2", "System account identification", "static"),
        ("4.2.5.1", "HTTPS", "partial"),
        ("4.2.5.2.1", "Webserver logging", "partial"),
        ("4.2.5.3", "HTTP user sessions", "dynamic"),
        ("4.2.6.2.1", "Packet filtering", "partial"),
        ("4.3.2.1", "No unnecessary or insecure services / protocols", "partial"),
        ("4.3.2.2", "Restricted reachability of services", "partial"),
        ("4.3.2.3", "No unused software", "static"),
        ("4.3.2.4", "No unused functions", "partial"),
        ("4.3.2.5", "No unsupported components", "static"),
        ("4.3.2.6", "Remote login restrictions for privileged users", "static"),
        ("4.3.2.7", "Filesystem authorization privileges", "static"),
        ("4.3.3.1.1", "IP-source address spoofing mitigation", "partial"),
        ("4.3.3.1.2", "Minimized kernel network functions", "partial"),
        ("4.3.3.1.3", "No automatic launch of removable media", "static"),
        ("4.3.3.1.4", "SYN flood prevention", "partial"),
        ("4.3.3.1.5", "Protection from buffer overflows", "static"),
        ("4.3.3.1.6", "External file system mount restrictions", "static"),
        ("4.3.4.2", "No system privileges for web server", "partial"),
        ("4.3.4.3", "No unused HTTP methods", "static"),
        ("4.3.4.4", "No unused add-ons", "static"),
        ("4.3.4.5", "No compiler", "static"),
        ("4.3.4.9", "No default content", "static"),
        ("4.3.4.10", "No directory listings", "static"),
        ("4.3.4.11", "Web server information in HTTP headers", "static"),
        ("4.3.4.12", "Web server information in error pages", "partial"),
        ("4.3.4.14", "Restricted file access", "static"),
        ("4.3.5.1", "Traffic separation", "dynamic"),
        ("4.4.2", "Port scanning", "dynamic"),
    ];

    /// <summary>Returns <paramref name="evaluation"/> with its <see cref="EvaluationSummaries.Ts33117"/> section built from its findings.</summary>
    public static Evaluation Apply(Evaluation evaluation)
    {
        ArgumentNullException.ThrowIfNull(evaluation);
        return evaluation with { Summaries = evaluation.Summaries with { Ts33117 = Build(evaluation.Findings, evaluation.RuleChecks) } };
    }

    /// <summary>The table for a list of findings and the number of files each rule examined.</summary>
    public static Ts33117Summary Build(IReadOnlyList<Finding> findings, IReadOnlyDictionary<string, long> ruleChecks)
    {
        var rulesBySection = RuleCatalog.All.SelectMany(r => r.Requirements.Select(s => (s, r.Id)))
            .GroupBy(x => x.s).ToDictionary(g => g.Key, g => g.Select(x => x.Id).Order(StringComparer.Ordinal).ToList(), StringComparer.Ordinal);
        var rows = new List<Ts33117Row>();
        foreach (var (section, title, testability) in Requirements)
        {
            var rules = rulesBySection.GetValueOrDefault(section) ?? [];
            var citing = findings.Where(f => f.Requirements.Contains(section)).ToList();
            var failing = citing.Where(f => f.Severity >= Severity.Low).ToList();
            var checks = rules.Sum(r => ruleChecks.GetValueOrDefault(r));
            string status;
            string note;
            if (failing.Count > 0)
            {
                status = "fail";
                note = $"{failing.Count} finding(s)";
            }
            else if (rules.Count > 0 && testability != "dynamic" && checks > 0)
            {
                status = "pass";
                note = testability == "partial" ? "no failing evidence in the image; the dynamic test case is still needed" : "no failing evidence in the image";
            }
            else if (rules.Count > 0 && testability != "dynamic")
            {
                status = "not-checked";
                note = "the image holds nothing these rules examine";
            }
            else
            {
                status = "not-testable";
                note = testability == "dynamic" ? "needs the running product" : "not checked from the image by Assay";
            }
            rows.Add(new Ts33117Row
            {
                Section = section,
                Title = title,
                Testability = testability,
                Status = status,
                Note = note,
                Rules = rules,
                FailedRules = failing.Select(f => f.RuleId).Distinct().Order(StringComparer.Ordinal).ToList(),
                Findings = failing.Count,
                Observations = citing.Count - failing.Count,
                Checks = checks,
            });
        }
        return new Ts33117Summary
        {
            Pass = rows.Count(r => r.Status == "pass"),
            Fail = rows.Count(r => r.Status == "fail"),
            NotChecked = rows.Count(r => r.Status == "not-checked"),
            NotTestable = rows.Count(r => r.Status == "not-testable"),
            Requirements = rows,
        };
    }
}
