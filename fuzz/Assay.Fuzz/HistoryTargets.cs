using Assay.Core.Content;
using Assay.Core.Model;
using Assay.History;
using Assay.History.Build;
using Assay.History.Diff;
using Assay.History.Reports;

namespace Assay.Fuzz;

/// <summary>
/// Targets for the parsers of Assay.History: an evaluation document given to <c>assay diff</c>
/// (read, diffed with itself, every diff report written), and the build-facts readers a file goes
/// through during <c>assay verify-build</c> (module signature trailer, detached signature, ELF
/// regions, block digests; device-tree structure as a FIT). Only <see cref="InvalidDataException"/>
/// is an expected failure; anything else escapes and is a crash.
/// </summary>
internal static class HistoryTargets
{
    public static void Add(Dictionary<string, Action<byte[]>> targets)
    {
        targets["history:evaluation-json"] = EvaluationJson;
        targets["history:build-facts"] = bytes => BuildRecorder.Record(Record("fuzz!/lib/modules/x.ko.sig", null), new MemoryBlob(bytes));
        targets["history:fdt-structure"] = bytes => BuildRecorder.Record(Record("fuzz!/boot/kernel.fit", "fit"), new MemoryBlob(bytes));
    }

    private static FileRecord Record(string path, string? format) => new() { Path = path, Kind = NodeKind.File, Format = format };

    private static void EvaluationJson(byte[] bytes)
    {
        Evaluation evaluation;
        try
        {
            evaluation = EvaluationDocument.Read(new MemoryStream(bytes), "fuzz.json");
        }
        catch (InvalidDataException)
        {
            return;
        }
        var diff = ReleaseDiff.Compare(evaluation, evaluation);
        foreach (var writer in DiffReportWriters.All)
            writer.Write(diff, Stream.Null);
    }
}
