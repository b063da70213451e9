using Assay.Core.Content;
using Assay.Core.Formats;
using Assay.Core.Identification;
using Assay.Core.Pipeline;

namespace Assay.Core.Tests;

public sealed class PipelineTests
{
    [Theory]
    [InlineData("a/b/c", "a/b/c", false)]
    [InlineData("./a//b/", "a/b", false)]
    [InlineData("../../etc/passwd", "etc/passwd", true)]
    [InlineData("/abs/x", "abs/x", false)]
    [InlineData("a/../../b", "b", true)]
    [InlineData(".", null, false)]
    [InlineData("rootfs.img!/etc/shadow", "rootfs.img!_/etc/shadow", false)]
    public void Normalize_EntryName_StaysInsideTheContainer(string name, string? expected, bool escaped)
    {
        Assert.Equal(expected, VirtualPath.Normalize(name, out var e));
        Assert.Equal(escaped, e);
    }

    [Fact]
    public void Inner_NestedPath_IsThePathInsideTheInnermostContainer()
    {
        Assert.Equal("/usr/sbin/dnsmasq", VirtualPath.Inner("b.zip!/r.cpio.gz!/r.cpio!/usr/sbin/dnsmasq"));
        Assert.Equal("dnsmasq", VirtualPath.Name("b.zip!/r.cpio!/usr/sbin/dnsmasq"));
    }

    [Fact]
    public void Spooler_LargeStream_GoesToScratchAndKeepsEveryByte()
    {
        var limits = new ScanLimits { MemorySpoolBytes = 1 << 16 };
        var scratch = Path.Combine(Path.GetTempPath(), $"assay-spool-{Guid.NewGuid():N}");
        var data = new byte[300_000];
        new Random(3).NextBytes(data);
        using (var blob = new Spooler(limits, scratch).Spool(data.AsSpan(0, 1000), new MemoryStream(data, 1000, data.Length - 1000), default))
        {
            Assert.IsType<FileBlob>(blob);
            Assert.Equal(data.Length, blob.Length);
            Assert.Equal(data, blob.ReadBytes(0, data.Length));
        }
        Assert.Empty(Directory.Exists(scratch) ? Directory.GetFiles(scratch) : []);
    }

    [Fact]
    public void Spooler_SmallStream_StaysInPooledMemory()
    {
        var data = new byte[200_000];
        new Random(4).NextBytes(data);
        using var blob = new Spooler(new ScanLimits(), Path.GetTempPath()).Spool(new MemoryStream(data), default);
        Assert.IsType<PooledBlob>(blob);
        Assert.Equal(data, blob.ReadBytes(0, data.Length));
        Assert.Equal(data.AsSpan(PooledBlob.SegmentBytes - 3, 10).ToArray(), blob.ReadBytes(PooledBlob.SegmentBytes - 3, 10));
    }

    [Fact]
    public void PooledBlob_Segment_IsNotALargeObject()
    {
        // Segments of 85,000 bytes or more go to the large-object heap, which only a full
        // collection frees: spent segments then pile up and memory grows with the input.
        var segment = System.Buffers.ArrayPool<byte>.Shared.Rent(PooledBlob.SegmentBytes);
        System.Buffers.ArrayPool<byte>.Shared.Return(segment);
        Assert.InRange(segment.Length, 4096, 84_999);
    }

    [Fact]
    public void MeteredStream_RatioOverLimit_StopsEarly()
    {
        var limits = new ScanLimits { MaxRatio = 100, RatioFloorBytes = 1 << 20 };
        var zeros = new ZeroStream(1L << 40);
        var metered = new MeteredStream(zeros, limits, new ScanBudget(limits, 1000), 1000, default);
        var e = Assert.Throws<LimitExceededException>(() => new Spooler(limits, Path.GetTempPath()).Spool(metered, default));
        Assert.Equal("maxRatio", e.Limit);
        Assert.True(zeros.Position < 8L << 20);
    }

    [Fact]
    public void Budget_TotalBytes_IsBoundedByExpansionOfTheInput()
    {
        var limits = new ScanLimits { MinTotalBytes = 1000, MaxExpansion = 10 };
        var budget = new ScanBudget(limits, 500);
        Assert.Equal(5000, budget.MaxBytes);
        budget.AddBytes(4000);
        Assert.Throws<LimitExceededException>(() => budget.AddBytes(2000));
    }

    [Theory]
    [InlineData("7f454c46010101000000000000000000020028000100000000000000", "elf", "arm")]
    [InlineData("7f454c460201010000000000000000000300b7000100000000000000", "elf", "aarch64")]
    [InlineData("7f454c46010201000000000000000000000200080000000100000000", "elf", "mips")]
    public void FileType_ElfHeader_GivesClassAndArchitecture(string hex, string cls, string arch)
    {
        var t = FileType.Detect(Convert.FromHexString(hex), 100);
        Assert.Equal(cls, t.Class);
        Assert.Equal(arch, t.Arch);
    }

    [Fact]
    public void FileType_Shebang_GivesInterpreter()
    {
        var t = FileType.Detect("#!/usr/bin/env python3\nprint(1)\n"u8, 30);
        Assert.Equal("script", t.Class);
        Assert.Equal("python3", t.Interpreter);
    }

    [Fact]
    public void Carver_NoHandlers_FindsNothing()
    {
        var carver = new Carver(new HandlerRegistry([]));
        Assert.Empty(carver.Find(new MemoryBlob(new byte[1000]), 0, default, out _));
    }

    [Fact]
    public void Entropy_RandomAndConstant_AreFarApart()
    {
        var random = new byte[65536];
        new Random(1).NextBytes(random);
        Assert.True(Carver.Entropy(new MemoryBlob(random), 0, random.Length) > 7.9);
        Assert.True(Carver.IsFill(new MemoryBlob(Enumerable.Repeat((byte)0xff, 5000).ToArray()), 0, 5000, out var fill));
        Assert.Equal(0xff, fill);
    }

    private sealed class ZeroStream(long length) : Stream
    {
        private long _position;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => length;
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, length - _position);
            Array.Clear(buffer, offset, n);
            _position += n;
            return n;
        }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
