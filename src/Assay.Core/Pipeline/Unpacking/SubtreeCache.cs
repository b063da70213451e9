using System.Buffers;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using PackedIdentity = Assay.Core.Formats.PackedIdentity;
using Assay.Core.Model;
using Assay.Core.Plugins;

namespace Assay.Core.Pipeline;

/// <summary>
/// What the walk found under one node (the node's own content facts, every record, chunk and error
/// below it, and what the inspectors reported and learned about each file), stored in the
/// <see cref="IScanCache"/> under a key made of the node's SHA-256 and everything else its result
/// depends on, and replayed when the same content turns up again (the next release of a product:
/// the unchanged partitions, packages and files), without unpacking or inspecting it.
/// <para>
/// The key holds: the engine's fingerprint (its code, rules and data), the content's SHA-256, the
/// node's path inside its container (names drive child names and inspectors), its mode, owner and
/// time, the handler it came from and the one it was carved as, the nesting depth it may still
/// use, the limits, and the inspectors. Paths in the entry are stored relative to the node and
/// rebased on the node's path when replayed.
/// </para>
/// <para>
/// Not stored: subtrees with an error of category limit, io or internal (they may not happen
/// again), subtrees where an inspector that keeps state of its own (not
/// <see cref="IInspector.CacheableByContent"/>) looked at a file, and the subtree of a container
/// that was unpacked as it streamed (its parent's entry covers it). Not replayed: an entry whose
/// containers include an ancestor of the node (a self-reproducing archive), or one that would pass
/// the scan's byte or file budget (the real walk then reports the limit).
/// </para>
/// </summary>
internal sealed class SubtreeCache(IScanCache cache, string fingerprint, ScanLimits limits, IReadOnlyList<IInspector> inspectors)
{
    /// <summary>Format of an entry; part of every key (3: files carry xattrs, gaps are split into regions).</summary>
    public const int EntryVersion = 3;

    private const char Relative = '\u0001';
    private const char Escaped = '\u0002';
    private const int MaxEntryBytes = 64 << 20;

    private static readonly JsonSerializerOptions Json = CreateJson();

    private readonly string _context = string.Join('\n', [
        $"assay-subtree/{EntryVersion}",
        fingerprint,
        string.Join(',', limits.ToTable().Select(kv => $"{kv.Key}={kv.Value}")),
        $"minCarve={limits.MinCarveBytes},ratioFloor={limits.RatioFloorBytes},minTotal={limits.MinTotalBytes}",
        string.Join(',', inspectors.Select(i => i.Id).Order(StringComparer.Ordinal)),
    ]);

    /// <summary>The key of a node's subtree by the node's content.</summary>
    public string Key(Node node, string sha256) => KeyOf(node, sha256);

    /// <summary>
    /// The key of a node's subtree by its packed form (<see cref="PackedIdentity"/>): everything
    /// else in the key is as in <see cref="Key"/>, so an entry stored under one serves the other.
    /// </summary>
    public string PackedKey(Node node, PackedIdentity identity) => KeyOf(node, $"packed:{identity.Digest}:{identity.Size}");

    private string KeyOf(Node node, string content)
    {
        var material = string.Join('\n', [
            _context,
            content,
            VirtualPath.Inner(node.Path),
            $"{node.Meta.Mode}:{node.Meta.Uid}:{node.Meta.Gid}:{node.Meta.Mtime}",
            node.Container ?? "",
            node.Forced?.Id ?? "",
            node.Meta.Layer ?? "",
            (limits.MaxDepth - node.Depth).ToString(System.Globalization.CultureInfo.InvariantCulture),
        ]);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(material)));
    }

    /// <summary>The stored subtree under <paramref name="key"/>, rebased on <paramref name="path"/>; null when absent or damaged.</summary>
    public SubtreeEntry? Find(string key, string path)
    {
        if (cache.Get(key) is not { } stored)
            return null;
        try
        {
            using var json = new MemoryStream();
            using (var input = new BrotliStream(new MemoryStream(stored), CompressionMode.Decompress))
                input.CopyTo(json);
            var rebased = new ArrayBufferWriter<byte>((int)json.Length + 4096);
            Rebase(json.GetBuffer().AsSpan(0, (int)json.Length), from: null, to: path, rebased);
            var entry = JsonSerializer.Deserialize(rebased.WrittenSpan, ModelJson.TypeInfo<SubtreeEntry>(Json)) ?? throw new InvalidDataException("empty entry");
            if (entry.Version != EntryVersion || entry.Sha256.Length != 64)
                throw new InvalidDataException($"entry version {entry.Version}");
            return entry;
        }
        catch (Exception e) when (e is InvalidDataException or JsonException or IOException or FormatException or InvalidOperationException)
        {
            // the bytes matched their checksum but do not decode: an entry of a build that wrote
            // something else under the same key; drop it, recompute
            cache.Reject(key);
            return null;
        }
    }

    /// <summary>
    /// Stores, under <paramref name="alias"/> too, the entry found under <paramref name="key"/> (a
    /// file replayed by its content whose packed form was not known yet); false when it is gone.
    /// </summary>
    public bool Alias(string key, string alias)
    {
        if (cache.Get(key) is not { } stored)
            return false;
        cache.Put(alias, stored);
        return true;
    }

    /// <summary>Stores a completed subtree, under each of <paramref name="keys"/>, when it may be cached.</summary>
    public void Store(IReadOnlyList<string> keys, NodeResult root, FileRecord own)
    {
        if (!Cacheable(root))
            return;
        var files = new List<FileRecord>();
        var chunks = new List<ChunkRecord>();
        var errors = new List<ScanError>();
        var components = new List<Component>();
        var findings = new List<Finding>();
        var inspectionErrors = new List<ScanError>();
        var facts = new List<InspectionFact>();
        var checks = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var containers = new SortedSet<string>(StringComparer.Ordinal);
        long bytes = 0;
        foreach (var node in root.Subtree())
        {
            foreach (var f in node.Files)
            {
                if (ReferenceEquals(f, own))
                {
                    if (own.Format is not null)
                        containers.Add(own.Sha256!);
                    continue;
                }
                files.Add(f);
                if (f.Kind == NodeKind.File && f.Size is { } size)
                    bytes += size;
                if (f.Format is not null && f.Sha256 is { } sha)
                    containers.Add(sha);
            }
            chunks.AddRange(node.Chunks);
            errors.AddRange(node.Errors);
            if (node.Inspection is { } sink)
            {
                components.AddRange(sink.Components);
                findings.AddRange(sink.Findings);
                inspectionErrors.AddRange(sink.Errors);
                facts.AddRange(sink.Facts);
                foreach (var (rule, count) in sink.Checks)
                    checks[rule] = checked(checks.GetValueOrDefault(rule) + count);
            }
        }
        var entry = new SubtreeEntry
        {
            Version = EntryVersion,
            Size = own.Size ?? 0,
            Sha256 = own.Sha256!,
            Type = own.Type,
            Format = own.Format,
            Files = EvaluationOrder.Files(files),
            Chunks = EvaluationOrder.Chunks(chunks),
            Errors = EvaluationOrder.Errors(errors),
            Components = EvaluationOrder.Components(components),
            Findings = EvaluationOrder.Findings(findings),
            InspectionErrors = EvaluationOrder.Errors(inspectionErrors),
            Facts = [.. facts.OrderBy(f => f.Path, StringComparer.Ordinal).ThenBy(f => f.Inspector, StringComparer.Ordinal).ThenBy(f => f.Kind, StringComparer.Ordinal).ThenBy(f => f.Data, StringComparer.Ordinal)],
            Checks = checks,
            Containers = [.. containers],
            Bytes = bytes,
        };
        var json = JsonSerializer.SerializeToUtf8Bytes(entry, ModelJson.TypeInfo<SubtreeEntry>(Json));
        using var buffer = new MemoryStream();
        using (var brotli = new BrotliStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
            Rebase(json, from: own.Path, to: null, brotli);
        if (buffer.Length > MaxEntryBytes)
            return;
        var value = buffer.ToArray();
        foreach (var key in keys)
            cache.Put(key, value);
    }

    /// <summary>False when the subtree holds something that may turn out differently next time, or that a replay could not give back.</summary>
    private static bool Cacheable(NodeResult root)
    {
        foreach (var node in root.Subtree())
        {
            if (node.Uncacheable)
                return false;
            foreach (var e in node.Errors)
            {
                if (e.Category is ErrorCategory.Limit or ErrorCategory.Io or ErrorCategory.Internal)
                    return false;
            }
            if (node.Inspection is { } sink && sink.Errors.Any(e => e.Category is ErrorCategory.Limit or ErrorCategory.Io or ErrorCategory.Internal))
                return false;
        }
        return true;
    }

    /// <summary>
    /// Copies the JSON document <paramref name="json"/> to <paramref name="output"/>, replacing in
    /// every string value (not in property names) the node's path at its start by a marker
    /// (<paramref name="from"/> set), or the marker by the node's new path (<paramref name="to"/>
    /// set). A string that starts with a marker character of its own is escaped, so nothing from the
    /// input can pose as a path. Token by token, without building the document in memory: a rescan
    /// replays thousands of entries, and a tree of nodes per entry cost a SquashFS release rescan ~4 %
    /// of its CPU (bench/scan/rescan.sh).
    /// </summary>
    internal static void Rebase(ReadOnlySpan<byte> json, string? from, string? to, IBufferWriter<byte> output)
    {
        using var writer = new Utf8JsonWriter(output);
        Rebase(json, from, to, writer);
    }

    /// <inheritdoc cref="Rebase(ReadOnlySpan{byte}, string?, string?, IBufferWriter{byte})"/>
    private static void Rebase(ReadOnlySpan<byte> json, string? from, string? to, Stream output)
    {
        using var writer = new Utf8JsonWriter(output);
        Rebase(json, from, to, writer);
    }

    private static void Rebase(ReadOnlySpan<byte> json, string? from, string? to, Utf8JsonWriter writer)
    {
        var reader = new Utf8JsonReader(json);
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject: writer.WriteStartObject(); break;
                case JsonTokenType.EndObject: writer.WriteEndObject(); break;
                case JsonTokenType.StartArray: writer.WriteStartArray(); break;
                case JsonTokenType.EndArray: writer.WriteEndArray(); break;
                case JsonTokenType.PropertyName:
                    if (reader.ValueIsEscaped)
                        writer.WritePropertyName(reader.GetString()!);
                    else
                        writer.WritePropertyName(reader.ValueSpan);
                    break;
                case JsonTokenType.String: writer.WriteStringValue(Rewrite(reader.GetString()!, from, to)); break;
                case JsonTokenType.Number: writer.WriteRawValue(reader.ValueSpan, skipInputValidation: true); break;
                case JsonTokenType.True: writer.WriteBooleanValue(true); break;
                case JsonTokenType.False: writer.WriteBooleanValue(false); break;
                case JsonTokenType.Null: writer.WriteNullValue(); break;
                default: throw new InvalidDataException($"unexpected JSON token {reader.TokenType}");
            }
        }
        writer.Flush();
    }

    private static string Rewrite(string s, string? from, string? to)
    {
        if (from is not null)
        {
            if (s.StartsWith(from, StringComparison.Ordinal) && (s.Length == from.Length || s.AsSpan(from.Length).StartsWith(VirtualPath.Separator, StringComparison.Ordinal)))
                return Relative + s[from.Length..];
            return s.Length > 0 && s[0] is Relative or Escaped ? Escaped + s : s;
        }
        if (s.Length == 0)
            return s;
        return s[0] switch
        {
            Relative => to + s[1..],
            Escaped => s[1..],
            _ => s,
        };
    }

    private static JsonSerializerOptions CreateJson()
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            TypeInfoResolver = ModelJson.Resolver,
        };
        options.Converters.Add(ModelJson.EnumConverter);
        options.MakeReadOnly();
        return options;
    }
}

/// <summary>One stored subtree (<see cref="SubtreeCache"/>).</summary>
internal sealed record SubtreeEntry
{
    public int Version { get; init; }
    public long Size { get; init; }
    public required string Sha256 { get; init; }
    public FileTypeInfo? Type { get; init; }
    public string? Format { get; init; }
    public List<FileRecord> Files { get; init; } = [];
    public List<ChunkRecord> Chunks { get; init; } = [];
    public List<ScanError> Errors { get; init; } = [];
    public List<Component> Components { get; init; } = [];
    public List<Finding> Findings { get; init; } = [];
    public List<ScanError> InspectionErrors { get; init; } = [];
    public List<InspectionFact> Facts { get; init; } = [];

    /// <summary>Rule id -> files of the subtree the rule examined (<see cref="InspectionSink.Checked(ReadOnlySpan{string})"/>).</summary>
    public SortedDictionary<string, long> Checks { get; init; } = new(StringComparer.Ordinal);

    /// <summary>SHA-256 of every container unpacked in the subtree (the node's own included).</summary>
    public List<string> Containers { get; init; } = [];

    /// <summary>Bytes of the regular files below the node, charged to the budget on replay (the node's own were charged by its parent).</summary>
    public long Bytes { get; init; }
}
