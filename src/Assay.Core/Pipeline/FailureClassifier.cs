using Assay.Core.Extraction;
using Assay.Core.Formats;
using Assay.Core.Model;

namespace Assay.Core.Pipeline;

/// <summary>
/// The one place that decides what an exception means (STYLE.md rule 4). Handlers, the carver,
/// the pipeline, inspectors, tests and fuzz targets all ask here, so "expected" failures are
/// written down once.
/// <list type="bullet">
/// <item>About the input: <see cref="Formats.FormatException"/>, <see cref="InvalidDataException"/>,
/// <see cref="EndOfStreamException"/> (<see cref="ErrorCategory.Malformed"/>);
/// <see cref="NotSupportedException"/> (<see cref="ErrorCategory.Unsupported"/>);
/// <see cref="LimitExceededException"/> (<see cref="ErrorCategory.Limit"/>);
/// <see cref="ExtractionRefusedException"/> (<see cref="ErrorCategory.Unsafe"/>).</item>
/// <item>About the host: any other <see cref="IOException"/> and <see cref="UnauthorizedAccessException"/>
/// (<see cref="ErrorCategory.Io"/>: a full disk, a read error).</item>
/// <item>Everything else is our bug (<see cref="ErrorCategory.Internal"/>):
/// <see cref="ArgumentException"/>, <see cref="OverflowException"/>, <see cref="IndexOutOfRangeException"/>,
/// <see cref="NullReferenceException"/>, <see cref="InvalidOperationException"/>... A handler that
/// meets a bad number in the input throws <see cref="Formats.FormatException"/> naming it; it never
/// lets <c>checked</c> arithmetic or a span index speak for it.</item>
/// </list>
/// Third-party decoders throw their own types on corrupt data; a handler wraps such a decoder in
/// <see cref="Content.DecoderStream"/>, which turns them into <see cref="InvalidDataException"/>.
/// Cancellation is not classified: the caller knows whether it was the user or a time limit.
/// </summary>
public static class FailureClassifier
{
    /// <summary>The category of a failure. <see cref="OperationCanceledException"/> is the caller's to handle first.</summary>
    public static ErrorCategory Classify(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception switch
        {
            Formats.FormatException or InvalidDataException or EndOfStreamException => ErrorCategory.Malformed,
            LimitExceededException => ErrorCategory.Limit,
            NotSupportedException => ErrorCategory.Unsupported,
            ExtractionRefusedException => ErrorCategory.Unsafe,
            IOException or UnauthorizedAccessException => ErrorCategory.Io,
            _ => ErrorCategory.Internal,
        };
    }

    /// <summary>True when the exception is about the input or the host, false when it is our bug (or a cancellation).</summary>
    public static bool IsExpected(Exception exception) =>
        exception is not OperationCanceledException && Classify(exception) != ErrorCategory.Internal;

    /// <summary>True for a failure of the input itself (malformed or unsupported): while matching, it means "not this format".</summary>
    public static bool IsInputFailure(Exception exception) =>
        exception is not OperationCanceledException && Classify(exception) is ErrorCategory.Malformed or ErrorCategory.Unsupported;

    /// <summary>
    /// The message of an error entry: the exception's own message for failures about the input
    /// (it names the format, offset and field), the type as well for the others, and for our bugs
    /// a request to report it.
    /// </summary>
    public static string Describe(Exception exception, string who) => Classify(exception) switch
    {
        ErrorCategory.Internal => $"{who} failed with {exception.GetType().Name}: {exception.Message} (a bug in Assay; please report it with the input)",
        ErrorCategory.Io => $"{who}: {exception.GetType().Name}: {exception.Message}",
        _ => exception.Message,
    };
}
