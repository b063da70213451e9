namespace Assay.Vulnerabilities.Update;

/// <summary>What one <c>db update</c> did.</summary>
/// <param name="Downloaded">Files fetched per feed (pages for NVD).</param>
/// <param name="NotModified">Feeds the server said were unchanged (HTTP 304), so not fetched again.</param>
/// <param name="Resumed">NVD pages reused from an interrupted earlier run.</param>
public sealed record UpdateResult(ImportResult Import, IReadOnlyDictionary<string, int> Downloaded, IReadOnlyList<string> NotModified, int Resumed, long Bytes, TimeSpan Elapsed);

/// <summary>An update could not finish; the database is unchanged (the message says why and what to do).</summary>
public sealed class UpdateException(string message, Exception? inner = null) : Exception(message, inner);
