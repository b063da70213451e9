using System.CommandLine;
using Assay.Cli;
using Assay.Cli.Commands;

var root = new RootCommand("Assay: evidence-based security assurance for telecom network equipment.\n" +
    "Unpacks a vendor delivery and evaluates it (SBOM, vulnerabilities, hardening, secrets, TS 33.117 configuration),\n" +
    "and checks an operator's network against a regulator's vendor policy.");

// One line per command, sorted by name (each command is one file under Commands/).
root.Subcommands.Add(DbCommand.Create());
root.Subcommands.Add(FormatsCommand.Create());
root.Subcommands.Add(NetworkCommand.Create());
root.Subcommands.Add(SbomCommand.Create());
root.Subcommands.Add(ScanCommand.Create());
root.Subcommands.Add(VulnsCommand.Create());

var parse = root.Parse(args);
if (parse.Errors.Count > 0)
{
    foreach (var error in parse.Errors)
        Console.Error.WriteLine($"assay: {error.Message}");
    Console.Error.WriteLine("Run 'assay --help' (or 'assay COMMAND --help') for the valid commands and options.");
    return ExitCodes.Usage;
}
try
{
    return parse.Invoke();
}
catch (Assay.Core.Extraction.ExtractionRefusedException e)
{
    Console.Error.WriteLine($"assay: {e.Message}");
    return ExitCodes.Usage;
}
catch (Exception e) when (e is not OperationCanceledException)
{
    Console.Error.WriteLine($"assay: internal error: {e}");
    Console.Error.WriteLine("This is a bug in Assay; please report it with the command line and, if you can, the input.");
    return ExitCodes.InternalError;
}
