using Assay.Core.Content;
using Assay.Core.Model;
using Assay.Core.Plugins;
using Assay.Core.Identifiers;

namespace Assay.Catalog.Binaries;

/// <summary>
/// Go binaries: the Go version and the modules linked in, from the build-info block the Go linker
/// writes into the <c>.go.buildinfo</c> section (src/debug/buildinfo/buildinfo.go):
/// <code>
/// 0  "\xff Go buildinf:"   14-byte magic
/// 14 pointer size          4 or 8
/// 15 flags                 bit 0 big-endian, bit 1 strings inline (Go 1.18+)
/// 16 inline: padding to 32, then uvarint length + Go version, uvarint length + module info
///    pointers (before 1.18): two addresses of Go string headers {data pointer, length}
/// </code>
/// The module info (runtime/debug.BuildInfo text) sits between two 16-byte sentinels and has
/// tab-separated lines <c>path</c>, <c>mod PATH VERSION SUM</c>, <c>dep PATH VERSION SUM</c>,
/// <c>=&gt; PATH VERSION SUM</c> (replacement of the line above) and <c>build KEY=VALUE</c>.
/// <para>Limitations: ELF only (PE and Mach-O Go binaries are not read); a binary whose section
/// table is stripped is not found.</para>
/// </summary>
public sealed class GoBuildInfoCataloger : IInspector
{
    public const string CatalogerId = "go-buildinfo";

    private static readonly byte[] Magic = [0xff, .. " Go buildinf:"u8];
    private const int HeaderSize = 32;
    private const int MaxStringBytes = 1 << 20;
    private const byte FlagBigEndian = 1;
    private const byte FlagInline = 2;

    public string Id => CatalogerId;

    /// <summary>Keeps no state of its own: its results for a file are cached by the file's content.</summary>
    public bool CacheableByContent => true;

    public bool Wants(FileRecord file) => file.Kind == NodeKind.File && file.Type?.Class == "elf" && file.Size is > HeaderSize;

    public void Inspect(InspectedFile file, InspectionSink sink)
    {
        var elf = ElfSections.TryRead(file.Content);
        if (elf?.Find(".go.buildinfo") is not { } section || !section.HasData)
            return;
        var info = Read(file.Content, section.Offset, elf);
        if (info is null)
        {
            sink.Add(new ScanError { Path = file.Path, Handler = Id, Offset = section.Offset, Message = $".go.buildinfo at 0x{section.Offset:x} does not start with the magic '\\xff Go buildinf:' or its strings are out of bounds; the Go version and modules are unknown" });
            return;
        }
        foreach (var c in ToComponents(file.Path, section.Offset, info.Value.GoVersion, info.Value.ModInfo))
            sink.Add(c);
    }

    /// <summary>The Go version and module info text of the block at <paramref name="offset"/>, or null.</summary>
    internal static (string GoVersion, string ModInfo)? Read(IBlob blob, long offset, ElfSections.Layout? elf)
    {
        var h = blob.ReadBytes(offset, HeaderSize);
        if (h.Length < HeaderSize || !h.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            return null;
        var ptrSize = h[14];
        var flags = h[15];
        if ((flags & FlagInline) != 0)
        {
            var data = blob.ReadBytes(offset + HeaderSize, 2 * MaxStringBytes + 20);
            var pos = 0;
            var version = ReadVarString(data, ref pos);
            var mod = version is null ? null : ReadVarString(data, ref pos);
            return version is null || mod is null ? null : (version, StripSentinels(mod));
        }
        if (elf is null || ptrSize is not (4 or 8))
            return null;
        var big = (flags & FlagBigEndian) != 0;
        ulong Ptr(ReadOnlySpan<byte> b, int at) => ptrSize == 8 ? ElfSections.U64(b, at, !big) : ElfSections.U32(b, at, !big);
        string? GoString(ulong headerAddress)
        {
            var at = elf.OffsetOf(headerAddress);
            if (at < 0)
                return null;
            var sh = blob.ReadBytes(at, 2 * ptrSize);
            if (sh.Length < 2 * ptrSize)
                return null;
            var dataAt = elf.OffsetOf(Ptr(sh, 0));
            var len = Ptr(sh, ptrSize);
            if (dataAt < 0 || len > MaxStringBytes)
                return null;
            return System.Text.Encoding.UTF8.GetString(blob.ReadBytes(dataAt, (int)len));
        }
        var v = GoString(Ptr(h, 16));
        var mi = GoString(Ptr(h, 16 + ptrSize));
        return v is null ? null : (v, StripSentinels(mi ?? ""));
    }

    private static string? ReadVarString(byte[] data, ref int pos)
    {
        ulong len = 0;
        for (var shift = 0; shift < 35; shift += 7)
        {
            if (pos >= data.Length)
                return null;
            var b = data[pos++];
            len |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80)
                break;
        }
        if (len > MaxStringBytes || (ulong)(data.Length - pos) < len)
            return null;
        var s = System.Text.Encoding.UTF8.GetString(data, pos, (int)len);
        pos += (int)len;
        return s;
    }

    /// <summary>runtime/debug's modinfo is wrapped in 16-byte sentinels (cmd/go/internal/modload: infoStart/infoEnd).</summary>
    private static string StripSentinels(string mod) => mod.Length >= 33 && mod[^17] == '\n' ? mod[16..^16] : mod;

    internal static IEnumerable<Component> ToComponents(string path, long offset, string goVersion, string modInfo)
    {
        var evidence = new Evidence { Source = CatalogerId, Path = path, Offset = offset, Text = goVersion };
        if (goVersion.StartsWith("go", StringComparison.Ordinal))
        {
            var v = goVersion[2..];
            var space = v.IndexOf(' ');
            if (space > 0)
                v = v[..space];
            yield return new Component
            {
                Name = "go",
                Version = v,
                Location = path,
                Type = "go-module",
                Purl = PackageUrl.Create("golang", null, "stdlib", v),
                Cpe = Cpe23.Application("golang", "go", v),
                Linkage = "static",
                Evidence = [evidence],
            };
        }
        var modules = new List<(string Kind, string Path, string Version, string? Sum)>();
        foreach (var line in modInfo.Split('\n'))
        {
            var f = line.Split('\t');
            if (f.Length >= 3 && f[0] is "mod" or "dep")
                modules.Add((f[0], f[1], f[2], f.Length > 3 ? f[3] : null));
            else if (f.Length >= 3 && f[0] == "=>" && modules.Count > 0)
                modules[^1] = (modules[^1].Kind, f[1], f[2], f.Length > 3 ? f[3] : null);
        }
        foreach (var (kind, modPath, version, sum) in modules)
        {
            yield return new Component
            {
                Name = modPath,
                Version = version,
                Location = path,
                Type = "go-module",
                Purl = modPath.LastIndexOf('/') is var slash and > 0
                    ? PackageUrl.Create("golang", modPath[..slash], modPath[(slash + 1)..], version)
                    : PackageUrl.Create("golang", null, modPath, version),
                Linkage = kind == "mod" ? "shared" : "static",
                Evidence = [evidence with { Text = $"{kind}\t{modPath}\t{version}" + (sum is null ? "" : "\t" + sum) }],
            };
        }
    }
}
