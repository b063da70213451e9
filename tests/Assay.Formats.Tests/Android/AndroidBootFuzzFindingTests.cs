using Assay.Core.Content;

namespace Assay.Formats.Tests.Android;

/// <summary>Inputs the fuzzer found (fuzz/smoke.sh), kept as regression tests.</summary>
public sealed class AndroidBootFuzzFindingTests
{
    [Fact]
    public void HeaderV2_CutBeforeItsDtbFields_IsNotABootImage()
    {
        var bytes = Fixture.Bytes("androidboot/boot-v2.img")[..1640];
        Assert.Null(new AndroidBootImageHandler().TryMatch(new MemoryBlob(bytes), 0));
    }
}
