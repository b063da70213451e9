using System.IO.Compression;
using System.Security.Cryptography;
using Assay.Core.Formats;

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
        var one = IdentityRecorder.Files(Handler, release1);
        var two = IdentityRecorder.Files(Handler, release2);
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
        var entries = IdentityRecorder.Files(Handler, Zip(("a.bin", Bytes(1, 100_000))), keepsResults: false);
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
}
