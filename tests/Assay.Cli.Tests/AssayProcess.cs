using System.Diagnostics;

namespace Assay.Cli.Tests;

/// <summary>Runs the built <c>assay</c> command in its own process, as a user or a CI pipeline does.</summary>
internal static class AssayProcess
{
    /// <summary>Runs <c>assay ARGS</c>; the output is English with '.' decimals whatever the machine's locale.</summary>
    public static (int Code, string Out, string Err) Run(IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "assay.dll"));
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        psi.Environment["LC_ALL"] = "C.UTF-8";
        psi.Environment["LANG"] = "C.UTF-8";
        // the result cache of these runs stays with the tests, not in the user's cache folder
        psi.Environment["XDG_CACHE_HOME"] = Path.Combine(Path.GetTempPath(), "assay-cli-tests-cache");
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(180_000))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"assay {string.Join(' ', args)} did not finish in 180 s");
        }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }
}
