using System.Threading.Channels;

namespace Assay.Server.Work;

/// <summary>Wakes the in-process workers when a scan is queued; they claim it from the store.</summary>
internal sealed class InProcessDispatcher : IScanDispatcher
{
    private readonly Channel<string> _signals = Channel.CreateBounded<string>(new BoundedChannelOptions(1024) { FullMode = BoundedChannelFullMode.DropOldest });

    public ValueTask DispatchAsync(string scanId, CancellationToken cancellationToken = default)
    {
        _signals.Writer.TryWrite(scanId);
        return ValueTask.CompletedTask;
    }

    public async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(timeout);
        try
        {
            await _signals.Reader.ReadAsync(timer.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
        }
    }
}
