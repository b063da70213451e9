using Assay.Core.Content;
using Assay.Core.Formats;
using Assay.Core.Pipeline;

namespace Assay.Formats.Tests;

/// <summary>
/// Meta-tests over the handler registry (STYLE.md rule 2): unique ids, declarations filled in,
/// and every handler survives random and truncated input without an unexpected exception.
/// </summary>
public sealed class HandlerRegistryTests
{
    public static TheoryData<string> HandlerIds() => [.. BuiltinHandlers.All.Select(h => h.Id)];

    [Fact]
    public void Registry_Ids_AreUniqueLowerCase()
    {
        var ids = BuiltinHandlers.All.Select(h => h.Id).ToList();
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.All(ids, id => Assert.Matches("^[a-z0-9][a-z0-9-]*$", id));
    }

    [Theory]
    [MemberData(nameof(HandlerIds))]
    public void Handler_Declaration_HasDescriptionAndReferences(string id)
    {
        var handler = BuiltinHandlers.Registry.Find(id)!;
        Assert.False(string.IsNullOrWhiteSpace(handler.Description));
        Assert.NotEmpty(handler.References);
        Assert.NotNull(handler.Limitations);
    }

    [Theory]
    [MemberData(nameof(HandlerIds))]
    public void Handler_RandomAndMagicPrefixedInput_NeverThrowsUnexpectedly(string id)
    {
        var handler = BuiltinHandlers.Registry.Find(id)!;
        var random = new Random(id.Length * 31);
        for (var round = 0; round < 40; round++)
        {
            var bytes = new byte[random.Next(0, 4096)];
            random.NextBytes(bytes);
            if (handler.Magics.Count > 0 && round % 2 == 0)
            {
                var magic = handler.Magics[round / 2 % handler.Magics.Count];
                if (bytes.Length >= magic.Offset + magic.Bytes.Length)
                    magic.Bytes.CopyTo(bytes, magic.Offset);
            }
            var blob = new MemoryBlob(bytes);
            FormatMatch? match;
            try
            {
                match = handler.TryMatch(blob, 0);
            }
            catch (Exception e) when (FailureClassifier.IsInputFailure(e))
            {
                continue;
            }
            if (match is null)
                continue;
            var context = new CollectingUnpackContext(new ScanLimits { MaxFileBytes = 64 << 20 }, new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token) { MaxContentBytes = 64 << 20 };
            try
            {
                var length = match.Length ?? blob.Length - match.Offset;
                handler.Unpack(blob.Slice(match.Offset, length), match, context);
            }
            catch (Exception e) when (e is OperationCanceledException || FailureClassifier.IsExpected(e))
            {
                // "this format, but broken": expected for random bytes; anything else is a bug
            }
        }
    }
}
