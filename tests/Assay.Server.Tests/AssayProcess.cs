using System.Diagnostics;
using System.Text;

namespace Assay.Server.Tests;

/// <summary>
/// A real <c>assay</c> process (the built assay.dll beside the tests): <c>assay serve</c> in a role,
/// or a one-shot command. Standard error is collected, so a test can read the address it serves and
/// the warnings it logged. Killed (SIGKILL) on dispose if still running.
/// </summary>
public sealed class AssayProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();
    private readonly TaskCompletionSource<Uri> _serving = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private AssayProcess(Process process) => _process = process;

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>What the process wrote so far (standard error and standard output, interleaved by line).</summary>
    public string Stderr
    {
        get
        {
            lock (_stderr)
                return _stderr.ToString();
        }
    }

    public static string Dll => Path.Combine(AppContext.BaseDirectory, "assay.dll");

    public static AssayProcess Start(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(Dll);
        foreach (var a in args)
            start.ArgumentList.Add(a);
        start.Environment["DOTNET_gcServer"] = "0";
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var self = new AssayProcess(process);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
                return;
            lock (self._stderr)
                self._stderr.AppendLine(e.Data);
            const string Serving = "assay: serving ";
            if (e.Data.StartsWith(Serving, StringComparison.Ordinal))
                self._serving.TrySetResult(new Uri(e.Data[Serving.Length..].Split(' ')[0]));
        };
        // Log lines (warnings such as a lost lease) go to standard output: kept with the rest.
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
                return;
            lock (self._stderr)
                self._stderr.AppendLine(e.Data);
        };
        process.Exited += (_, _) => self._serving.TrySetException(new InvalidOperationException($"assay {string.Join(' ', args)} exited with {process.ExitCode}: {self.Stderr}"));
        process.Start();
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        return self;
    }

    /// <summary>The address <c>assay serve</c> listens on, once it says so.</summary>
    public async Task<Uri> ServingAsync(TimeSpan timeout) => await _serving.Task.WaitAsync(timeout);

    /// <summary>Sends a signal (KILL, STOP, CONT) with kill(1).</summary>
    public async Task SignalAsync(string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        await kill.WaitForExitAsync();
        if (signal == "KILL")
            await _process.WaitForExitAsync();
    }

    /// <summary>Waits for a one-shot command to end; returns its exit code.</summary>
    public async Task<int> WaitAsync(TimeSpan timeout)
    {
        await _process.WaitForExitAsync().WaitAsync(timeout);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            await SignalAsync("CONT");
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
