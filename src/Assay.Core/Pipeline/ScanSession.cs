using System.Collections.Concurrent;
using Assay.Core.Content;
using Assay.Core.Formats;

namespace Assay.Core.Pipeline;

/// <summary>
/// The state of one scan, shared by its stages: the options, the limits and the budget they are
/// checked against, the progress counters, the private scratch folder, the cancellation, and what
/// the caller should tell the user that is not part of the evaluation. A session serves one input;
/// the stages take it as their first argument, so a CLI, a server job or a test runs them the same
/// way. Dispose it to delete the scratch folder.
/// </summary>
public sealed class ScanSession : IDisposable
{
    private readonly ConcurrentQueue<string> _notices = new();
    private ScanBudget? _budget;

    public ScanSession(ScanOptions options, CancellationToken cancellationToken = default)
        : this(options, new ScanProgress(), cancellationToken)
    {
    }

    /// <param name="progress">Counters the caller watches (created before the session, so a display can start first).</param>
    public ScanSession(ScanOptions options, ScanProgress progress, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(progress);
        Options = options;
        Progress = progress;
        CancellationToken = cancellationToken;
        ScratchDirectory = Path.Combine(options.ScratchDirectory ?? Path.GetTempPath(), $"assay-{Environment.ProcessId}-{Guid.NewGuid():N}");
        MemoryBudget = new MemoryBudget(options.Limits.MemorySpoolBudgetBytes);
        Spooler = new Spooler(options.Limits, ScratchDirectory, MemoryBudget);
    }

    public ScanOptions Options { get; }
    public HandlerRegistry Handlers => Options.Handlers;
    public ScanLimits Limits => Options.Limits;
    public CancellationToken CancellationToken { get; }
    public ScanProgress Progress { get; }

    /// <summary>Private folder for spooled content, created on first use and deleted with the session.</summary>
    public string ScratchDirectory { get; }

    internal Spooler Spooler { get; }

    /// <summary>The in-memory spool budget shared by the scan's workers (<see cref="ScanLimits.MemorySpoolBudgetBytes"/>).</summary>
    public MemoryBudget MemoryBudget { get; }

    /// <summary>The byte and file budget of the input; set by the first stage that opens the input.</summary>
    public ScanBudget Budget => _budget ?? throw new InvalidOperationException("the budget is set when the input is opened (IdentifyStage or UnpackStage)");

    /// <summary>Messages for the user that are not part of the evaluation (no vulnerability database, cache damaged and rebuilt, ...).</summary>
    public IReadOnlyCollection<string> Notices => _notices;

    /// <summary>Adds a notice (thread-safe).</summary>
    public void Notice(string message) => _notices.Enqueue(message);

    internal void StartBudget(long inputSize) => Interlocked.CompareExchange(ref _budget, new ScanBudget(Limits, inputSize), null);

    public void Dispose()
    {
        try
        {
            if (Directory.Exists(ScratchDirectory))
                Directory.Delete(ScratchDirectory, recursive: true);
        }
        catch (IOException)
        {
            // best effort: scratch files are private and already closed
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
