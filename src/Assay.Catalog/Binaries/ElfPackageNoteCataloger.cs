using System.Text.Json;
using Assay.Core.Content;
using Assay.Core.Model;
using Assay.Core.Plugins;
using Assay.Core.Identifiers;

namespace Assay.Catalog.Binaries;

/// <summary>
/// The package an ELF file was built in, from its <c>.note.package</c> section (the
/// freedesktop.org "Package Metadata for Executable Files" spec, https://systemd.io/ELF_PACKAGE_METADATA/):
/// a note with owner <c>FDO</c>, type <c>0xcafe1a7e</c> and a JSON descriptor
/// <c>{"type":"deb","os":"debian","name":"systemd","version":"252.39-1~deb12u2",...}</c>.
/// systemd, Fedora and Debian builds that use the debhelper/rpm macros carry it.
/// </summary>
public sealed class ElfPackageNoteCataloger : IInspector
{
    public const string CatalogerId = "elf-package-note";
    private const uint NoteType = 0xcafe1a7e;
    private const int MaxNote = 64 << 10;

    public string Id => CatalogerId;

    /// <summary>Keeps no state of its own: its results for a file are cached by the file's content.</summary>
    public bool CacheableByContent => true;

    public bool Wants(FileRecord file) => file.Kind == NodeKind.File && file.Type?.Class == "elf";

    public void Inspect(InspectedFile file, InspectionSink sink)
    {
        var elf = ElfSections.TryRead(file.Content);
        if (elf?.Find(".note.package") is not { } section || !section.HasData || section.Size is < 12 or > MaxNote)
            return;
        var note = file.Content.ReadBytes(section.Offset, (int)section.Size);
        if (note.Length != section.Size)
        {
            sink.Add(new ScanError { Path = file.Path, Handler = Id, Offset = section.Offset, Message = $".note.package at 0x{section.Offset:x} declares {section.Size} bytes but the file ends after {note.Length}; the ELF is truncated" });
            return;
        }
        var nameSize = ElfSections.U32(note, 0, elf.LittleEndian);
        var descSize = ElfSections.U32(note, 4, elf.LittleEndian);
        var type = ElfSections.U32(note, 8, elf.LittleEndian);
        var descAt = 12 + (int)((nameSize + 3) & ~3u);
        if (type != NoteType || nameSize > 16 || descSize > note.Length || descAt > note.Length - descSize)
        {
            sink.Add(new ScanError { Path = file.Path, Handler = Id, Offset = section.Offset, Message = $".note.package at 0x{section.Offset:x}: note type 0x{type:x} or sizes ({nameSize}, {descSize}) do not fit the section ({section.Size} bytes); expected an FDO 0xcafe1a7e note" });
            return;
        }
        var desc = note.AsSpan(descAt, (int)descSize).TrimEnd((byte)0);
        try
        {
            using var doc = JsonDocument.Parse(desc.ToArray(), new JsonDocumentOptions { MaxDepth = 8 });
            var root = doc.RootElement;
            string? Get(string key) => root.ValueKind == JsonValueKind.Object && root.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            var name = Get("name");
            var version = Get("version");
            if (string.IsNullOrEmpty(name) || string.IsNullOrEmpty(version))
                return;
            var upstream = SignatureDatabase.Default.Find(name) ?? SignatureDatabase.Default.FindBySource(name);
            sink.Add(new Component
            {
                Name = name,
                Version = version,
                Location = file.Path,
                Type = "binary",
                Purl = PackageUrl.Create("generic", null, name, version),
                Cpe = upstream?.CpeFor(DebianVersion.Release(version)),
                Linkage = upstream is not null && upstream.IsOwnFile(Core.Pipeline.VirtualPath.Name(file.Path)) ? "shared" : "static",
                PackageVersion = Get("type") is "deb" or "rpm" ? version : null,
                Evidence = [new Evidence { Source = Id, Path = file.Path, Offset = section.Offset + descAt, Text = System.Text.Encoding.UTF8.GetString(desc[..Math.Min(desc.Length, 200)]) }],
            });
        }
        catch (JsonException e)
        {
            sink.Add(new ScanError { Path = file.Path, Handler = Id, Offset = section.Offset + descAt, Message = $".note.package JSON is malformed: {e.Message}" });
        }
    }
}
