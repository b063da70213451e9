using System.IO.Compression;
using System.Text.Json;
using Assay.Core.Content;
using Assay.Core.Model;
using Assay.Core.Plugins;
using Assay.Core.Identifiers;

namespace Assay.Catalog.Binaries;

/// <summary>
/// Rust binaries built with cargo-auditable: the crates linked in, from the <c>.dep-v0</c> section,
/// a zlib stream (RFC 1950) of JSON
/// <c>{"packages":[{"name","version","source","kind","dependencies":[i...],"root":true}]}</c>
/// (https://github.com/rust-secure-code/cargo-auditable, PARSING.md). Build-time dependencies
/// (<c>"kind":"build"</c>) are not in the binary and are left out.
/// <para>Limitations: ELF only; the decompressed JSON is capped at 8 MiB (the format caps it too).</para>
/// </summary>
public sealed class CargoAuditableCataloger : IInspector
{
    public const string CatalogerId = "cargo-auditable";
    public const int MaxCompressed = 4 << 20;
    public const int MaxJson = 8 << 20;

    public string Id => CatalogerId;

    /// <summary>Keeps no state of its own: its results for a file are cached by the file's content.</summary>
    public bool CacheableByContent => true;

    public bool Wants(FileRecord file) => file.Kind == NodeKind.File && file.Type?.Class == "elf";

    public void Inspect(InspectedFile file, InspectionSink sink)
    {
        var elf = ElfSections.TryRead(file.Content);
        if (elf?.Find(".dep-v0") is not { } section || !section.HasData)
            return;
        if (section.Size > MaxCompressed)
        {
            sink.Add(new ScanError { Path = file.Path, Handler = Id, Offset = section.Offset, Category = ErrorCategory.Limit, Message = $".dep-v0 is {section.Size} bytes, more than {MaxCompressed}; the crate list was not read" });
            return;
        }
        try
        {
            var json = Inflate(file.Content.ReadBytes(section.Offset, (int)section.Size));
            foreach (var c in Parse(file.Path, section.Offset, json))
                sink.Add(c);
        }
        catch (Exception e) when (e is InvalidDataException or JsonException)
        {
            sink.Add(new ScanError { Path = file.Path, Handler = Id, Offset = section.Offset, Message = $".dep-v0 at 0x{section.Offset:x}: {e.Message}; expected a zlib stream of cargo-auditable JSON" });
        }
    }

    internal static byte[] Inflate(byte[] compressed)
    {
        using var z = new ZLibStream(new MemoryStream(compressed), CompressionMode.Decompress);
        var output = new MemoryStream();
        var buffer = new byte[81920];
        int n;
        while ((n = z.Read(buffer)) > 0)
        {
            if (output.Length + n > MaxJson)
                throw new InvalidDataException($"decompressed JSON passes {MaxJson} bytes");
            output.Write(buffer, 0, n);
        }
        return output.ToArray();
    }

    internal static IEnumerable<Component> Parse(string path, long offset, byte[] json)
    {
        using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 16 });
        if (!doc.RootElement.TryGetProperty("packages", out var packages) || packages.ValueKind != JsonValueKind.Array)
            throw new InvalidDataException("no 'packages' array");
        var result = new List<Component>();
        foreach (var p in packages.EnumerateArray())
        {
            var name = p.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
            var version = p.TryGetProperty("version", out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            if (string.IsNullOrEmpty(name) || string.IsNullOrEmpty(version))
                continue;
            if (p.TryGetProperty("kind", out var k) && k.ValueKind == JsonValueKind.String && k.GetString() == "build")
                continue;
            var root = p.TryGetProperty("root", out var r) && r.ValueKind == JsonValueKind.True;
            var source = p.TryGetProperty("source", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
            result.Add(new Component
            {
                Name = name,
                Version = version,
                Location = path,
                Type = "cargo",
                Purl = PackageUrl.Create("cargo", null, name, version),
                Linkage = root ? "shared" : "static",
                Evidence = [new Evidence { Source = CatalogerId, Path = path, Offset = offset, Text = $"{name} {version}" + (source is null ? "" : $" ({source})") }],
            });
        }
        return result;
    }
}
