namespace Assay.Vulnerabilities.Import;

/// <summary>
/// CVSS v3.0/v3.1 base score from a vector string (CVSS v3.1 specification §7.1, §7.4 and
/// Appendix A <c>Roundup</c>). OSV records carry only the vector, NVD records carry both.
/// </summary>
internal static class CvssV3
{
    /// <summary>The base score, null when the vector is not a complete CVSS v3 base vector.</summary>
    public static double? BaseScore(string vector)
    {
        if (!vector.StartsWith("CVSS:3.", StringComparison.Ordinal))
            return null;
        var m = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in vector.Split('/').Skip(1))
        {
            var kv = part.Split(':');
            if (kv.Length != 2)
                return null;
            m[kv[0]] = kv[1];
        }
        string Get(string k) => m.TryGetValue(k, out var v) ? v : "";
        var changed = Get("S") switch { "C" => true, "U" => false, _ => (bool?)null };
        double? av = Get("AV") switch { "N" => 0.85, "A" => 0.62, "L" => 0.55, "P" => 0.2, _ => null };
        double? ac = Get("AC") switch { "L" => 0.77, "H" => 0.44, _ => null };
        double? pr = Get("PR") switch { "N" => 0.85, "L" => changed == true ? 0.68 : 0.62, "H" => changed == true ? 0.5 : 0.27, _ => null };
        double? ui = Get("UI") switch { "N" => 0.85, "R" => 0.62, _ => null };
        static double? Cia(string v) => v switch { "H" => 0.56, "L" => 0.22, "N" => 0.0, _ => null };
        var (c, i, a) = (Cia(Get("C")), Cia(Get("I")), Cia(Get("A")));
        if (changed is null || av is null || ac is null || pr is null || ui is null || c is null || i is null || a is null)
            return null;
        var iss = 1 - ((1 - c.Value) * (1 - i.Value) * (1 - a.Value));
        var impact = changed.Value ? (7.52 * (iss - 0.029)) - (3.25 * Math.Pow(iss - 0.02, 15)) : 6.42 * iss;
        var exploitability = 8.22 * av.Value * ac.Value * pr.Value * ui.Value;
        if (impact <= 0)
            return 0.0;
        return changed.Value ? Roundup(Math.Min(1.08 * (impact + exploitability), 10)) : Roundup(Math.Min(impact + exploitability, 10));
    }

    private static double Roundup(double value)
    {
        var intInput = (long)Math.Round(value * 100_000);
        return intInput % 10_000 == 0 ? intInput / 100_000.0 : (Math.Floor(intInput / 10_000.0) + 1) / 10.0;
    }
}
