using Assay.Core.Identification;
using Assay.Core.Model;

namespace Assay.Core.Pipeline;

/// <summary>
/// Stage 1: the input's size, SHA-256, file type and the format it opens as, without unpacking.
/// Starts the session's budget (the limits scale with the input's size).
/// </summary>
public static class IdentifyStage
{
    public const string Id = "identify";

    public static IdentifyResult Run(ScanSession session, ScanInput input)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(input);
        session.Progress.Stage = Id;
        var started = DateTimeOffset.UtcNow;
        session.StartBudget(input.Blob.Length);
        var sha = TreeWalker.Hash(input.Blob);
        var header = Content.BlobExtensions.ReadBytes(input.Blob, 0, FileType.HeaderBytes);
        var type = FileType.Detect(header, input.Blob.Length);
        var (handler, match) = Identifier.Identify(session.Handlers, input.Blob, header, type, input.Name, []);
        return new IdentifyResult
        {
            Input = new InputInfo(input.DisplayPath, input.Blob.Length, sha),
            RootName = input.Name,
            Format = handler?.Id,
            Description = match?.Description ?? type.Description,
            StartedAt = started,
        };
    }
}
