namespace Assay.Vulnerabilities.Import;

/// <summary>A feed record that is malformed: the message names the field, the value and what was expected.</summary>
public sealed class FeedFormatException(string message) : Exception(message);
