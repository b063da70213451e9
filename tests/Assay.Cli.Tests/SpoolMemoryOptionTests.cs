using System.CommandLine;
using Assay.Cli.Commands;

namespace Assay.Cli.Tests;

public sealed class SpoolMemoryOptionTests
{
    [Theory]
    [InlineData(null, 16L << 20)]
    [InlineData("0", 0L)]
    [InlineData("32M", 32L << 20)]
    [InlineData("1G", 1L << 30)]
    public void SpoolMemory_Given_SetsTheScansMemoryBudget(string? value, long expected)
    {
        var binder = new ScanOptionsBinder();
        var command = new Command("scan");
        binder.AddTo(command);
        var parse = command.Parse(value is null ? ["image.bin"] : ["image.bin", "--spool-memory", value]);
        Assert.Empty(parse.Errors);
        Assert.Equal(expected, binder.Bind(parse).Limits.MemorySpoolBudgetBytes);
    }
}
