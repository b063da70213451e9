using System.Security.Cryptography;
using Assay.Core.Content;
using Assay.Core.Identification;
using Assay.Core.Model;
using Assay.Core.Plugins;

namespace Assay.Analyzers.Tests;

/// <summary>One file of a pretend image: where it sits inside the image, its bytes and mode.</summary>
internal sealed record ImageFile(string InnerPath, byte[] Content, string Mode = "0644", NodeKind Kind = NodeKind.File, string? Target = null, long Uid = 0, string Container = "tar");

/// <summary>
/// Runs inspectors the way the scan pipeline does: a record per entry with the real file-type
/// detection, Inspect for every wanted regular file, then Complete with all records.
/// </summary>
internal static class Harness
{
    public const string Image = "fw.bin";

    public static string PathOf(string inner) => Image + "!" + inner;

    public static ImageFile Fixture(string fixture, string innerPath, string mode = "0644") => new(innerPath, Tests.Fixture.Bytes(fixture), mode);

    public static ImageFile Text(string innerPath, string text, string mode = "0644") => new(innerPath, System.Text.Encoding.UTF8.GetBytes(text), mode);

    public static InspectionSink Run(IInspector inspector, params ImageFile[] files)
    {
        var sink = new InspectionSink();
        var records = new List<FileRecord>();
        foreach (var f in files)
        {
            using var blob = new MemoryBlob(f.Content);
            var record = new FileRecord
            {
                Path = PathOf(f.InnerPath),
                Kind = f.Kind,
                Size = f.Kind == NodeKind.File ? f.Content.Length : null,
                Mode = f.Mode,
                Uid = f.Uid,
                Gid = 0,
                Sha256 = f.Kind == NodeKind.File ? Convert.ToHexStringLower(SHA256.HashData(f.Content)) : null,
                Target = f.Target,
                Type = f.Kind == NodeKind.File ? FileType.Detect(blob) : null,
                Container = f.Container,
            };
            records.Add(record);
            if (f.Kind == NodeKind.File && inspector.Wants(record))
                inspector.Inspect(new InspectedFile(record, blob), sink);
        }
        inspector.Complete(records.OrderBy(r => r.Path, StringComparer.Ordinal).ToList(), sink);
        return sink;
    }

    public static List<Finding> Findings(this InspectionSink sink, string ruleId) => sink.Findings.Where(f => f.RuleId == ruleId).ToList();

    public static List<string> RuleIds(this InspectionSink sink) => sink.Findings.Select(f => f.RuleId).Distinct().Order(StringComparer.Ordinal).ToList();
}
