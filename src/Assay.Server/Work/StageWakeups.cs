using System.Data;
using Hangfire.PostgreSql;
using Hangfire.Storage;
using Npgsql;

namespace Assay.Server.Work;

/// <summary>
/// Wakes a worker process's idle stage-job fetches when any process enqueues a stage job, so a
/// scan queued by a web process starts within milliseconds rather than at the next poll. One
/// connection per worker process listens on <see cref="Channel"/> for the life of the process;
/// every enqueue sends a NOTIFY inside Hangfire's own transaction (delivered when it commits,
/// never for one that rolls back), and the notification cancels the fetches waiting at that moment,
/// which then query again at once. Polling stays the fallback (while the listener reconnects, say).
/// </summary>
/// <remarks>
/// This replaces Hangfire.PostgreSql's long polling (<c>EnableLongPolling</c>), which opens a
/// listener connection per fetch and cancels its wait when the fetch ends (one connection opened
/// and closed per job; its issue #410 reports jobs left waiting when a listener is cut). Here one
/// listener lives as long as the process and reconnects when cut, and a wait is never cancelled:
/// it ends by its own timeout, so no fetch ever waits on a listener, and shutting down takes at
/// most one <see cref="Tick"/>.
/// /// </remarks>
internal sealed class StageWakeups(string connectionString, ILogger<StageWakeups> log) : BackgroundService
{
    /// <summary>The PostgreSQL notification channel (one per database).</summary>
    public const string Channel = "assay_stage_job";

    /// <summary>How long one wait for a notification lasts before the listener checks for shutdown.</summary>
    public static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);

    private readonly HashSet<CancellationTokenSource> _waiting = [];

    /// <summary>Notifications received since start (for tests and diagnostics).</summary>
    public long Received => Interlocked.Read(ref _received);

    private long _received;

    /// <summary>True while the listener is connected and listening.</summary>
    public bool Listening => _listening;

    private volatile bool _listening;

    /// <summary>Registers a waiting fetch: the next notification cancels <paramref name="fetch"/>; dispose to unregister.</summary>
    public Registration Waiting(CancellationTokenSource fetch)
    {
        lock (_waiting)
            _waiting.Add(fetch);
        return new Registration(this, fetch);
    }

    public readonly struct Registration(StageWakeups wakeups, CancellationTokenSource fetch) : IDisposable
    {
        public void Dispose()
        {
            lock (wakeups._waiting)
                wakeups._waiting.Remove(fetch);
        }
    }

    private void WakeAll()
    {
        CancellationTokenSource[] waiting;
        lock (_waiting)
        {
            waiting = [.. _waiting];
            _waiting.Clear();
        }
        foreach (var fetch in waiting)
        {
            try
            {
                fetch.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // that fetch ended meanwhile
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync(stoppingToken);
                connection.Notification += (_, _) =>
                {
                    Interlocked.Increment(ref _received);
                    WakeAll();
                };
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                _listening = true;
                WakeAll();   // a job enqueued while nobody listened
                while (!stoppingToken.IsCancellationRequested)
                    await connection.WaitAsync(Tick, CancellationToken.None);   // never cancelled: see the remarks
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or IOException or InvalidOperationException)
            {
                // The store is away (restarting, network): fetches poll meanwhile.
                log.LogWarning("stage wake-ups: listener lost ({Error}); workers poll until it is back", e.Message);
            }
            finally
            {
                _listening = false;
            }
            try
            {
                await Task.Delay(Tick, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}

/// <summary>
/// The queue provider of Assay's stage queues: Hangfire.PostgreSql's own queue, whose enqueue
/// also notifies <see cref="StageWakeups.Channel"/> and whose fetch a notification wakes.
/// </summary>
internal sealed class WakeableQueueProvider(IPersistentJobQueueProvider standard, StageWakeups? wakeups) : IPersistentJobQueueProvider
{
    public IPersistentJobQueue GetJobQueue() => new WakeableQueue(standard.GetJobQueue(), wakeups);

    public IPersistentJobQueueMonitoringApi GetJobQueueMonitoringApi() => standard.GetJobQueueMonitoringApi();

    private sealed class WakeableQueue(IPersistentJobQueue queue, StageWakeups? wakeups) : IPersistentJobQueue
    {
        public IFetchedJob Dequeue(string[] queues, CancellationToken cancellationToken)
        {
            if (wakeups is null)
                return queue.Dequeue(queues, cancellationToken);
            while (true)
            {
                // Hangfire.PostgreSql's fetch checks its token before every query and waits on it
                // between polls: a wake-up ends the wait, the fetch throws, and this one queries
                // again now. A job it fetched is returned before it looks at the token again.
                using var fetch = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                using var waiting = wakeups.Waiting(fetch);
                try
                {
                    return queue.Dequeue(queues, fetch.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    // woken
                }
            }
        }

        public void Enqueue(IDbConnection connection, string queueName, string jobId)
        {
            queue.Enqueue(connection, queueName, jobId);
            using var notify = connection.CreateCommand();
            notify.CommandText = $"NOTIFY {StageWakeups.Channel}";
            notify.ExecuteNonQuery();
        }
    }
}
