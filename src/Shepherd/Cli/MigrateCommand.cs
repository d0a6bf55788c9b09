using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Shepherd.Operations.Migrations;

namespace Shepherd.Cli;

/// <summary>`shepherd migrate status|up`: shows and applies schema migrations on either provider.</summary>
public sealed class MigrateCommand : Command
{
    public MigrateCommand() : base("migrate", "Show or apply database schema migrations.")
    {
        var status = new Command("status", "List applied and pending migrations.");
        status.SetAction((_, ct) => CliHost.RunAsync(sp => StatusAsync(sp, ct), ensureSchema: false));
        Subcommands.Add(status);

        var up = new Command("up", "Apply pending migrations (SQLite: after a backup, restored if a migration fails).");
        up.SetAction((_, ct) => CliHost.RunAsync(sp => UpAsync(sp, ct), ensureSchema: false));
        Subcommands.Add(up);
    }

    private static async Task<int> StatusAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var status = await services.GetRequiredService<SchemaMigrator>().GetStatusAsync(cancellationToken);
        Console.WriteLine($"Provider: {status.Provider}   Database: {status.Location}");
        foreach (var migration in status.Applied)
        {
            Console.WriteLine($"  applied  {migration}");
        }
        foreach (var migration in status.Pending)
        {
            Console.WriteLine($"  pending  {migration}");
        }
        Console.WriteLine(status.Pending.Count == 0
            ? $"Up to date: {status.Applied.Count} migrations applied."
            : $"{status.Pending.Count} pending migration(s). Run `shepherd migrate up` to apply them.");
        return 0;
    }

    private static async Task<int> UpAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var migrator = services.GetRequiredService<SchemaMigrator>();
        var result = await migrator.ApplyAsync(cancellationToken);
        if (result.Applied.Count == 0)
        {
            Console.WriteLine("Nothing to apply: the database is up to date.");
            return 0;
        }
        if (result.BackupFile is not null)
        {
            Console.WriteLine($"Backup taken before migrating: {result.BackupFile}");
        }
        foreach (var migration in result.Applied)
        {
            Console.WriteLine($"  applied  {migration}");
        }
        Console.WriteLine($"Applied {result.Applied.Count} migration(s) in {result.Duration.TotalSeconds:F1}s.");
        return 0;
    }
}
