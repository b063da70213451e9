namespace Assay.History.Tests;

/// <summary>Locates committed fixtures (copied beside the test assembly from <c>Fixtures/</c>).</summary>
internal static class Fixture
{
    public static string Path(string relative) => System.IO.Path.Combine(AppContext.BaseDirectory, "Fixtures", relative);
}
