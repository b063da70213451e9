namespace Assay.Cli;

/// <summary>Exit codes of <c>assay</c>, documented in the README; a CI pipeline gates on them.</summary>
public static class ExitCodes
{
    /// <summary>Done; the input was understood and nothing reached the <c>--fail-on</c> threshold.</summary>
    public const int Ok = 0;

    /// <summary>
    /// Findings, vulnerabilities or policy violations at or over the threshold (with
    /// <c>--fail-on error</c>, also any error entry); for <c>verify-build</c>, not reproducible.
    /// Takes precedence over <see cref="Incomplete"/>.
    /// </summary>
    public const int FindingsOverThreshold = 1;

    /// <summary>Bad command line: unknown option, missing argument, invalid value.</summary>
    public const int Usage = 2;

    /// <summary>The input could not be read (missing, unreadable, not a file).</summary>
    public const int InputUnreadable = 3;

    /// <summary>An internal error (a bug): the message says what to report.</summary>
    public const int InternalError = 4;

    /// <summary>
    /// Done, and the report is written, but the input was not completely understood: part of it could
    /// not be unpacked (malformed, truncated, a limit reached, an unsupported variant), or nothing in it
    /// was recognised. A gate must not pass such a delivery as clean.
    /// </summary>
    public const int Incomplete = 5;
}
