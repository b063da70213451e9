using System.CommandLine;
using Assay.Store;
using Assay.Store.Access;

namespace Assay.Cli.Commands;

/// <summary><c>assay admin bootstrap</c>: the first system administrator key of a lab (no default passwords or keys exist).</summary>
internal static class AdminCommand
{
    public static Command Create()
    {
        var command = new Command("admin", ServiceCommands.AdminDescription);
        command.Subcommands.Add(CreateBootstrap());
        return command;
    }

    private static Command CreateBootstrap()
    {
        var data = ServeCommand.DataOption();
        var db = ServeCommand.DatabaseOption();
        var name = CliOptions.Text("--name", "Who the key is for (shown in the audit log; default 'first admin').");
        var additional = CliOptions.Flag("--additional", "Create a key although a system administrator exists already (e.g. the first key was lost).");
        var command = new Command("bootstrap", "Create the store if needed and a system administrator API key, printed once:\n" +
            "the key is the last word of the last line of standard output. Only its SHA-256 is stored.\n" +
            "Exit codes: 0 created, 2 a system administrator exists (use --additional), 3 the store cannot be opened.")
        { data, db, name, additional };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var dataDirectory = Path.GetFullPath(parse.GetValue(data)!);
            AssayStore store;
            try
            {
                store = await AssayStore.OpenAsync(dataDirectory, parse.GetValue(db), cancellationToken);
            }
            catch (Exception e) when (e is System.Data.Common.DbException or IOException or UnauthorizedAccessException or InvalidOperationException or ArgumentException)
            {
                Console.Error.WriteLine($"assay: cannot open the store in {dataDirectory}: {e.Message}");
                return ExitCodes.InputUnreadable;
            }
            await using (store)
            {
                if (await store.Keys.CountSystemAdminsAsync(cancellationToken) > 0 && !parse.GetValue(additional))
                {
                    Console.Error.WriteLine($"assay: {store.Database.Description} has a system administrator already; use its key, or pass --additional to create another");
                    return ExitCodes.Usage;
                }
                var (row, key) = await store.Keys.CreateAsync(null, null, Role.Admin, parse.GetValue(name) ?? "first admin", "assay admin bootstrap", cancellationToken);
                await store.Audit.AppendAsync(new Store.Data.AuditRow { Actor = "assay admin bootstrap", Action = "bootstrap", Target = $"api-key {row.Id}", Status = 201, At = Clock.Now() }, cancellationToken);
                Console.Error.WriteLine($"assay: store {store.Database.Description}; created system administrator key {row.Id} ({Store.Data.ApiKeyStore.KeyStart}{row.Prefix}_…).");
                Console.Error.WriteLine("assay: the key is shown once, below; keep it in a password manager (only its hash is stored).");
                Console.WriteLine($"API key: {key}");
                return ExitCodes.Ok;
            }
        });
        return command;
    }
}
