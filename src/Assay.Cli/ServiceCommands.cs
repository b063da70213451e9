using System.CommandLine;
using System.Runtime.InteropServices;

namespace Assay.Cli;

/// <summary>
/// The commands that run the lab service and its store (<c>serve</c>, <c>admin</c>) and how the
/// native build reaches them. <c>./assay</c> publishes the command with Native AOT (start-up
/// 0.19 → 0.02 s of CPU, a root filesystem scan 0.76 → 0.39 s: bench/scan/README.md). ASP.NET Core's Razor pages,
/// Hangfire and Dapper generate code at run time, which Native AOT cannot do, so the native build
/// leaves the service out and hands these two commands, arguments unchanged, to the full build
/// published beside it (<c>service/assay</c>; <c>./assay</c> makes it on the first <c>serve</c> or
/// <c>admin</c>), which replaces the process (<c>execv</c>): signals,
/// exit code and standard streams are the service's own.
/// </summary>
internal static partial class ServiceCommands
{
    public const string ServeDescription = "Start the lab service: web UI, REST API (/api/v1, OpenAPI at /openapi/v1.json) and scan workers.\n" +
        "Several machines: run '--role web' and '--role worker' processes with the same --db (PostgreSQL) and a shared --data folder.\n" +
        "Create the first administrator key first: 'assay admin bootstrap --data DIR'. Stop with Ctrl+C.\n" +
        "Exit codes: 0 stopped, 2 usage error (bad option, address in use), 3 the store cannot be opened.";

    public const string AdminDescription = "Administer a lab's store directly (without the service).";

    /// <summary>The folder beside the native executable that holds the full build.</summary>
    public const string CompanionFolder = "service";

    /// <summary>True when <paramref name="args"/> name a command of the service.</summary>
    public static bool IsServiceCommand(string[] args) => args.Length > 0 && args[0] is "serve" or "admin";

    /// <summary>Replaces this process with the full build's, on the same arguments; returns only when that cannot be done.</summary>
    public static int HandOver(string[] args)
    {
        var companion = Path.Combine(AppContext.BaseDirectory, CompanionFolder, "assay");
        if (!File.Exists(companion))
        {
            Console.Error.WriteLine($"assay: '{args[0]}' runs in the full build at {companion}, which is missing; run ./assay {args[0]} from the source checkout, which publishes it on first use");
            return ExitCodes.Usage;
        }
        var argv = new string?[args.Length + 2];
        argv[0] = companion;
        args.CopyTo(argv, 1);
        Console.Out.Flush();
        Console.Error.Flush();
        Exec(companion, argv);
        Console.Error.WriteLine($"assay: cannot start the full build at {companion} (errno {Marshal.GetLastPInvokeError()}); run ./assay from the source checkout once more to publish it");
        return ExitCodes.InternalError;
    }

    [LibraryImport("libc", EntryPoint = "execv", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Exec(string path, string?[] argv);
}
