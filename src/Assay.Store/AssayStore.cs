using Assay.Store.Blobs;
using Assay.Store.Data;
using Assay.Store.Migrations;

namespace Assay.Store;

/// <summary>
/// The store of one lab: the database (SQLite under the data folder, or PostgreSQL) and the blob
/// folder, with one accessor per table group. Opening migrates the schema to the newest version.
/// </summary>
public sealed class AssayStore : IAsyncDisposable
{
    private AssayStore(AssayDatabase database, IBlobStore blobs, string dataDirectory)
    {
        Database = database;
        Blobs = blobs;
        DataDirectory = dataDirectory;
        Tenants = new TenantStore(database);
        Keys = new ApiKeyStore(database);
        Projects = new ProjectStore(database);
        Releases = new ReleaseStore(database);
        Uploads = new UploadStore(database);
        Scans = new ScanStore(database);
        DispatchGate = new DispatchGate(database);
        Evaluations = new EvaluationStore(database);
        Triage = new TriageStore(database);
        Audit = new AuditStore(database);
        Idempotency = new IdempotencyStore(database);
        Search = new SearchStore(database);
        BlobIndex = new BlobIndex(database);
    }

    public AssayDatabase Database { get; }
    public IBlobStore Blobs { get; }
    public string DataDirectory { get; }
    public TenantStore Tenants { get; }
    public ApiKeyStore Keys { get; }
    public ProjectStore Projects { get; }
    public ReleaseStore Releases { get; }
    public UploadStore Uploads { get; }
    public ScanStore Scans { get; }

    /// <summary>Holds queued scans and releases them to the job engine fairly across tenants (scale-out).</summary>
    public DispatchGate DispatchGate { get; }

    public EvaluationStore Evaluations { get; }
    public TriageStore Triage { get; }
    public AuditStore Audit { get; }
    public IdempotencyStore Idempotency { get; }
    public SearchStore Search { get; }
    public BlobIndex BlobIndex { get; }

    /// <summary>
    /// Opens (and migrates) the store of <paramref name="dataDirectory"/>: SQLite in <c>assay.db</c>
    /// there unless <paramref name="postgres"/> names a PostgreSQL database; blobs in <c>blobs/</c>.
    /// </summary>
    public static async Task<AssayStore> OpenAsync(string dataDirectory, string? postgres = null, CancellationToken cancellationToken = default)
    {
        var data = Path.GetFullPath(dataDirectory);
        Directory.CreateDirectory(data);
        var database = postgres is null ? AssayDatabase.OpenSqlite(Path.Combine(data, "assay.db")) : AssayDatabase.OpenPostgres(postgres);
        try
        {
            await Migrator.MigrateAsync(database, cancellationToken);
        }
        catch
        {
            await database.DisposeAsync();
            throw;
        }
        return new AssayStore(database, new FileBlobStore(Path.Combine(data, "blobs")), data);
    }

    public ValueTask DisposeAsync() => Database.DisposeAsync();
}
