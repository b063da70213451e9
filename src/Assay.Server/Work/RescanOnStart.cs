namespace Assay.Server.Work;

/// <summary>
/// Checks the vulnerability database once when a web process starts (after <c>assay db update</c>
/// and a restart, stored evaluations are re-matched without anyone asking). The admin call
/// <c>POST /api/v1/admin/vulndb/rescan</c> does the same while the service runs.
/// </summary>
internal sealed class RescanOnStart(RescanPlanner planner, ILogger<RescanOnStart> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        try
        {
            await planner.PlanAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is IOException or InvalidDataException or System.Data.Common.DbException or TimeoutException)
        {
            log.LogWarning(e, "re-scan check at start-up failed; run POST /api/v1/admin/vulndb/rescan once the database is readable");
        }
    }
}
