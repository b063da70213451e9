using Assay.Server.Security;
using Assay.Store;
using Hangfire;
using Hangfire.AspNetCore;
using Hangfire.Dashboard;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;

namespace Assay.Server.Work;

/// <summary>
/// Hangfire on the store's PostgreSQL (schema <c>hangfire</c> beside Assay's tables; PostgreSQL is
/// the only coordination service). Settings from the scale-out design
/// (research/anchors-service.md §8.5): sliding invisibility so a long stage is never delivered
/// twice while its worker lives, and a dead worker's job comes back after one lease; Hangfire's
/// global 10-attempt retry replaced per job. An enqueue wakes the idle workers of every process
/// through LISTEN/NOTIFY (<see cref="StageWakeups"/>), with polling as the fallback.
/// </summary>
internal static class HangfireSetup
{
    /// <summary>
    /// How long a stopping worker waits for its stage jobs to see the cancellation and hand their
    /// scans on (the generic host itself allows 30 s for the whole shutdown).
    /// </summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(25);

    public const string Schema = "hangfire";

    /// <summary>The dashboard's path, for system administrators only.</summary>
    public const string DashboardPath = "/admin/jobs";

    public static void AddHangfireDispatch(this IServiceCollection services, ServerOptions options, string connectionString)
    {
        // This host's own storage and job activator, registered before AddHangfire (which only adds
        // what is missing). AddHangfire's defaults are process-wide statics (JobStorage.Current,
        // JobActivator.Current): with two hosts in one process, as the test suites start them, the
        // second one's database and container were used by the first one's server and client too,
        // so its scans went to the other database's queue and stayed queued.
        var storageOptions = new PostgreSqlStorageOptions
        {
            SchemaName = Schema,
            PrepareSchemaIfNecessary = true,
            UseSlidingInvisibilityTimeout = true,
            InvisibilityTimeout = options.Lease,
            QueuePollInterval = options.PollInterval,
            DistributedLockTimeout = TimeSpan.FromMinutes(1),
            // Not Hangfire.PostgreSql's long polling (a listener per fetch): StageWakeups instead.
            EnableLongPolling = false,
        };
        services.AddSingleton<JobStorage>(sp =>
        {
            var storage = new PostgreSqlStorage(new NpgsqlConnectionFactory(connectionString, storageOptions), storageOptions);
            storage.QueueProviders.Add(new WakeableQueueProvider(storage.QueueProviders.GetProvider(ScanQueues.All[0]), sp.GetService<StageWakeups>()), ScanQueues.All);
            return storage;
        });
        services.AddSingleton<JobActivator>(sp => new AspNetCoreJobActivator(sp.GetRequiredService<IServiceScopeFactory>()));
        services.AddHangfire((sp, c) => c
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UseLogProvider(new HostLogs(sp.GetRequiredService<ILoggerFactory>())));
        services.AddSingleton<HangfireDispatcher>();
        services.AddSingleton<IScanDispatcher>(sp => sp.GetRequiredService<HangfireDispatcher>());
        services.AddTransient(sp => new StageJob(sp.GetRequiredService<AssayStore>(), options, sp.GetRequiredService<ScanExecutor>(),
            sp.GetRequiredService<HangfireDispatcher>(), sp.GetRequiredService<ILogger<StageJob>>()));
        if (options.Role.RunsStages() && options.Workers > 0)
        {
            services.AddSingleton(sp => new StageWakeups(connectionString, sp.GetRequiredService<ILogger<StageWakeups>>()));
            services.AddHostedService(sp => sp.GetRequiredService<StageWakeups>());
            services.AddHangfireServer((sp, o) =>
            {
                o.ServerName = $"{Environment.MachineName}/{Environment.ProcessId}";
                o.Queues = [.. ScanQueues.All];
                o.WorkerCount = options.Workers;
                // Retries (scheduled jobs) are due in seconds; the default 15 s poll would add to each.
                o.SchedulePollingInterval = options.PollInterval;
                o.ShutdownTimeout = ShutdownTimeout;
                o.Activator = sp.GetRequiredService<JobActivator>();
            });
            services.AddHostedService<StaleScanSweeper>();
        }
    }

    /// <summary>
    /// Hangfire's log provider is process-wide (the last host built sets it), and Hangfire asks it
    /// for a logger whenever it makes a component, a fetched job among them. AddHangfire's own
    /// provider throws once its host's logger factory is disposed: with hosts built and disposed
    /// in one process (the test suites), every job fetch of the hosts still running then threw
    /// after the job was marked fetched, so their scans stayed queued for minutes (the red CI of
    /// 2026-12-07). These loggers fall silent instead when their host is gone.
    /// </summary>
    internal sealed class HostLogs(ILoggerFactory factory) : Hangfire.Logging.ILogProvider
    {
        public Hangfire.Logging.ILog GetLogger(string name) => new HostLog(factory, name);

        private sealed class HostLog(ILoggerFactory factory, string name) : Hangfire.Logging.ILog
        {
            private ILogger? _logger;

            public bool Log(Hangfire.Logging.LogLevel logLevel, Func<string>? messageFunc, Exception? exception = null)
            {
                try
                {
                    var logger = _logger ??= factory.CreateLogger(name);
                    var level = logLevel switch
                    {
                        Hangfire.Logging.LogLevel.Trace => LogLevel.Trace,
                        Hangfire.Logging.LogLevel.Debug => LogLevel.Debug,
                        Hangfire.Logging.LogLevel.Info => LogLevel.Information,
                        Hangfire.Logging.LogLevel.Warn => LogLevel.Warning,
                        Hangfire.Logging.LogLevel.Error => LogLevel.Error,
                        Hangfire.Logging.LogLevel.Fatal => LogLevel.Critical,
                        _ => LogLevel.None,
                    };
                    if (messageFunc is null)
                        return logger.IsEnabled(level);   // Hangfire asks whether a level is on
                    logger.Log(level, 0, messageFunc(), exception, static (message, _) => message);
                    return true;
                }
                catch (ObjectDisposedException)
                {
                    return false;   // the host that made this logger is gone
                }
            }
        }
    }

    /// <summary>The Hangfire dashboard (queue depth, running stage jobs, retries) at <see cref="DashboardPath"/>, read-only, system administrators only.</summary>
    public static void MapDashboard(WebApplication app) =>
        app.UseHangfireDashboard(DashboardPath, new DashboardOptions
        {
            Authorization = [new SystemAdminOnly()],
            // Assay's rows are the truth: requeueing or deleting a job from the dashboard would bypass the fence bookkeeping.
            IsReadOnlyFunc = _ => true,
            DisplayStorageConnectionString = false,
            AppPath = "/admin",
            DashboardTitle = "Assay jobs",
        });

    /// <summary>Lets only a system administrator (key or session) see the dashboard; everyone else gets 401/403.</summary>
    private sealed class SystemAdminOnly : IDashboardAuthorizationFilter
    {
        public bool Authorize(DashboardContext context) => context.GetHttpContext().Caller() is { IsSystemAdmin: true };
    }
}
