using Assay.Core.Model;
using Assay.Core.Plugins;

namespace Assay.Core.Pipeline;

/// <summary>
/// Stage 2: unpacks the input into the virtual tree (<see cref="TreeWalker"/>). Given inspectors, it
/// also runs them over every regular file while its content is at hand and completes them over the
/// whole tree: unpacking and inspection fused in one pass, which is what a local scan does. Without
/// inspectors it yields the tree alone, and <see cref="InspectStage"/> can inspect it later.
/// </summary>
public static class UnpackStage
{
    public const string Id = "unpack";

    /// <summary>The tree, and what <paramref name="inspectors"/> reported (null when there were none).</summary>
    public static (UnpackResult Tree, InspectResult? Inspection) Run(ScanSession session, ScanInput input, IdentifyResult identity, IReadOnlyList<IInspector> inspectors)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentNullException.ThrowIfNull(inspectors);
        session.Progress.Stage = Id;
        session.StartBudget(input.Blob.Length);
        var root = Walk(session, input, identity, inspectors);
        var files = new List<FileRecord>();
        var chunks = new List<ChunkRecord>();
        var errors = new List<ScanError>();
        foreach (var node in root.Subtree())
        {
            files.AddRange(node.Files);
            chunks.AddRange(node.Chunks);
            errors.AddRange(node.Errors);
        }
        var tree = new UnpackResult
        {
            Files = EvaluationOrder.Files(files),
            Chunks = EvaluationOrder.Chunks(chunks),
            Errors = EvaluationOrder.Errors(errors),
        };
        return (tree, inspectors.Count == 0 ? null : InspectStage.Complete(session, root, tree.Files, inspectors));
    }

    internal static NodeResult Walk(ScanSession session, ScanInput input, IdentifyResult identity, IReadOnlyList<IInspector> inspectors)
    {
        using var walker = new TreeWalker(session, inspectors);
        return walker.Walk(input.Blob, identity.RootName, identity.Input.Sha256);
    }
}
