using System.Globalization;
using Assay.Core.Model;

namespace Assay.History.Build;

/// <summary>
/// <c>assay verify-build</c>: is the delivered build the one the vendor's source builds? Compares
/// the two unpacked trees (<see cref="BuildSide"/>), never container bytes: a container's
/// compression, block size or header fields are not compared, its content is, entry by entry, and
/// what it records about its entries (mode, owner, mtime, link targets, device numbers, member order
/// for archives, the whole structure for device trees and FIT images). Strict unless normalisations
/// are declared; each sets aside only what its format marks as such (see <see cref="Normalisations"/>).
/// A pure function of two scanned builds: the CLI and the service call it.
/// </summary>
public static class BuildComparison
{
    private const string ModuleSignatureRegion = "[module signature]";

    /// <summary>Compares <paramref name="delivered"/> with <paramref name="rebuilt"/> under <paramref name="normalise"/>.</summary>
    public static VerifyResult Compare(BuildTree delivered, BuildTree rebuilt, Normalisations normalise)
    {
        ArgumentNullException.ThrowIfNull(delivered);
        ArgumentNullException.ThrowIfNull(rebuilt);
        var d = new BuildSide(delivered);
        var r = new BuildSide(rebuilt);
        var files = new List<FileVerdict>();
        if (d.Root is { } rootA && r.Root is { } rootB)
        {
            // The roots' own metadata belongs to the files given, not to the builds: only what they hold is compared.
            var bare = (FileRecord x) => x with { Mode = null, Uid = null, Gid = null, Mtime = null };
            files.Add(Both(rootA with { Record = bare(rootA.Record) }, rootB with { Record = bare(rootB.Record) }, d, r, normalise));
        }
        foreach (var key in d.Entries.Keys.Union(r.Entries.Keys, StringComparer.Ordinal))
        {
            var a = d.Entries.GetValueOrDefault(key);
            var b = r.Entries.GetValueOrDefault(key);
            files.Add(a is null ? OneSide(b!, FileVerdict.OnlyRebuilt, normalise)
                : b is null ? OneSide(a, FileVerdict.OnlyDelivered, normalise)
                : Both(a, b, d, r, normalise));
        }
        files.Sort((x, y) => string.CompareOrdinal(x.Path, y.Path));

        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var status in new[] { FileVerdict.Identical, FileVerdict.Normalised, FileVerdict.Differs, FileVerdict.OnlyDelivered, FileVerdict.OnlyRebuilt })
            counts[status] = files.Count(f => f.Status == status);
        var normalisedBy = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var name in NormalisationNames.Names(normalise))
            normalisedBy[name] = files.Count(f => f.NormalisedBy.Any(n => n.Normalisation == name));
        var reproducible = files.All(f => f.Status is FileVerdict.Identical or FileVerdict.Normalised);
        return new VerifyResult
        {
            Verdict = reproducible ? VerifyResult.Reproducible : VerifyResult.NotReproducible,
            Normalisations = NormalisationNames.Names(normalise),
            UnexplainedBytes = files.Sum(f => f.UnexplainedBytes),
            Delivered = Input(d),
            Rebuilt = Input(r),
            Counts = counts,
            Normalised = normalisedBy,
            Complete = delivered.Evaluation.Errors.Count == 0 && rebuilt.Evaluation.Errors.Count == 0,
            Files = files,
        };
    }

    private static BuildInput Input(BuildSide side) =>
        new(side.Build.Evaluation.Input.Path, side.Build.Evaluation.Input.Size, side.Build.Evaluation.Input.Sha256)
        {
            Root = side.RootDisplay,
            Errors = side.Build.Evaluation.Errors.Count,
        };

    /// <summary>An entry one build has and the other has not: a detached signature can be set aside, anything else differs whole.</summary>
    private static FileVerdict OneSide(BuildSide.Entry e, string status, Normalisations normalise)
    {
        var kind = e.Record.Kind.ToName();
        if (e.Facts?.DetachedSignature is { } signature && normalise.HasFlag(Normalisations.Signatures))
        {
            var side = status == FileVerdict.OnlyDelivered ? "delivered" : "rebuilt";
            return new FileVerdict(e.Display, FileVerdict.Normalised)
            {
                Kind = kind,
                NormalisedBy = [new NormalisedItem("signatures", $"detached {signature} signature, only in the {side} build")],
            };
        }
        return new FileVerdict(e.Display, status)
        {
            Kind = kind,
            Container = e.IsContainer ? e.Record.Format ?? "carved" : null,
            UnexplainedBytes = e.Record.Kind == NodeKind.File && !e.IsContainer ? e.Record.Size ?? 0 : 0,
        };
    }

    private static FileVerdict Both(BuildSide.Entry a, BuildSide.Entry b, BuildSide d, BuildSide r, Normalisations normalise)
    {
        var what = new List<string>();
        var normalised = new List<NormalisedItem>();
        var sections = new List<SectionVerdict>();
        var ranges = new List<ByteRange>();
        long unexplained = 0;
        string? note = null;
        var x = a.Record;
        var y = b.Record;

        if (x.Kind != y.Kind)
        {
            what.Add("kind");
            unexplained += Math.Max(x.Size ?? 0, y.Size ?? 0);
        }
        if (x.Target != y.Target)
            what.Add("target");
        if (x.Major != y.Major || x.Minor != y.Minor || x.Device != y.Device)
            what.Add("device");
        // A format that records no mode, owner or time (zip has no owners) cannot be compared on it.
        if (x.Mode is not null && y.Mode is not null && x.Mode != y.Mode)
            what.Add("mode");
        if (x.Uid is not null && y.Uid is not null && x.Gid is not null && y.Gid is not null && (x.Uid != y.Uid || x.Gid != y.Gid))
            Aspect("owner", Normalisations.Owner, $"uid:gid {x.Uid}:{x.Gid} → {y.Uid}:{y.Gid}");
        if (x.Mtime is not null && y.Mtime is not null && x.Mtime != y.Mtime)
            Aspect("mtime", Normalisations.Mtime, $"{Time(x.Mtime.Value)} → {Time(y.Mtime.Value)}");

        if (x.Kind == NodeKind.File && y.Kind == NodeKind.File)
        {
            if (a.IsContainer && b.IsContainer)
                Container();
            else if (!string.Equals(x.Sha256, y.Sha256, StringComparison.OrdinalIgnoreCase) || x.Sha256 is null)
                Content();
        }

        var status = what.Count > 0 ? FileVerdict.Differs : normalised.Count > 0 ? FileVerdict.Normalised : FileVerdict.Identical;
        return new FileVerdict(b.Display, status)
        {
            Kind = x.Kind.ToName(),
            Container = a.IsContainer && b.IsContainer ? x.Format ?? "carved" : null,
            What = what,
            NormalisedBy = normalised,
            Sections = sections,
            Ranges = ranges,
            UnexplainedBytes = unexplained,
            Note = note,
        };

        void Aspect(string name, Normalisations n, string detail)
        {
            if (normalise.HasFlag(n))
                normalised.Add(new NormalisedItem(NormalisationNames.Names(n)[0], detail));
            else
                what.Add(name);
        }

        // Containers: the content is compared below them; here what the container itself says about it.
        void Container()
        {
            if (a.Facts?.DeviceTree is { } dt && b.Facts?.DeviceTree is { } rt)
            {
                var (list, bytes, setAside) = CompareDeviceTrees(dt, rt, normalise);
                sections.AddRange(list);
                if (list.Any(s => s.Status != FileVerdict.Identical && s.Status != FileVerdict.Normalised))
                    what.Add("structure");
                unexplained += bytes;
                normalised.AddRange(setAside);
            }
            if (x.Format is { } format && format == y.Format && x.Type?.Class == "archive"
                && d.MemberKeys(x.Path) is { } ours && r.MemberKeys(y.Path) is { } theirs)
            {
                var common = ours.Intersect(theirs, StringComparer.Ordinal).ToHashSet(StringComparer.Ordinal);
                var first = ours.Where(common.Contains).ToList();
                var second = theirs.Where(common.Contains).ToList();
                if (!first.SequenceEqual(second, StringComparer.Ordinal))
                {
                    var at = first.Zip(second).TakeWhile(p => p.First == p.Second).Count();
                    Aspect("order", Normalisations.Order, $"{format} members in another order from member {at + 1} of {first.Count}");
                }
            }
        }

        void Content()
        {
            var fa = a.Facts;
            var fb = b.Facts;
            if (a.IsContainer != b.IsContainer)
                note = "unpacked in one build only: compared as bytes";
            if (fa is null || fb is null)
            {
                what.Add("content");
                unexplained += Math.Max(x.Size ?? 0, y.Size ?? 0);
                return;
            }
            note ??= fa.Problem ?? fb.Problem;

            // Detached signatures that differ (another signer, another time): set aside whole.
            if (fa.DetachedSignature is { } ka && fb.DetachedSignature is { } kb && normalise.HasFlag(Normalisations.Signatures))
            {
                normalised.Add(new NormalisedItem("signatures", $"detached {ka} signature of {fa.Length} bytes against {kb} of {fb.Length}"));
                return;
            }

            var signed = fa.ModuleSignature is not null || fb.ModuleSignature is not null;
            if (signed)
            {
                var unsignedA = fa.UnsignedSha256 ?? x.Sha256;
                var unsignedB = fb.UnsignedSha256 ?? y.Sha256;
                var signatureBytes = Math.Max(fa.ModuleSignature?.TrailerLength ?? 0, fb.ModuleSignature?.TrailerLength ?? 0);
                var sigStatus = fa.ModuleSignature is null ? FileVerdict.OnlyRebuilt : fb.ModuleSignature is null ? FileVerdict.OnlyDelivered : FileVerdict.Differs;
                if (normalise.HasFlag(Normalisations.Signatures))
                {
                    sections.Add(new SectionVerdict(ModuleSignatureRegion, FileVerdict.Normalised));
                    normalised.Add(new NormalisedItem("signatures", sigStatus switch
                    {
                        FileVerdict.OnlyRebuilt => $"appended module signature (PKCS#7, {signatureBytes} bytes) only in the rebuilt build",
                        FileVerdict.OnlyDelivered => $"appended module signature (PKCS#7, {signatureBytes} bytes) only in the delivered build",
                        _ => $"appended module signatures (PKCS#7, {fa.ModuleSignature!.Value.TrailerLength} and {fb.ModuleSignature!.Value.TrailerLength} bytes)",
                    }));
                }
                else
                {
                    sections.Add(new SectionVerdict(ModuleSignatureRegion, sigStatus));
                    what.Add("signature");
                    unexplained += signatureBytes;
                }
                if (string.Equals(unsignedA, unsignedB, StringComparison.OrdinalIgnoreCase))
                {
                    if (fa.Elf is { } ea && fb.Elf is { } eb)
                        sections.InsertRange(0, CompareRegions(ea, eb).List);
                    return;
                }
            }

            what.Add("content");
            if (fa.Elf is { } elfA && fb.Elf is { } elfB)
            {
                var (list, bytes) = CompareRegions(elfA, elfB);
                sections.InsertRange(0, list);
                unexplained += bytes;
            }
            else if (fa.Blocks is { } ba && fb.Blocks is { } bb)
            {
                foreach (var (offset, length) in BlockDigests.DifferingRanges(ba, bb))
                    ranges.Add(new ByteRange(offset, length));
                unexplained += ranges.Sum(rg => rg.Length);
                if (ranges.Count == 0)
                    unexplained += Math.Max(1, Math.Abs(fa.Length - fb.Length));
            }
            else
            {
                // One ELF and one not, or a structure on one side only: the whole file is unexplained.
                unexplained += Math.Max(fa.Length, fb.Length);
            }
        }
    }

    /// <summary>ELF regions by name (the n-th of a name with the n-th), each identical, differs or on one side only.</summary>
    private static (List<SectionVerdict> List, long Bytes) CompareRegions(IReadOnlyList<RegionDigest> a, IReadOnlyList<RegionDigest> b)
    {
        var left = Numbered(a);
        var right = Numbered(b);
        var list = new List<SectionVerdict>();
        long bytes = 0;
        foreach (var (name, region) in left)
        {
            if (!right.TryGetValue(name, out var other))
            {
                list.Add(new SectionVerdict(name, FileVerdict.OnlyDelivered));
                bytes += region.Length;
            }
            else if (region.Sha256 != other.Sha256)
            {
                list.Add(new SectionVerdict(name, FileVerdict.Differs));
                bytes += Math.Max(region.Length, other.Length);
            }
            else
            {
                list.Add(new SectionVerdict(name, FileVerdict.Identical));
            }
        }
        foreach (var (name, region) in right.Where(kv => !left.ContainsKey(kv.Key)))
        {
            list.Add(new SectionVerdict(name, FileVerdict.OnlyRebuilt));
            bytes += region.Length;
        }
        return (list, bytes);

        static Dictionary<string, RegionDigest> Numbered(IReadOnlyList<RegionDigest> regions)
        {
            var seen = new Dictionary<string, int>(StringComparer.Ordinal);
            var result = new Dictionary<string, RegionDigest>(StringComparer.Ordinal);
            foreach (var region in regions)
            {
                var n = seen[region.Name] = seen.GetValueOrDefault(region.Name) + 1;
                result[n == 1 ? region.Name : $"{region.Name}#{n}"] = region;
            }
            return result;
        }
    }

    /// <summary>
    /// Device-tree entries by node path and property; only what is not identical is listed, a FIT
    /// signature node as one item (its properties change together).
    /// </summary>
    private static (List<SectionVerdict> List, long Bytes, List<NormalisedItem> SetAside) CompareDeviceTrees(
        IReadOnlyList<FdtStructure.Entry> a, IReadOnlyList<FdtStructure.Entry> b, Normalisations normalise)
    {
        var left = Numbered(a);
        var right = Numbered(b);
        var changes = new List<(string Name, string Status, FdtStructure.EntryKind Kind, long Bytes)>();
        foreach (var name in left.Keys.Union(right.Keys, StringComparer.Ordinal))
        {
            var x = left.GetValueOrDefault(name);
            var y = right.GetValueOrDefault(name);
            if (x is not null && y is not null && x.Digest == y.Digest)
                continue;
            var e = (x ?? y)!;
            var status = x is null ? FileVerdict.OnlyRebuilt : y is null ? FileVerdict.OnlyDelivered : FileVerdict.Differs;
            var shown = e.Kind == FdtStructure.EntryKind.Signature ? SignatureNode(e.Node) : name;
            changes.Add((shown, status, e.Kind, Math.Max(x?.Length ?? 0, y?.Length ?? 0)));
        }
        var list = new List<SectionVerdict>();
        var setAside = new List<NormalisedItem>();
        long bytes = 0;
        foreach (var group in changes.GroupBy(c => (c.Name, c.Kind)))
        {
            var statuses = group.Select(c => c.Status).Distinct().ToList();
            var status = statuses.Count == 1 ? statuses[0] : FileVerdict.Differs;
            var excused = (group.Key.Kind == FdtStructure.EntryKind.Signature && normalise.HasFlag(Normalisations.Signatures))
                          || (group.Key.Kind == FdtStructure.EntryKind.Timestamp && normalise.HasFlag(Normalisations.Mtime));
            list.Add(new SectionVerdict(group.Key.Name, excused ? FileVerdict.Normalised : status));
            if (!excused)
            {
                bytes += group.Sum(c => c.Bytes);
                continue;
            }
            var how = status switch { FileVerdict.OnlyDelivered => "only in the delivered build", FileVerdict.OnlyRebuilt => "only in the rebuilt build", _ => "differs" };
            setAside.Add(group.Key.Kind == FdtStructure.EntryKind.Signature
                ? new NormalisedItem("signatures", $"FIT signature node {group.Key.Name} {how}")
                : new NormalisedItem("mtime", $"FIT {group.Key.Name} {how}"));
        }
        return (list, bytes, setAside);

        static Dictionary<string, FdtStructure.Entry> Numbered(IReadOnlyList<FdtStructure.Entry> entries)
        {
            var seen = new Dictionary<string, int>(StringComparer.Ordinal);
            var result = new Dictionary<string, FdtStructure.Entry>(StringComparer.Ordinal);
            foreach (var e in entries)
            {
                var n = seen[e.Name] = seen.GetValueOrDefault(e.Name) + 1;
                result[n == 1 ? e.Name : $"{e.Name}#{n}"] = e;
            }
            return result;
        }

        // /configurations/conf-1/signature-1/x -> /configurations/conf-1/signature-1 (the node FdtStructure marked).
        static string SignatureNode(string node)
        {
            var parts = node.Split('/');
            return parts.Length > 4 ? string.Join('/', parts[..4]) : node;
        }
    }

    private static string Time(long unix) =>
        unix is >= -62135596800 and <= 253402300799
            ? DateTimeOffset.FromUnixTimeSeconds(unix).ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture)
            : unix.ToString(CultureInfo.InvariantCulture);
}
