using System.IO.Compression;
using System.Security.Cryptography;
using Assay.Core.Content;
using Assay.Core.Formats;
using Assay.Core.Model;

namespace Assay.Formats.Tests.Archives;

/// <summary>
/// The packed identity of zip entries: the same entry data (method, size, stored bytes) gives the same
/// identity wherever it sits in another archive; other content another identity; small entries and
/// walks without a result cache get none.
/// </summary>
public sealed class ZipIdentityTests
{
    private static readonly ZipHandler Handler = new();

    [Fact]
    public void SameEntryInAnotherArchive_SameIdentity_OtherContent_OtherIdentity()
    {
        var big = Bytes(1, 200_000);
        var release1 = Zip(("firmware/app.bin", big), ("firmware/other.bin", Bytes(2, 150_000)), ("notes.txt", Bytes(3, 100)));
        // the next release: a new first entry (everything after it moves), one image rebuilt
        var release2 = Zip(("README", Bytes(4, 5000)), ("firmware/app.bin", big), ("firmware/other.bin", Bytes(5, 150_000)), ("notes.txt", Bytes(3, 100)));
        var one = Entries(release1);
        var two = Entries(release2);
        Assert.NotNull(one["firmware/app.bin"].Identity);
        Assert.Equal(one["firmware/app.bin"].Identity, two["firmware/app.bin"].Identity);
        Assert.NotEqual(one["firmware/other.bin"].Identity, two["firmware/other.bin"].Identity);
        Assert.Equal(200_000, one["firmware/app.bin"].Identity!.Size);
        Assert.Null(one["notes.txt"].Identity); // under PackedIdentity.MinimumSize
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(big)), two["firmware/app.bin"].Sha256);
    }

    [Fact]
    public void WithoutResultCache_NoIdentityIsComputed()
    {
        var entries = Entries(Zip(("a.bin", Bytes(1, 100_000))), keepsResults: false);
        Assert.Null(entries["a.bin"].Identity);
    }

    /// <summary>Compressible but not trivial content (a repeated pseudo-random line).</summary>
    private static byte[] Bytes(int seed, int length)
    {
        var line = new byte[97];
        new Random(seed).NextBytes(line);
        var bytes = new byte[length];
        for (var i = 0; i < length; i++)
            bytes[i] = line[i % line.Length];
        return bytes;
    }

    private static byte[] Zip(params (string Name, byte[] Content)[] entries)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content) in entries)
            {
                var entry = zip.CreateEntry(name, CompressionLevel.Optimal);
                entry.LastWriteTime = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
                using var s = entry.Open();
                s.Write(content);
            }
        }
        return buffer.ToArray();
    }

    private sealed record Seen(PackedIdentity? Identity, string Sha256);

    private static Dictionary<string, Seen> Entries(byte[] zip, bool keepsResults = true)
    {
        var blob = new MemoryBlob(zip);
        var match = Handler.TryMatch(blob, 0) ?? throw new InvalidOperationException("not a zip");
        var context = new RecordingContext(keepsResults);
        Handler.Unpack(blob.Slice(match.Offset, match.Length ?? zip.Length), match, context);
        return context.Files;
    }

    private sealed class RecordingContext(bool keepsResults) : IUnpackContext
    {
        public Dictionary<string, Seen> Files { get; } = new(StringComparer.Ordinal);
        public CancellationToken CancellationToken => default;
        public Core.Pipeline.ScanLimits Limits { get; } = new();
        public string ContainerPath => "delivery.zip";
        public bool KeepsResults => keepsResults;
        public void AddDirectory(EntryMeta meta) { }
        public void AddSymlink(EntryMeta meta, string target) { }
        public void AddHardlink(EntryMeta meta, string target) { }
        public void AddSpecial(EntryMeta meta, NodeKind kind, bool isBlock = false) { }
        public void AddError(string message, long? offset = null, string? entryPath = null) => throw new InvalidOperationException(message);
        public void AddFile(EntryMeta meta, IBlob content) => throw new InvalidOperationException("deflated entries come as streams");
        public void AddFile(EntryMeta meta, Stream content, long? packedSize = null) => AddFile(meta, content, packedSize, null);

        public void AddFile(EntryMeta meta, Stream content, long? packedSize, PackedIdentity? identity)
        {
            using var copy = new MemoryStream();
            content.CopyTo(copy);
            Files[meta.Path] = new Seen(identity, Convert.ToHexStringLower(SHA256.HashData(copy.ToArray())));
        }
    }
}
