using System.Security.Cryptography;
using System.Text;

namespace Assay.Core.Model;

/// <summary>
/// The stable identity of a finding (<see cref="Finding.Fingerprint"/>): what a triage decision is
/// attached to and what a release diff matches on. It must survive what changes between two scans
/// of the same product without changing the finding: the delivery's and containers' names, a carved
/// filesystem's offset, a line moving up or down, the wording of evidence that lists details.
/// </summary>
/// <remarks>
/// <para>Inputs, each separated by a NUL: the scheme <c>assay-finding/1</c>; the rule id; the
/// in-tree key of the file (<see cref="DeliveryTree.Key"/>); the evidence that does not change
/// (<see cref="StableEvidence"/>); and, when several findings share all three, their rank by line
/// and offset. The SHA-256 of that text, first 16 bytes in lower-case hex.</para>
/// <para>The evidence that does not change is the secret's fingerprint for secrets, keys,
/// certificates and password hashes (a different key is a different finding); the line's content,
/// whitespace collapsed, for findings on a line of a text file (never the line number); nothing for
/// findings about a file as a whole (ELF hardening, unsafe calls, permissions: one per rule and
/// file, whatever the evidence lists).</para>
/// </remarks>
public static class FindingFingerprints
{
    /// <summary>The scheme, part of the hashed text; a change of the inputs gets a new one.</summary>
    public const string Scheme = "assay-finding/1";

    /// <summary>Hex digits of a fingerprint.</summary>
    public const int Length = 32;

    /// <summary>The evidence part of the identity (see the class remarks).</summary>
    public static string StableEvidence(Finding finding)
    {
        ArgumentNullException.ThrowIfNull(finding);
        if (!string.IsNullOrEmpty(finding.SecretFingerprint))
            return "secret:" + finding.SecretFingerprint;
        if (finding.Line is not null && finding.Evidence is { } evidence)
            return "line:" + string.Join(' ', evidence.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return "";
    }

    /// <summary>The fingerprint of a finding from its parts; <paramref name="rank"/> 0 for the first of equal parts.</summary>
    public static string Compute(string ruleId, string treeKey, string stableEvidence, int rank = 0)
    {
        var text = rank == 0
            ? $"{Scheme}\0{ruleId}\0{treeKey}\0{stableEvidence}"
            : $"{Scheme}\0{ruleId}\0{treeKey}\0{stableEvidence}\0{rank}";
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)).AsSpan(0, Length / 2));
    }

    /// <summary>
    /// The evaluation with every finding fingerprinted. Fingerprints already present are kept (an
    /// evaluation read back from JSON keeps the identities it was triaged with); the others are
    /// computed from the evaluation's own file records. Findings keep their order.
    /// </summary>
    public static Evaluation Assign(Evaluation evaluation)
    {
        ArgumentNullException.ThrowIfNull(evaluation);
        if (evaluation.Findings.All(f => f.Fingerprint is not null))
            return evaluation;
        var tree = new DeliveryTree(evaluation.Files);
        var parts = evaluation.Findings.Select((f, i) => (Index: i, Finding: f, Rule: f.RuleId, Key: tree.Key(f.Path), Evidence: StableEvidence(f))).ToList();
        var result = new Finding[parts.Count];
        foreach (var group in parts.GroupBy(p => (p.Rule, p.Key, p.Evidence)))
        {
            var rank = 0;
            foreach (var p in group.OrderBy(p => p.Finding.Line ?? 0).ThenBy(p => p.Finding.Offset ?? 0)
                         .ThenBy(p => p.Finding.Path, StringComparer.Ordinal).ThenBy(p => p.Finding.Evidence, StringComparer.Ordinal).ThenBy(p => p.Index))
            {
                result[p.Index] = p.Finding.Fingerprint is null
                    ? p.Finding with { Fingerprint = Compute(p.Rule, p.Key, p.Evidence, rank) }
                    : p.Finding;
                rank++;
            }
        }
        return evaluation with { Findings = result };
    }
}
