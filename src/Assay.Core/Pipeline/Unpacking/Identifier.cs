using Assay.Core.Content;
using Assay.Core.Formats;
using Assay.Core.Model;

namespace Assay.Core.Pipeline;

/// <summary>Which handler claims content at offset 0: magic first, then the handler's own validation.</summary>
internal static class Identifier
{
    /// <summary>
    /// The first handler, in registry order, whose magic is at its place and whose
    /// <see cref="IFormatHandler.TryMatch"/> validates at offset 0. Handlers without magic (text
    /// encodings) are only tried on text. A handler's failure other than malformed input is added to
    /// <paramref name="errors"/>.
    /// </summary>
    public static (IFormatHandler? Handler, FormatMatch? Match) Identify(HandlerRegistry handlers, IBlob blob, byte[] header, FileTypeInfo type, string path, List<ScanError> errors)
    {
        foreach (var handler in handlers.All)
        {
            var magics = handler.Magics;
            var candidate = magics.Count == 0;
            for (var i = 0; i < magics.Count; i++) // indexed: a foreach over the interface allocates an enumerator per handler and file
            {
                var magic = magics[i];
                if (magic.Offset + magic.Bytes.Length <= header.Length && header.AsSpan(magic.Offset, magic.Bytes.Length).SequenceEqual(magic.Bytes))
                {
                    candidate = true;
                    break;
                }
                if (magic.Offset + magic.Bytes.Length > header.Length && magic.Offset + magic.Bytes.Length <= blob.Length)
                {
                    var bytes = blob.ReadBytes(magic.Offset, magic.Bytes.Length);
                    if (bytes.AsSpan().SequenceEqual(magic.Bytes))
                    {
                        candidate = true;
                        break;
                    }
                }
            }
            if (!candidate || (magics.Count == 0 && type.Class != "text"))
                continue;
            var match = SafeMatch(handler, blob, 0, path, errors);
            if (match is not null && match.Offset == 0)
                return (handler, match);
        }
        return (null, null);
    }

    /// <summary>A handler whose magic of at least 4 bytes sits at offset 0 (weak magics are too common to mean anything).</summary>
    public static string? StrongMagicAtStart(HandlerRegistry handlers, byte[] header)
    {
        foreach (var handler in handlers.All)
        {
            var magics = handler.Magics;
            for (var i = 0; i < magics.Count; i++)
            {
                var magic = magics[i];
                if (magic.Offset == 0 && magic.Bytes.Length >= 4 && header.AsSpan().StartsWith(magic.Bytes))
                    return handler.Id;
            }
        }
        return null;
    }

    /// <summary>A handler's match; a malformed header is "not this format", any other failure is reported (our bug, or the host).</summary>
    public static FormatMatch? SafeMatch(IFormatHandler handler, IBlob blob, long offset, string path, List<ScanError> errors)
    {
        try
        {
            return handler.TryMatch(blob, offset);
        }
        catch (Exception e) when (FailureClassifier.IsInputFailure(e))
        {
            return null;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            errors.Add(MatchFailure(handler, offset, path, e));
            return null;
        }
    }

    public static ScanError MatchFailure(IFormatHandler handler, long offset, string path, Exception e) => new()
    {
        Path = path,
        Handler = handler.Id,
        Offset = offset,
        Category = FailureClassifier.Classify(e),
        Message = FailureClassifier.Describe(e, $"{handler.Id} validating a header at 0x{offset:x}"),
    };
}
