using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Assay.Core.Content;
using Assay.Core.Formats;
using Assay.Core.Model;
using Assay.Core.Pipeline;

namespace Assay.Core.Tests;

/// <summary>
/// A file whose container says what its packed form is (<see cref="PackedIdentity"/>) is answered
/// from the cache by that form, without its stream being read, when it was met before; the
/// evaluation is the same as without the cache.
/// </summary>
public sealed class PackedIdentityTests
{
    private const int Big = 80 << 10; // above the size from which files are looked up

    [Fact]
    public void NextRelease_UnchangedPackedFiles_AreNotReadAgain()
    {
        var cache = new MemoryCache();
        var a = Pack(("a.bin", Content('a', Big)), ("b.bin", Content('b', Big)));
        var b = Pack(("a.bin", Content('a', Big)), ("b.bin", Content('b', Big)), ("c.bin", Content('c', Big)));
        Scan(a, cache, out _);
        var reads = new ConcurrentDictionary<string, long>();
        var warm = Scan(b, cache, out var progress, reads);
        Assert.Equal([("c.bin", (long)Big)], reads.Select(kv => (kv.Key, kv.Value)).Order());
        Assert.Equal(2, progress.FromCache);
        Assert.Equal(Canonical(Scan(b, null, out _)), Canonical(warm));
    }

    [Fact]
    public void SameContentInANewPackedForm_IsReadOnce_ThenAnsweredByThatForm()
    {
        // the content is known (by its hash) but not in this packed form: read and hashed, replayed
        // by content, and remembered under the new form, so the third scan does not read it
        var cache = new MemoryCache();
        Scan(Pack(("a.bin", Content('a', Big))), cache, out _);
        var repacked = Pack(("a.bin", Content('a', Big), "other-form"), ("pad", Content('p', 10), null));
        var reads = new ConcurrentDictionary<string, long>();
        Scan(repacked, cache, out var second, reads);
        Assert.Equal(Big, reads.GetValueOrDefault("a.bin"));
        Assert.Equal(1, second.FromCache);
        reads.Clear();
        var third = Scan(Pack(("a.bin", Content('a', Big), "other-form"), ("pad", Content('q', 10), null)), cache, out _, reads);
        Assert.False(reads.ContainsKey("a.bin"));
        Assert.Contains(third.Files, f => f.Path.EndsWith("!/a.bin", StringComparison.Ordinal) && f.Sha256 == Sha(Content('a', Big)));
    }

    [Fact]
    public void PackedFormMetAtAnotherPathOrWithOtherMetadata_IsReadAgain()
    {
        // the key holds the path and metadata as the content key does: the result depends on them
        var cache = new MemoryCache();
        Scan(Pack(("a.bin", Content('a', Big))), cache, out _);
        var reads = new ConcurrentDictionary<string, long>();
        Scan(Pack(("moved.bin", Content('a', Big), "a.bin")), cache, out _, reads);
        Assert.Equal(Big, reads.GetValueOrDefault("moved.bin"));
    }

    [Fact]
    public void SmallFiles_AreNotLookedUpByTheirPackedForm()
    {
        var cache = new MemoryCache();
        Scan(Pack(("s.txt", Content('s', 100))), cache, out _);
        var reads = new ConcurrentDictionary<string, long>();
        Scan(Pack(("s.txt", Content('s', 100)), ("t.txt", Content('t', 100))), cache, out _, reads);
        Assert.Equal(100, reads.GetValueOrDefault("s.txt"));
    }

    [Fact]
    public void WithoutACache_TheContextDoesNotAskForIdentities()
    {
        var asked = new List<bool>();
        var reads = new ConcurrentDictionary<string, long>();
        var options = Options(null, reads, asked);
        using var input = ScanInput.FromBlob(new MemoryBlob(Pack(("a.bin", Content('a', Big)))), "delivery.pack");
        ScanPipeline.Run(options, input);
        Assert.Equal([false], asked);
        Assert.Equal(Big, reads.GetValueOrDefault("a.bin"));
    }

    private static byte[] Content(char c, int length) => Encoding.ASCII.GetBytes(new string(c, length));

    private static string Sha(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>A "PACK" container: per entry, its name, the name its packed form is keyed by, and its bytes.</summary>
    private static byte[] Pack(params (string Name, byte[] Content, string? Form)[] entries)
    {
        using var buffer = new MemoryStream();
        using (var w = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            w.Write("PACK"u8);
            w.Write(entries.Length);
            foreach (var (name, content, form) in entries)
            {
                w.Write(name);
                w.Write(form ?? "");
                w.Write(content.Length);
                w.Write(content);
            }
        }
        return buffer.ToArray();
    }

    private static byte[] Pack(params (string Name, byte[] Content)[] entries) => Pack(entries.Select(e => (e.Name, e.Content, (string?)null)).ToArray());

    private static Evaluation Scan(byte[] delivery, MemoryCache? cache, out ScanProgress progress, ConcurrentDictionary<string, long>? reads = null)
    {
        var options = Options(cache, reads ?? new(), []);
        using var input = ScanInput.FromBlob(new MemoryBlob(delivery), "delivery.pack");
        var session = new ScanSession(options);
        var evaluation = ScanPipeline.Run(session, input, []);
        progress = session.Progress;
        return evaluation;
    }

    private static ScanOptions Options(MemoryCache? cache, ConcurrentDictionary<string, long> reads, List<bool> asked) => new()
    {
        Handlers = new HandlerRegistry([new PackHandler(reads, asked)]),
        Cache = cache,
        CacheFingerprint = cache is null ? null : "test-engine",
        Parallelism = 2,
    };

    private static string Canonical(Evaluation e) => JsonSerializer.Serialize(e with { StartedAt = default, FinishedAt = default });

    /// <summary>An in-memory cache (the SQLite one is tested in the engine's tests).</summary>
    private sealed class MemoryCache : IScanCache
    {
        private readonly ConcurrentDictionary<string, byte[]> _entries = new(StringComparer.Ordinal);

        public byte[]? Get(string key) => _entries.GetValueOrDefault(key);

        public void Put(string key, byte[] value) => _entries[key] = value;

        public void Reject(string key) => _entries.TryRemove(key, out _);
    }

    private sealed class PackHandler(ConcurrentDictionary<string, long> reads, List<bool> asked) : IFormatHandler
    {
        public string Id => "pack";
        public string Description => "test container whose entries say their packed form";
        public FormatCategory Category => FormatCategory.Archive;
        public IReadOnlyList<MagicSignature> Magics { get; } = [MagicSignature.Ascii("PACK")];
        public IReadOnlyList<string> References => [];
        public IReadOnlyList<string> Limitations => [];

        public FormatMatch? TryMatch(IBlob blob, long offset) =>
            offset == 0 && blob.Length >= 8 && blob.ReadBytes(0, 4).AsSpan().SequenceEqual("PACK"u8) ? new FormatMatch(0, blob.Length, "test pack") : null;

        public void Unpack(IBlob chunk, FormatMatch match, IUnpackContext context)
        {
            lock (asked)
                asked.Add(context.KeepsResults);
            using var r = new BinaryReader(new BlobStream(chunk), Encoding.UTF8);
            r.ReadBytes(4);
            var count = r.ReadInt32();
            for (var i = 0; i < count; i++)
            {
                var name = r.ReadString();
                var form = r.ReadString();
                var content = r.ReadBytes(r.ReadInt32());
                // the packed form: here the entry's bytes under the name it was packed by
                var identity = new PackedIdentity(Sha(Encoding.UTF8.GetBytes((form.Length > 0 ? form : name) + "\n")) + Sha(content), content.Length);
                using var stream = new CountingStream(content, n => reads.AddOrUpdate(name, n, (_, v) => v + n));
                context.AddFile(new EntryMeta(name) { Mode = 420 }, stream, content.Length, context.KeepsResults ? identity : null);
            }
        }
    }

    private sealed class CountingStream(byte[] content, Action<long> read) : Stream
    {
        private int _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => content.Length;
        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(Span<byte> buffer)
        {
            var n = Math.Min(buffer.Length, content.Length - _position);
            content.AsSpan(_position, n).CopyTo(buffer);
            _position += n;
            if (n > 0)
                read(n);
            return n;
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
