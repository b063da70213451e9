using Assay.Server.Work;

namespace Assay.Server.Tests;

/// <summary>
/// Hangfire.PostgreSql fetches among a server's queues by queue name, so the queue names must sort
/// in priority order: a started scan's later stages, then interactive first stages, then bulk ones.
/// </summary>
public sealed class ScanQueuesTests
{
    [Fact]
    public void Queues_SortByNameInPriorityOrder()
    {
        Assert.Equal([ScanQueues.Continue, ScanQueues.Interactive, ScanQueues.Bulk], ScanQueues.All);
        Assert.Equal(ScanQueues.All.Order(StringComparer.Ordinal), ScanQueues.All);
        Assert.All(ScanQueues.All, q => Assert.Matches("^[a-z0-9_-]+$", q));   // Hangfire's rule for queue names
    }

    [Fact]
    public void For_FirstStageByPriority_LaterStagesContinue()
    {
        Assert.Equal(ScanQueues.Interactive, ScanQueues.For(ScanQueues.InteractivePriority, "unpack", "unpack"));
        Assert.Equal(ScanQueues.Bulk, ScanQueues.For(ScanQueues.BulkPriority, "unpack", "unpack"));
        Assert.Equal(ScanQueues.Continue, ScanQueues.For(ScanQueues.BulkPriority, "report", "unpack"));
        Assert.Equal(ScanQueues.Continue, ScanQueues.For(ScanQueues.InteractivePriority, "report", "unpack"));
    }
}
