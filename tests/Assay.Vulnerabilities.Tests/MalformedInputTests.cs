using System.IO.Compression;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Assay.Vulnerabilities.Tests;

/// <summary>Mutations of real-shaped feed files: an import reports issues, it never throws and never stores garbage silently.</summary>
public sealed class MalformedInputTests
{
    private static readonly byte[] Sample = File.ReadAllBytes(Fixture.Path("nvd/sample.jsonl"));
    private static readonly byte[] Page = File.ReadAllBytes(Fixture.Path("nvd/page.json"));
    private static readonly byte[] Osv = File.ReadAllBytes(Fixture.Path("osv/DEBIAN-TEST-0001.json"));
    private static readonly byte[] Legacy = File.ReadAllBytes(Fixture.Path("nvd/legacy-1.1.json"));
    private static readonly string[] Names = ["sample.jsonl", "page.json", "osv.json", "legacy.json"];
    private static readonly int[] MostRecords = [8, 2, 1, 2];

    public sealed record Mutation(int Seed, int Edits, bool Truncate, bool Gzip, int Kind);

    public static class Arbitraries
    {
        public static Arbitrary<Mutation> Mutations() => Arb.From(
            from seed in Gen.Choose(0, int.MaxValue - 1)
            from edits in Gen.Choose(1, 40)
            from truncate in Gen.Elements(false, true)
            from gzip in Gen.Elements(false, true)
            from kind in Gen.Choose(0, 3)
            select new Mutation(seed, edits, truncate, gzip, kind));
    }

    private static byte[] Mutate(Mutation m)
    {
        var random = new Random(m.Seed);
        var bytes = (byte[])(m.Kind switch { 0 => Sample, 1 => Page, 2 => Osv, _ => Legacy }).Clone();
        byte[] alphabet = "{}[]\":,0123456789.-\\ \n\u00ffaZ"u8.ToArray();
        for (var i = 0; i < m.Edits; i++)
            bytes[random.Next(bytes.Length)] = random.Next(4) == 0 ? (byte)random.Next(256) : alphabet[random.Next(alphabet.Length)];
        if (m.Truncate)
            bytes = bytes[..random.Next(1, bytes.Length)];
        if (!m.Gzip)
            return bytes;
        using var output = new MemoryStream();
        using (var gz = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
            gz.Write(bytes);
        var compressed = output.ToArray();
        if (m.Truncate)
            compressed = compressed[..Math.Max(2, compressed.Length - 7)];
        return compressed;
    }

    [Property(Arbitrary = [typeof(Arbitraries)], MaxTest = 80)]
    public bool Import_MutatedFeed_ReportsIssuesWithoutThrowing(Mutation m)
    {
        var dir = Fixture.TempDir();
        try
        {
            var name = Names[m.Kind] + (m.Gzip ? ".gz" : "");
            var path = Path.Combine(dir, name);
            File.WriteAllBytes(path, Mutate(m));
            var result = VulnerabilityDatabase.Import(Path.Combine(dir, "v.db"), [path]);
            using var db = VulnerabilityDatabase.Open(Path.Combine(dir, "v.db"));
            var stored = db.GetStatus().Vulnerabilities;
            // Every record read is either stored, a duplicate, or an issue naming the file.
            return stored == result.Added
                && result.Issues.All(i => i.Path == path && i.Message.Length > 0)
                && stored <= MostRecords[m.Kind];
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
