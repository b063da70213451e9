namespace Assay.Server;

/// <summary>
/// What one <c>assay serve</c> process does. Team mode runs any number of <see cref="Web"/> and
/// <see cref="Worker"/> processes on any number of machines against one PostgreSQL and one shared
/// data folder; <see cref="All"/> is both in one process (the only role SQLite supports).
/// </summary>
public enum ServerRole
{
    /// <summary>Web UI, REST API and scan workers in one process (the default).</summary>
    All,

    /// <summary>Web UI and REST API; runs no stage (scans are dispatched to workers through Hangfire).</summary>
    Web,

    /// <summary>Runs dispatched scan stages; serves no UI or API, only <c>/healthz</c> and <c>/readyz</c>.</summary>
    Worker,
}

/// <summary>The role names of <c>--role</c>.</summary>
public static class ServerRoles
{
    /// <summary>Valid <c>--role</c> values, sorted.</summary>
    public static IReadOnlyList<string> Names { get; } = ["all", "web", "worker"];

    /// <summary>The role named <paramref name="name"/>, or null when it is none of <see cref="Names"/>.</summary>
    public static ServerRole? Parse(string name) => name switch
    {
        "all" => ServerRole.All,
        "web" => ServerRole.Web,
        "worker" => ServerRole.Worker,
        _ => null,
    };

    /// <summary>Whether this role runs scan stages.</summary>
    public static bool RunsStages(this ServerRole role) => role is ServerRole.All or ServerRole.Worker;

    /// <summary>Whether this role serves the UI and the API.</summary>
    public static bool ServesUi(this ServerRole role) => role is ServerRole.All or ServerRole.Web;
}
