namespace Assay.Server.Tests;

/// <summary>
/// One server per test class with two tenants set up through the API: A with a scanned release, B
/// with a scanned release too (so that "another tenant's object" exists and would answer).
/// </summary>
public abstract class LabWorld : IAsyncLifetime
{
    public LabServer Server { get; private set; } = null!;
    public TenantWorld A { get; private set; } = null!;
    public TenantWorld B { get; private set; } = null!;

    protected abstract Task<string?> DatabaseAsync();

    public async Task InitializeAsync()
    {
        Server = await LabServer.StartAsync(await DatabaseAsync());
        A = await TenantWorlds.CreateAsync(Server, "Operator A");
        B = await TenantWorlds.CreateAsync(Server, "Operator B");
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

public sealed class SqliteWorld : LabWorld
{
    protected override Task<string?> DatabaseAsync() => Task.FromResult<string?>(null);
}

public sealed class PostgresWorld : LabWorld
{
    protected override async Task<string?> DatabaseAsync() => await (await PostgresCluster.SharedAsync()).CreateDatabaseAsync();
}
