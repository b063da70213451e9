using System.Globalization;
using Assay.Vulnerabilities.Storage;

namespace Assay.Vulnerabilities.Import;

/// <summary>
/// Reads FIRST's EPSS daily score file (https://www.first.org/epss/data_stats,
/// <c>epss_scores-YYYY-MM-DD.csv.gz</c> / <c>epss_scores-current.csv.gz</c>): a comment line with
/// the model and the score date, a header, then one row per CVE:
/// <code>
/// #model_version:v2025.03.14,score_date:2025-09-03T12:55:00Z
/// cve,epss,percentile
/// CVE-1999-0001,0.0142,0.7991
/// </code>
/// Files before 2022 have no comment line. The file is published whole: an import replaces the stored scores.
/// Limitations: only the three documented columns are read; a row whose score or percentile is
/// outside 0..1 is reported and skipped.
/// </summary>
internal static class EpssImporter
{
    public const string SourceName = "epss";

    /// <summary>Longest row read (a real row is about 30 bytes).</summary>
    public const int MaxLineLength = 4096;

    /// <summary>True when the first line is the EPSS comment line or the EPSS header.</summary>
    public static bool LooksLikeEpss(string firstLine) =>
        firstLine.StartsWith("#model_version", StringComparison.Ordinal) || firstLine.StartsWith("cve,epss", StringComparison.OrdinalIgnoreCase);

    /// <summary>The header of a file from its comment line (<c>#model_version:...,score_date:...</c>), or an empty header when there is none.</summary>
    public static SnapshotHeader Header(string? comment)
    {
        string? model = null;
        DateTimeOffset? date = null;
        if (comment is not null && comment.StartsWith('#'))
            foreach (var item in comment[1..].Split(','))
            {
                var colon = item.IndexOf(':', StringComparison.Ordinal);
                if (colon <= 0)
                    continue;
                var (key, value) = (item[..colon].Trim(), item[(colon + 1)..].Trim());
                if (key == "model_version")
                    model = value.Length <= 64 ? value : value[..64];
                else if (key == "score_date" && DateTimeOffset.TryParse(value.Replace("+0000", "Z", StringComparison.Ordinal), CultureInfo.InvariantCulture,
                    DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t))
                    date = t;
            }
        return new SnapshotHeader(SourceName, date, model);
    }

    /// <summary>One data row; null for the header row.</summary>
    public static EpssRecord? ParseRow(string line)
    {
        if (line.StartsWith("cve,", StringComparison.OrdinalIgnoreCase))
            return null;
        var parts = line.Split(',');
        if (parts.Length < 3)
            throw new FeedFormatException($"row '{Cut(line)}' has {parts.Length} columns, expected cve,epss,percentile");
        var cve = parts[0].Trim().ToUpperInvariant();
        if (!cve.StartsWith("CVE-", StringComparison.Ordinal) || cve.Length > JsonFields.MaxIdLength)
            throw new FeedFormatException($"row '{Cut(line)}': '{Cut(parts[0])}' is not a CVE id");
        return new EpssRecord(cve, Probability(parts[1], "epss", line), Probability(parts[2], "percentile", line));
    }

    private static double Probability(string text, string column, string line)
    {
        if (!double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v) || v < 0 || v > 1)
            throw new FeedFormatException($"row '{Cut(line)}': {column} '{Cut(text)}' is not a number between 0 and 1");
        return v;
    }

    private static string Cut(string s) => s.Length > 64 ? s[..64] + "..." : s;
}
