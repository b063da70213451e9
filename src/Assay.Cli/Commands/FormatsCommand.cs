using System.CommandLine;
using Assay.Formats;

namespace Assay.Cli.Commands;

/// <summary><c>assay formats</c>: the formats Assay unpacks, from the handlers' own declarations.</summary>
internal static class FormatsCommand
{
    public static Command Create()
    {
        var verbose = CliOptions.Flag("--verbose", "Also show magic, references and limitations of each handler.", "-v");
        var command = new Command("formats", "List the formats Assay identifies and unpacks.") { verbose };
        command.SetAction(parse =>
        {
            var all = BuiltinHandlers.Registry.All.OrderBy(h => h.Id, StringComparer.Ordinal);
            foreach (var h in all)
            {
                Console.WriteLine($"{h.Id,-16} {h.Category,-11} {h.Description}");
                if (!parse.GetValue(verbose))
                    continue;
                foreach (var m in h.Magics)
                    Console.WriteLine($"{"",16}   magic @{m.Offset}: {Convert.ToHexString(m.Bytes)}");
                foreach (var r in h.References)
                    Console.WriteLine($"{"",16}   ref: {r}");
                foreach (var l in h.Limitations)
                    Console.WriteLine($"{"",16}   limitation: {l}");
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
