using System.CommandLine;
using Assay.Cli.Commands;

namespace Assay.Cli;

/// <summary>The <c>assay</c> command line: the command tree and how a run maps to an exit code.</summary>
internal static class AssayCommand
{
    /// <summary>The root command with every subcommand, one line per command, sorted by name (each command is one file under Commands/).</summary>
    public static RootCommand Create()
    {
        var root = new RootCommand("Assay: evidence-based security assurance for telecom network equipment.\n" +
            "Unpacks a vendor delivery and evaluates it (SBOM, vulnerabilities, hardening, secrets, TS 33.117 configuration),\n" +
            "and checks an operator's network against a regulator's vendor policy.\n" +
            "Exit codes: 0 done, 1 findings/violations at or over the threshold, 2 usage error, 3 input unreadable,\n" +
            "4 internal error, 5 done but the input was not completely understood (see README.md).");
#if ASSAY_NATIVE
        Command admin = new("admin", ServiceCommands.AdminDescription), serve = new("serve", ServiceCommands.ServeDescription);
#else
        Command admin = AdminCommand.Create(), serve = ServeCommand.Create();
#endif
        root.Subcommands.Add(admin);
        root.Subcommands.Add(DbCommand.Create());
        root.Subcommands.Add(DiffCommand.Create());
        root.Subcommands.Add(FormatsCommand.Create());
        root.Subcommands.Add(NetworkCommand.Create());
        root.Subcommands.Add(SbomCommand.Create());
        root.Subcommands.Add(ScanCommand.Create());
        root.Subcommands.Add(serve);
        root.Subcommands.Add(VerifyBuildCommand.Create());
        root.Subcommands.Add(VulnsCommand.Create());
        return root;
    }

    /// <summary>Parses and runs <paramref name="args"/>: usage errors exit 2 before any work, a bug exits 4 with a message.</summary>
    public static int Run(string[] args)
    {
#if ASSAY_NATIVE
        if (ServiceCommands.IsServiceCommand(args))
            return ServiceCommands.HandOver(args);
#endif
        var parse = Create().Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var message in parse.Errors.Select(e => e.Message).Distinct(StringComparer.Ordinal))
                Console.Error.WriteLine($"assay: {message}");
            Console.Error.WriteLine("Run 'assay --help' (or 'assay COMMAND --help') for the valid commands and options.");
            return ExitCodes.Usage;
        }
        try
        {
            // Exceptions reach the handlers below: System.CommandLine's own handler would exit 1, which means "findings".
            return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Core.Extraction.ExtractionRefusedException e)
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
        finally
        {
            if (MemoryReport.Enabled)
                MemoryReport.Write(Console.Error);
        }
    }
}
