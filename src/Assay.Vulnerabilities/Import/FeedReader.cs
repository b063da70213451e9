using System.Buffers;
using System.IO.Compression;
using System.Text.Json;
using Assay.Vulnerabilities.Storage;

namespace Assay.Vulnerabilities.Import;

/// <summary>One record read from a feed, or the reason it could not be read.</summary>
/// <param name="Path">The input file.</param>
/// <param name="Label">Where in the file: <c>line 12</c>, <c>vulnerabilities[3]</c>, <c>entry GHSA-x.json</c>.</param>
internal sealed record FeedEntry(string Path, string Label, FeedRecord? Record, string? Error)
{
    /// <summary>Set on the first entry of a feed published whole (KEV, EPSS): the rows that follow replace the stored ones.</summary>
    public SnapshotHeader? Snapshot { get; init; }

    public KevRecord? Kev { get; init; }
    public EpssRecord? Epss { get; init; }

    /// <summary>The file could not be read to its end (truncated, corrupt compression, not JSON): what came before is incomplete.</summary>
    public bool Fatal { get; init; }
}

/// <summary>
/// Reads advisory records from files and folders: NVD CVE API 2.0 (one <c>cve</c> object per file
/// as in the per-CVE mirrors, API response pages with <c>vulnerabilities[].cve</c>, JSON Lines of
/// <c>cve</c> objects), OSV records (one per file, arrays, JSON Lines, zip archives of them), each
/// optionally gzip-compressed. The kind of each record is decided from its fields.
/// Limitations: a JSON document (not JSON Lines) is held in memory whole, up to
/// <see cref="ImportLimits.MaxDocumentBytes"/>. NVD JSON 1.1 feeds (<c>CVE_Items</c>) and their items are read too,
/// and so are the CISA KEV catalog (JSON) and FIRST EPSS daily files (CSV, optionally gzip).
/// </summary>
internal static class FeedReader
{
    private static readonly string[] Extensions = [".json", ".json.gz", ".jsonl", ".jsonl.gz", ".zip", ".csv", ".csv.gz"];
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 64 };

    /// <summary>Files an input path stands for: the file itself, or the feed files under a folder (sorted, symlinks not followed).</summary>
    public static IReadOnlyList<string> ExpandInput(string path)
    {
        if (File.Exists(path))
            return [Path.GetFullPath(path)];
        if (!Directory.Exists(path))
            throw new FileNotFoundException($"input '{path}' does not exist; give NVD 2.0 or OSV files (.json, .json.gz, .jsonl, .jsonl.gz, .zip) or folders of them", path);
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = false };
        return [.. Directory.EnumerateFiles(path, "*", options)
            .Where(f => Extensions.Any(e => f.EndsWith(e, StringComparison.OrdinalIgnoreCase)))
            .Select(Path.GetFullPath)
            .Order(StringComparer.Ordinal)];
    }

    public static IEnumerable<FeedEntry> Read(string path, ImportLimits limits)
    {
        var magic = new byte[4];
        int got;
        using (var probe = File.OpenRead(path))
            got = probe.ReadAtLeast(magic, 4, throwOnEndOfStream: false);
        // zip local file header "PK\x03\x04"; gzip member header 1f 8b.
        if (got == 4 && magic[0] == 'P' && magic[1] == 'K' && magic[2] == 3 && magic[3] == 4)
            return ReadZip(path, limits);
        var gzip = got >= 2 && magic[0] == 0x1f && magic[1] == 0x8b;
        var name = gzip && path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? path[..^3] : path;
        if (name.EndsWith(".csv", StringComparison.OrdinalIgnoreCase))
            return ReadCsv(path, () => Open(path, gzip, limits));
        var lines = name.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".ndjson", StringComparison.OrdinalIgnoreCase);
        return ReadStream(path, () => Open(path, gzip, limits), lines, limits);
    }

    private static Stream Open(string path, bool gzip, ImportLimits limits)
    {
        Stream s = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        if (gzip)
        {
            var trailer = GzipTrailerCheckStream.ReadTrailer(path);
            s = new GZipStream(s, CompressionMode.Decompress);
            s = trailer is { } t ? new GzipTrailerCheckStream(s, t.Crc, t.Size, path) : s;
        }
        return new BoundedReadStream(s, limits.MaxDecompressedBytes, $"{path} (decompressed)");
    }

    private static IEnumerable<FeedEntry> ReadStream(string path, Func<Stream> open, bool lines, ImportLimits limits)
    {
        Stream stream;
        try { stream = open(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [new FeedEntry(path, "file", null, e.Message) { Fatal = true }];
        }
        return lines ? ReadLines(path, stream, limits) : ReadDocument(path, "document", stream, limits);
    }

    private static IEnumerable<FeedEntry> ReadLines(string path, Stream stream, ImportLimits limits)
    {
        using var owned = stream;
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            int start = 0, end = 0;
            long lineNumber = 0;
            var skipping = false;
            while (true)
            {
                var newline = Array.IndexOf(buffer, (byte)'\n', start, end - start);
                if (newline < 0)
                {
                    if (start > 0)
                    {
                        Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
                        end -= start;
                        start = 0;
                    }
                    if (end == buffer.Length)
                    {
                        if (buffer.Length >= limits.MaxRecordBytes || skipping)
                        {
                            // Over-long line: report once, drop what we have, skip to its end.
                            if (!skipping)
                                yield return new FeedEntry(path, $"line {lineNumber + 1}", null, $"record is longer than the limit of {limits.MaxRecordBytes:N0} bytes; skipped");
                            skipping = true;
                            end = 0;
                        }
                        else
                        {
                            var bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min(Math.Min(limits.MaxRecordBytes, (long)buffer.Length * 2), Array.MaxLength));
                            Buffer.BlockCopy(buffer, 0, bigger, 0, end);
                            ArrayPool<byte>.Shared.Return(buffer);
                            buffer = bigger;
                        }
                    }
                    FeedEntry? failure = null;
                    int n = 0;
                    try { n = stream.Read(buffer, end, buffer.Length - end); }
                    catch (Exception e) when (e is IOException or InvalidDataException)
                    {
                        failure = new FeedEntry(path, $"line {lineNumber + 1}", null, $"reading stopped: {e.Message}") { Fatal = true };
                    }
                    if (failure is not null)
                    {
                        yield return failure;
                        yield break;
                    }
                    if (n == 0)
                    {
                        if (end > start && !skipping)
                        {
                            lineNumber++;
                            var last = ParseLine(path, lineNumber, buffer.AsMemory(start, end - start));
                            if (last is not null)
                                yield return last;
                        }
                        yield break;
                    }
                    end += n;
                    continue;
                }
                lineNumber++;
                if (skipping)
                {
                    skipping = false;
                    start = newline + 1;
                    continue;
                }
                var entry = ParseLine(path, lineNumber, buffer.AsMemory(start, newline - start));
                start = newline + 1;
                if (entry is not null)
                    yield return entry;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static FeedEntry? ParseLine(string path, long lineNumber, ReadOnlyMemory<byte> line)
    {
        var span = line.Span;
        var blank = true;
        foreach (var b in span)
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r'))
            {
                blank = false;
                break;
            }
        if (blank)
            return null;
        var label = $"line {lineNumber}";
        try
        {
            using var doc = JsonDocument.Parse(line, DocumentOptions);
            return Dispatch(path, label, doc.RootElement);
        }
        catch (JsonException e)
        {
            return new FeedEntry(path, label, null, $"not valid JSON: {e.Message}");
        }
    }

    private static IEnumerable<FeedEntry> ReadDocument(string path, string label, Stream stream, ImportLimits limits)
    {
        JsonDocument doc;
        using (stream)
        {
            try
            {
                using var bounded = new BoundedReadStream(stream, limits.MaxDocumentBytes, $"{path} {label}");
                doc = JsonDocument.Parse(bounded, DocumentOptions);
            }
            catch (Exception e) when (e is JsonException or IOException or InvalidDataException)
            {
                return [new FeedEntry(path, label, null, e is JsonException ? $"not valid JSON: {e.Message}" : e.Message) { Fatal = true }];
            }
        }
        return Elements(path, label, doc);
    }

    private static IEnumerable<FeedEntry> Elements(string path, string label, JsonDocument doc)
    {
        using var owned = doc;
        var root = doc.RootElement;
        if (root.ValueKind == JsonValueKind.Array)
        {
            var i = 0;
            foreach (var e in root.EnumerateArray())
                yield return Dispatch(path, $"{label}[{i++}]", e);
        }
        else if (KevImporter.IsCatalog(root))
        {
            FeedEntry head;
            try { head = new FeedEntry(path, "catalog", null, null) { Snapshot = KevImporter.Header(root) }; }
            catch (FeedFormatException e) { head = new FeedEntry(path, "catalog", null, e.Message) { Fatal = true }; }
            yield return head;
            if (head.Fatal)
                yield break;
            var i = 0;
            foreach (var e in root.GetProperty("vulnerabilities").EnumerateArray())
                yield return Kev(path, $"vulnerabilities[{i++}]", e);
        }
        else if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("vulnerabilities", out var page) && page.ValueKind == JsonValueKind.Array && !root.TryGetProperty("bomFormat", out _))
        {
            var i = 0;
            foreach (var e in page.EnumerateArray())
                yield return Dispatch(path, $"vulnerabilities[{i++}]", e);
        }
        else if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("CVE_Items", out var items) && items.ValueKind == JsonValueKind.Array)
        {
            var i = 0;
            foreach (var e in items.EnumerateArray())
                yield return Dispatch(path, $"CVE_Items[{i++}]", e);
        }
        else
        {
            yield return Dispatch(path, label, root);
        }
    }

    private static FeedEntry Dispatch(string path, string label, JsonElement element)
    {
        try
        {
            if (Nvd11Importer.IsItem(element))
            {
                if (JsonFields.Object(element, "cve") is { } c && JsonFields.Object(c, "CVE_data_meta") is { } meta && JsonFields.OptionalString(meta, "ID", 64) is { } legacyId)
                    label += $" ({legacyId})";
                return new FeedEntry(path, label, Nvd11Importer.Parse(element), null);
            }
            // API response pages wrap each record: {"cve": {...}}.
            if (element.ValueKind == JsonValueKind.Object && !element.TryGetProperty("id", out _) && element.TryGetProperty("cve", out var inner) && inner.ValueKind == JsonValueKind.Object)
                element = inner;
            if (element.ValueKind == JsonValueKind.Object && element.TryGetProperty("id", out var idValue) && idValue.ValueKind == JsonValueKind.String)
                label += $" ({Truncate(idValue.GetString()!)})";
            if (NvdImporter.IsRecord(element))
                return new FeedEntry(path, label, NvdImporter.Parse(element), null);
            if (OsvImporter.IsRecord(element))
                return new FeedEntry(path, label, OsvImporter.Parse(element), null);
            return new FeedEntry(path, label, null, "neither an NVD API 2.0 cve object (id, lastModified), an NVD 1.1 item (cve.CVE_data_meta) nor an OSV record (id, modified)");
        }
        catch (FeedFormatException e)
        {
            return new FeedEntry(path, label, null, e.Message);
        }
        catch (InvalidOperationException e)
        {
            // Thrown by System.Text.Json for a string that is not valid UTF-8, or a value of an unexpected kind.
            return new FeedEntry(path, label, null, $"unreadable value: {e.Message}");
        }
    }

    private static FeedEntry Kev(string path, string label, JsonElement element)
    {
        try
        {
            var record = KevImporter.Parse(element);
            return new FeedEntry(path, $"{label} ({record.Cve})", null, null) { Kev = record };
        }
        catch (FeedFormatException e)
        {
            return new FeedEntry(path, label, null, e.Message);
        }
        catch (InvalidOperationException e)
        {
            return new FeedEntry(path, label, null, $"unreadable value: {e.Message}");
        }
    }

    /// <summary>An EPSS daily file: comment line, header, rows. Anything else in a .csv is reported once.</summary>
    private static IEnumerable<FeedEntry> ReadCsv(string path, Func<Stream> open)
    {
        Stream stream;
        try { stream = open(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [new FeedEntry(path, "file", null, e.Message) { Fatal = true }];
        }
        return CsvRows(path, stream);
    }

    private static IEnumerable<FeedEntry> CsvRows(string path, Stream stream)
    {
        using var reader = new StreamReader(stream, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
        var lineNumber = 0L;
        var line = new System.Text.StringBuilder();
        while (true)
        {
            bool more, tooLong;
            string? failure = null;
            try
            {
                (more, tooLong) = BoundedLine(reader, line, EpssImporter.MaxLineLength);
            }
            catch (Exception e) when (e is IOException or InvalidDataException)
            {
                (more, tooLong) = (false, false);
                failure = $"reading stopped: {e.Message}";
            }
            if (failure is not null)
            {
                yield return new FeedEntry(path, $"line {lineNumber + 1}", null, failure) { Fatal = true };
                yield break;
            }
            if (!more && line.Length == 0)
                yield break;
            lineNumber++;
            var label = $"line {lineNumber}";
            var text = line.ToString().TrimEnd('\r');
            line.Clear();
            if (lineNumber == 1)
            {
                if (!EpssImporter.LooksLikeEpss(text))
                {
                    yield return new FeedEntry(path, label, null, "a .csv input must be an EPSS daily file (first line '#model_version:...' or 'cve,epss,percentile')") { Fatal = true };
                    yield break;
                }
                yield return new FeedEntry(path, "header", null, null) { Snapshot = EpssImporter.Header(text.StartsWith('#') ? text : null) };
                if (text.StartsWith('#'))
                    continue;
            }
            if (tooLong)
            {
                yield return new FeedEntry(path, label, null, $"row is longer than {EpssImporter.MaxLineLength} characters; skipped");
                continue;
            }
            if (text.Length == 0 || text.StartsWith('#'))
                continue;
            FeedEntry? entry;
            try
            {
                entry = EpssImporter.ParseRow(text) is { } row ? new FeedEntry(path, label, null, null) { Epss = row } : null;
            }
            catch (FeedFormatException e)
            {
                entry = new FeedEntry(path, label, null, e.Message);
            }
            if (entry is not null)
                yield return entry;
            if (!more)
                yield break;
        }
    }

    /// <summary>Reads one line into <paramref name="line"/> (at most <paramref name="max"/> characters kept); false at the end of the input.</summary>
    private static (bool More, bool TooLong) BoundedLine(StreamReader reader, System.Text.StringBuilder line, int max)
    {
        var tooLong = false;
        while (true)
        {
            var c = reader.Read();
            if (c < 0)
                return (false, tooLong);
            if (c == '\n')
                return (true, tooLong);
            if (line.Length < max)
                line.Append((char)c);
            else
                tooLong = true;
        }
    }

    private static string Truncate(string s) => s.Length > 64 ? s[..64] + "..." : s;

    private static IEnumerable<FeedEntry> ReadZip(string path, ImportLimits limits)
    {
        ZipArchive zip;
        try { zip = ZipFile.OpenRead(path); }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            return [new FeedEntry(path, "zip", null, $"not a readable zip archive: {e.Message}") { Fatal = true }];
        }
        return ZipEntries(path, zip, limits);
    }

    private static IEnumerable<FeedEntry> ZipEntries(string path, ZipArchive zip, ImportLimits limits)
    {
        using var owned = zip;
        if (zip.Entries.Count > limits.MaxZipEntries)
        {
            yield return new FeedEntry(path, "zip", null, $"archive has {zip.Entries.Count:N0} entries, more than the limit of {limits.MaxZipEntries:N0}");
            yield break;
        }
        foreach (var entry in zip.Entries.OrderBy(e => e.FullName, StringComparer.Ordinal))
        {
            if (entry.FullName.EndsWith('/'))
                continue;
            var lines = entry.FullName.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase);
            if (!lines && !entry.FullName.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
                continue;
            var label = $"entry {entry.FullName}";
            Stream stream;
            FeedEntry? failure = null;
            try { stream = new BoundedReadStream(entry.Open(), lines ? limits.MaxDecompressedBytes : limits.MaxDocumentBytes, $"{path} {label}"); }
            catch (Exception e) when (e is IOException or InvalidDataException)
            {
                failure = new FeedEntry(path, label, null, e.Message);
                stream = Stream.Null;
            }
            if (failure is not null)
            {
                yield return failure;
                continue;
            }
            var items = lines ? ReadLines(path + "!" + entry.FullName, stream, limits) : ReadDocument(path, label, stream, limits);
            foreach (var item in items)
                yield return item;
        }
    }
}
