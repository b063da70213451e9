namespace Assay.Cli.Tests;

/// <summary>
/// The native build hands <c>serve</c> and <c>admin</c> to the full build beside it
/// (<see cref="ServiceCommands"/>). These tests run the full build (the test host JITs), so they hold
/// what both builds share: which commands are handed over, their help text, and the message when the
/// full build is missing. The hand-over itself is run by CI on the published command (.ci/run).
/// </summary>
[Collection(nameof(ConsoleCollection))]
public sealed class ServiceCommandsTests
{
    [Theory]
    [InlineData(new[] { "serve", "--data", "x" }, true)]
    [InlineData(new[] { "admin", "bootstrap" }, true)]
    [InlineData(new[] { "scan", "serve" }, false)]
    [InlineData(new[] { "--help" }, false)]
    [InlineData(new string[0], false)]
    public void IsServiceCommand_OnlyTheFirstWordCounts(string[] args, bool expected) =>
        Assert.Equal(expected, ServiceCommands.IsServiceCommand(args));

    [Fact]
    public void HelpText_TheNativeStandInsSayWhatTheFullCommandsSay()
    {
        var root = AssayCommand.Create();
        Assert.Equal(ServiceCommands.ServeDescription, root.Subcommands.Single(c => c.Name == "serve").Description);
        Assert.Equal(ServiceCommands.AdminDescription, root.Subcommands.Single(c => c.Name == "admin").Description);
    }

    [Fact]
    public void HandOver_FullBuildMissing_ExitsWithUsageAndSaysHowToBuildIt()
    {
        Assert.False(File.Exists(Path.Combine(AppContext.BaseDirectory, ServiceCommands.CompanionFolder, "assay")));
        var error = new StringWriter();
        var saved = Console.Error;
        Console.SetError(error);
        try
        {
            Assert.Equal(ExitCodes.Usage, ServiceCommands.HandOver(["serve", "--data", "x"]));
        }
        finally
        {
            Console.SetError(saved);
        }
        Assert.Contains("'serve' runs in the full build at", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("run ./assay", error.ToString(), StringComparison.Ordinal);
    }
}
