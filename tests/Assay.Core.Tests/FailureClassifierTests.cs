using Assay.Core.Content;
using Assay.Core.Extraction;
using Assay.Core.Formats;
using Assay.Core.Model;
using Assay.Core.Pipeline;
using FormatException = Assay.Core.Formats.FormatException;

namespace Assay.Core.Tests;

/// <summary>The one classifier of failures (STYLE.md rule 4): what each exception type means for the scan.</summary>
public sealed class FailureClassifierTests
{
    public static TheoryData<Exception, ErrorCategory> Cases() => new()
    {
        { new FormatException("tar", 0x200, "header checksum does not match"), ErrorCategory.Malformed },
        { new InvalidDataException("corrupt deflate stream"), ErrorCategory.Malformed },
        { new EndOfStreamException("cut off"), ErrorCategory.Malformed },
        { new NotSupportedException("compression method 99"), ErrorCategory.Unsupported },
        { new LimitExceededException("maxFiles", "too many"), ErrorCategory.Limit },
        { new ExtractionRefusedException("../x"), ErrorCategory.Unsafe },
        { new IOException("No space left on device"), ErrorCategory.Io },
        { new UnauthorizedAccessException("denied"), ErrorCategory.Io },
        // our own code: never "not this format"
        { new ArgumentException("bad slice"), ErrorCategory.Internal },
        { new ArgumentOutOfRangeException("offset"), ErrorCategory.Internal },
        { new OverflowException(), ErrorCategory.Internal },
        { new IndexOutOfRangeException(), ErrorCategory.Internal },
        { new NullReferenceException(), ErrorCategory.Internal },
        { new InvalidOperationException(), ErrorCategory.Internal },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Classify_EachKind_HasItsCategory(Exception exception, ErrorCategory expected)
    {
        Assert.Equal(expected, FailureClassifier.Classify(exception));
        Assert.Equal(expected != ErrorCategory.Internal, FailureClassifier.IsExpected(exception));
        Assert.Equal(expected is ErrorCategory.Malformed or ErrorCategory.Unsupported, FailureClassifier.IsInputFailure(exception));
    }

    [Fact]
    public void IsExpected_Cancellation_IsTheCallersToHandle()
    {
        Assert.False(FailureClassifier.IsExpected(new OperationCanceledException()));
        Assert.False(FailureClassifier.IsInputFailure(new OperationCanceledException()));
    }

    [Fact]
    public void Describe_OurBug_AsksForAReport()
    {
        var text = FailureClassifier.Describe(new IndexOutOfRangeException("Index was outside the bounds of the array."), "squashfs");
        Assert.Contains("squashfs failed with IndexOutOfRangeException", text, StringComparison.Ordinal);
        Assert.Contains("a bug in Assay", text, StringComparison.Ordinal);
        Assert.Equal("tar at 0x200: bad", FailureClassifier.Describe(new FormatException("tar", 0x200, "bad"), "tar"));
    }

    [Fact]
    public void DecoderStream_ThirdPartyFailure_BecomesMalformedInput()
    {
        using var stream = new DecoderStream(new ThrowingStream(new IndexOutOfRangeException("decoder table")), "bzip2");
        var e = Assert.Throws<InvalidDataException>(() => stream.ReadByte());
        Assert.Contains("bzip2: corrupt data after 0 decoded bytes (IndexOutOfRangeException: decoder table)", e.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorCategory.Malformed, FailureClassifier.Classify(e));
    }

    [Fact]
    public void DecoderStream_LimitsAndCancellation_PassUnchanged()
    {
        using var limit = new DecoderStream(new ThrowingStream(new LimitExceededException("maxRatio", "bomb")), "xz");
        Assert.Throws<LimitExceededException>(() => limit.ReadByte());
        using var cancel = new DecoderStream(new ThrowingStream(new OperationCanceledException()), "xz");
        Assert.Throws<OperationCanceledException>(() => cancel.ReadByte());
    }

    [Fact]
    public void TypedHandler_UntypedMatch_IsValidatedAgain()
    {
        IFormatHandler handler = new CountingHandler();
        var blob = new MemoryBlob("ABCD1234"u8.ToArray());
        var context = new CollectingUnpackContext();
        handler.Unpack(blob, new FormatMatch(0, 8, "made by hand"), context);
        Assert.Equal("4", Assert.Single(context.Entries).Meta.Path);
        Assert.Throws<ArgumentException>(() => handler.Unpack(new MemoryBlob("xyz"u8.ToArray()), new FormatMatch(0, 3, "made by hand"), context));
    }

    /// <summary>A handler whose state is the count of letters before the digits.</summary>
    private sealed class CountingHandler : IFormatHandler<int>
    {
        public string Id => "counting";
        public string Description => "test";
        public FormatCategory Category => FormatCategory.Archive;
        public IReadOnlyList<MagicSignature> Magics { get; } = [];
        public IReadOnlyList<string> References { get; } = ["this test"];
        public IReadOnlyList<string> Limitations { get; } = [];

        public FormatMatch<int>? TryMatch(IBlob blob, long offset)
        {
            var bytes = blob.ReadBytes(offset, 64);
            var letters = bytes.TakeWhile(b => char.IsAsciiLetterUpper((char)b)).Count();
            return letters > 0 && letters < bytes.Length ? new FormatMatch<int>(offset, bytes.Length, "letters", letters) : null;
        }

        public void Unpack(IBlob chunk, FormatMatch<int> match, IUnpackContext context) => context.AddDirectory(new EntryMeta(match.State.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    private sealed class ThrowingStream(Exception exception) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => 0;
        public override long Position { get => 0; set { } }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw exception;
        public override long Seek(long offset, SeekOrigin origin) => 0;
        public override void SetLength(long value) { }
        public override void Write(byte[] buffer, int offset, int count) { }
    }
}
