using Assay.Server.Work;
using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Hangfire.States;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Assay.Server.Tests;

/// <summary>
/// A stage job enqueued by another process wakes an idle worker's fetch at once, though the fetch
/// polls only every minute: the job's queue row and the NOTIFY are written here with plain SQL on
/// another connection, as another process writes them (an enqueue in this process would also set
/// Hangfire.PostgreSql's in-process event, which is not what is tested). Without the wake-ups the
/// same fetch is still waiting seconds later.
/// </summary>
public sealed class StageWakeupsTests
{
    [Fact]
    public async Task JobEnqueuedElsewhere_WakesAnIdleFetch_WhichOtherwiseWaitsForItsPoll()
    {
        var database = await (await PostgresCluster.SharedAsync()).CreateDatabaseAsync();
        var options = new PostgreSqlStorageOptions { SchemaName = HangfireSetup.Schema, PrepareSchemaIfNecessary = true, QueuePollInterval = TimeSpan.FromMinutes(1) };
        var storage = new PostgreSqlStorage(new NpgsqlConnectionFactory(database, options), options);
        var standard = storage.QueueProviders.GetProvider(ScanQueues.Interactive);
        // A queue of this test alone: Hangfire.PostgreSql's in-process event is per queue name, and
        // other test classes enqueue to the stage queues of their own databases meanwhile.
        var queue = $"z-wakeup-{Guid.NewGuid():N}";
        using var wakeups = new StageWakeups(database, NullLogger<StageWakeups>.Instance);
        await wakeups.StartAsync(CancellationToken.None);
        try
        {
            for (var i = 0; i < 100 && !wakeups.Listening; i++)
                await Task.Delay(100);
            Assert.True(wakeups.Listening);
            var client = new BackgroundJobClient(storage);

            // Woken: the fetch returns the job soon after the NOTIFY.
            var woken = new WakeableQueueProvider(standard, wakeups).GetJobQueue();
            var job = client.Create(() => Console.WriteLine("stage"), new ScheduledState(TimeSpan.FromDays(1)));
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(50));
            var fetch = Task.Run(() => woken.Dequeue([queue], stop.Token));
            await Task.Delay(500);   // the fetch found nothing and waits for its poll
            Assert.False(fetch.IsCompleted);
            await EnqueueElsewhereAsync(database, queue, job);
            var fetched = await fetch.WaitAsync(TimeSpan.FromSeconds(15));
            Assert.Equal(job, fetched.JobId);
            fetched.RemoveFromQueue();
            fetched.Dispose();
            Assert.True(wakeups.Received > 0);

            // Not woken: the standard fetch of the same queue sleeps through the NOTIFY.
            var asleep = standard.GetJobQueue();
            var second = client.Create(() => Console.WriteLine("stage"), new ScheduledState(TimeSpan.FromDays(1)));
            using var stop2 = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            var slow = Task.Run(() => asleep.Dequeue([queue], stop2.Token));
            await Task.Delay(500);
            await EnqueueElsewhereAsync(database, queue, second);
            await Task.Delay(TimeSpan.FromSeconds(3));
            Assert.False(slow.IsCompleted, "the standard fetch woke without the wake-ups: this test would not see them missing");
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => slow);
        }
        finally
        {
            await wakeups.StopAsync(CancellationToken.None);
        }
    }

    /// <summary>What another process's enqueue writes: the queue row, then the notification, committed together.</summary>
    private static async Task EnqueueElsewhereAsync(string database, string queue, string jobId)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var insert = new NpgsqlCommand($"INSERT INTO {HangfireSetup.Schema}.jobqueue (jobid, queue) VALUES (@job, @queue)", connection, transaction))
        {
            insert.Parameters.AddWithValue("job", long.Parse(jobId, System.Globalization.CultureInfo.InvariantCulture));
            insert.Parameters.AddWithValue("queue", queue);
            await insert.ExecuteNonQueryAsync();
        }
        await using (var notify = new NpgsqlCommand($"NOTIFY {StageWakeups.Channel}", connection, transaction))
            await notify.ExecuteNonQueryAsync();
        await transaction.CommitAsync();
    }
}
