namespace Assay.Vulnerabilities.Update;

/// <summary>
/// A rolling-window limit: at most <c>count</c> requests in any <c>window</c> (NVD: 5 per 30 s
/// without an API key, 50 with one; https://nvd.nist.gov/developers/start-here, "Rate Limits").
/// </summary>
internal sealed class RequestRateLimiter(int count, TimeSpan window, Func<DateTimeOffset> now, Func<TimeSpan, CancellationToken, Task> delay)
{
    private readonly Queue<DateTimeOffset> _sent = new();

    /// <summary>Waits until one more request fits in the window, then counts it.</summary>
    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var t = now();
            while (_sent.Count > 0 && t - _sent.Peek() >= window)
                _sent.Dequeue();
            if (_sent.Count < count)
            {
                _sent.Enqueue(t);
                return;
            }
            var wait = window - (t - _sent.Peek());
            await delay(wait > TimeSpan.Zero ? wait : TimeSpan.FromMilliseconds(1), cancellationToken).ConfigureAwait(false);
            // A clock that does not move while we wait (a test's) must not loop forever.
            if (now() == t)
                _sent.Dequeue();
        }
    }
}
