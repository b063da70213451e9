namespace Assay.Store.Access;

/// <summary>Actions an endpoint can require; <see cref="RolePermissions"/> says which role holds which.</summary>
public enum Permission
{
    /// <summary>Projects, releases, scans, evaluations, findings, triage decisions, search.</summary>
    Read,

    /// <summary>SBOM, SARIF, HTML report, release comparison.</summary>
    Export,

    /// <summary>The audit log and the triage trail.</summary>
    ReadAudit,

    /// <summary>Create a project in the tenant.</summary>
    CreateProject,

    /// <summary>Create releases, upload deliveries, start and cancel scans.</summary>
    Upload,

    /// <summary>Set a triage decision.</summary>
    Triage,

    /// <summary>Approve a suppression of a high or critical finding proposed by someone else.</summary>
    Approve,

    /// <summary>Create and revoke keys, read users.</summary>
    ManageKeys,
}

/// <summary>The role table: one row per role, checked by a test against the documented matrix.</summary>
public static class RolePermissions
{
    private static readonly Dictionary<Role, Permission[]> Table = new()
    {
        [Role.Viewer] = [Permission.Read],
        [Role.Auditor] = [Permission.Read, Permission.Export, Permission.ReadAudit],
        [Role.Uploader] = [Permission.Read, Permission.Upload],
        [Role.Analyst] = [Permission.Read, Permission.Export, Permission.Triage],
        [Role.Lead] = [Permission.Read, Permission.Export, Permission.Triage, Permission.Approve, Permission.CreateProject, Permission.Upload],
        [Role.Admin] = [Permission.Read, Permission.Export, Permission.ReadAudit, Permission.CreateProject, Permission.Upload, Permission.Triage, Permission.Approve, Permission.ManageKeys],
    };

    public static bool Has(Role role, Permission permission) => Table[role].Contains(permission);

    public static IReadOnlyList<Permission> Of(Role role) => Table[role];
}
