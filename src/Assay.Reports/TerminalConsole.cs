using Spectre.Console;

namespace Assay.Reports;

/// <summary>
/// The Spectre console every terminal summary renders into (scan, diff, verify-build): ANSI colours
/// only when asked for (a terminal), plain text otherwise, never interactive, a fixed width so the
/// same evaluation always gives the same text.
/// </summary>
public static class TerminalConsole
{
    /// <summary>A console writing to <paramref name="writer"/>.</summary>
    public static IAnsiConsole Create(TextWriter writer, bool color, int width)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = color ? AnsiSupport.Yes : AnsiSupport.No,
            ColorSystem = color ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = width;
        return console;
    }
}
