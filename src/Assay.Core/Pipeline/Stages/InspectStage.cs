using Assay.Core.Model;
using Assay.Core.Plugins;

namespace Assay.Core.Pipeline;

/// <summary>
/// Stage 3: runs a group of inspectors (the catalogers, or the analyzers) over an unpacked tree on
/// its own, as a server job does after the unpack job: the content is read again from the input
/// (through the cache where it can), every wanted file is inspected, and each inspector completes
/// over the whole file list. The walk must give the tree it is given; a mismatch means the input
/// changed and is an error.
/// </summary>
public static class InspectStage
{
    public const string Id = "inspect";

    public static InspectResult Run(ScanSession session, ScanInput input, IdentifyResult identity, UnpackResult tree, IReadOnlyList<IInspector> inspectors)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentNullException.ThrowIfNull(tree);
        ArgumentNullException.ThrowIfNull(inspectors);
        if (input.Blob.Length != identity.Input.Size)
            throw new InvalidOperationException($"the input is {input.Blob.Length} bytes, the stored identification says {identity.Input.Size}: it is not the input that was unpacked");
        session.Progress.Stage = Id;
        session.StartBudget(input.Blob.Length);
        var root = UnpackStage.Walk(session, input, identity, inspectors);
        var files = EvaluationOrder.Files(root.Subtree().SelectMany(n => n.Files));
        if (files.Count != tree.Files.Count)
            throw new InvalidOperationException($"walking the input again gave {files.Count} entries where the stored tree has {tree.Files.Count}: the input or the engine changed between the stages");
        return Complete(session, root, tree.Files, inspectors);
    }

    /// <summary>Collects what the inspectors reported per file and completes each over the sorted file list.</summary>
    internal static InspectResult Complete(ScanSession session, NodeResult root, IReadOnlyList<FileRecord> files, IReadOnlyList<IInspector> inspectors)
    {
        // Complete sees every fact the inspectors reported about single files.
        var completion = new InspectionSink();
        foreach (var node in root.Subtree())
        {
            if (node.Inspection is { } perFile)
            {
                foreach (var fact in perFile.Facts)
                    completion.Add(fact);
            }
        }
        foreach (var inspector in inspectors)
        {
            session.CancellationToken.ThrowIfCancellationRequested();
            try
            {
                inspector.Complete(files, completion);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                completion.Add(new ScanError { Path = "", Handler = inspector.Id, Category = FailureClassifier.Classify(e), Message = $"failed after the scan: {e.GetType().Name}: {e.Message}" });
            }
        }
        var sinks = root.Subtree().Select(n => n.Inspection).OfType<InspectionSink>().Append(completion).ToList();
        var summaries = EvaluationSummaries.None;
        foreach (var sink in sinks)
            summaries = summaries.Merge(sink.Summaries);
        return new InspectResult
        {
            Inspectors = [.. inspectors.Select(i => i.Id)],
            Components = EvaluationOrder.Components(sinks.SelectMany(s => s.Components)),
            Findings = EvaluationOrder.Findings(sinks.SelectMany(s => s.Findings)),
            Errors = EvaluationOrder.Errors(sinks.SelectMany(s => s.Errors)),
            RuleChecks = SumChecks(sinks.Select(s => s.Checks)),
            Summaries = summaries,
        };
    }

    /// <summary>The checks of several sinks added up per rule, in rule order.</summary>
    internal static SortedDictionary<string, long> SumChecks(IEnumerable<IReadOnlyDictionary<string, long>> parts)
    {
        var sum = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var part in parts)
        {
            foreach (var (rule, count) in part)
                sum[rule] = checked(sum.GetValueOrDefault(rule) + count);
        }
        return sum;
    }
}
