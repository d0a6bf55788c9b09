using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Shepherd.Operations.Migrations;

namespace Shepherd.Cli;

/// <summary>`shepherd migrate status|up|down|verify|script`: shows, applies, takes back, checks and scripts schema migrations on either provider.</summary>
public sealed class MigrateCommand : Command
{
    public MigrateCommand() : base("migrate", "Show, apply, take back, verify or script database schema migrations.")
    {
        var status = new Command("status", "List applied and pending migrations with when, by which version and checksum.");
        status.SetAction((_, ct) => CliHost.RunAsync(sp => StatusAsync(sp, ct), ensureSchema: false));
        Subcommands.Add(status);

        Subcommands.Add(UpCommand());
        Subcommands.Add(DownCommand());

        var verify = new Command("verify", "Check that every applied migration is in this build, unchanged (by checksum).");
        verify.SetAction((_, ct) => CliHost.RunAsync(sp => VerifyAsync(sp, ct), ensureSchema: false));
        Subcommands.Add(verify);

        Subcommands.Add(ScriptCommand());
    }

    private static Command UpCommand()
    {
        var to = new Option<string?>("--to") { Description = "Stop after this migration (id or name); default: apply all pending." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Print the pending migrations and their SQL; change nothing." };
        var up = new Command("up",
            "Apply pending migrations, after a backup. If one fails nothing is changed (PostgreSQL: one transaction; SQLite: the backup is put back).")
        { to, dryRun };
        up.SetAction((parse, ct) => CliHost.RunAsync(
            sp => parse.GetValue(dryRun) ? DryRunAsync(sp, parse.GetValue(to), ct) : UpAsync(sp, parse.GetValue(to), ct), ensureSchema: false));
        return up;
    }

    private static Command DownCommand()
    {
        var to = new Option<string>("--to")
        {
            Description = "Take back every migration after this one (id or name; 0 for an empty database).",
            Required = true,
        };
        var yes = new Option<bool>("--yes") { Description = "Do not ask for confirmation (required when input is not a terminal)." };
        var allowDataLoss = new Option<bool>("--allow-data-loss") { Description = "Go ahead even when a step drops tables or columns that hold data." };
        var down = new Command("down", "Take back applied migrations down to --to, after a backup. Refuses to lose data unless --allow-data-loss.")
        { to, yes, allowDataLoss };
        down.SetAction((parse, ct) => CliHost.RunAsync(
            sp => DownAsync(sp, parse.GetValue(to)!, parse.GetValue(yes), parse.GetValue(allowDataLoss), ct), ensureSchema: false));
        return down;
    }

    private static Command ScriptCommand()
    {
        var from = new Option<string>("--from") { Description = "Start after this migration (id or name), or 0 for an empty database.", DefaultValueFactory = _ => "0" };
        var to = new Option<string?>("--to") { Description = "End with this migration (id or name); default: the last one." };
        var script = new Command("script", "Print the SQL between two migrations, for a DBA to review or run.") { from, to };
        script.SetAction((parse, ct) => CliHost.RunAsync(sp => ScriptAsync(sp, parse.GetValue(from)!, parse.GetValue(to)), ensureSchema: false));
        return script;
    }

    private static async Task<int> StatusAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var status = await services.GetRequiredService<SchemaMigrator>().GetStatusAsync(cancellationToken, withChecksums: true);
        Console.WriteLine($"Provider: {status.Provider}   Database: {status.Location}");
        foreach (var migration in status.Migrations)
        {
            Console.WriteLine($"  {(migration.Applied ? "applied" : "pending"),-8} {migration.Id}  {Describe(migration)}");
        }
        Console.WriteLine(status.Pending.Count == 0
            ? $"Up to date: {status.Applied.Count} migrations applied."
            : $"{status.Pending.Count} pending migration(s). Run `shepherd migrate up` to apply them.");
        return 0;
    }

    private static string Describe(MigrationState migration)
    {
        if (!migration.InBuild)
        {
            return "NOT IN THIS BUILD";
        }
        var checksum = $"sha256:{MigrationChecksum.Short(migration.Checksum!)}";
        if (!migration.Applied)
        {
            return checksum;
        }
        if (migration.Recorded is not { } recorded)
        {
            return $"{checksum}  no checksum recorded";
        }
        var line = $"{recorded.AppliedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture)}  v{recorded.AppVersion}  {checksum}";
        return migration.Drifted ? $"{line}  DRIFT: applied as sha256:{MigrationChecksum.Short(recorded.Checksum)}" : line;
    }

    private static async Task<int> VerifyAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var status = await services.GetRequiredService<SchemaMigrator>().GetStatusAsync(cancellationToken, withChecksums: true);
        var verification = MigrationVerification.Of(status);
        foreach (var warning in verification.Warnings)
        {
            Console.WriteLine($"warning: {warning}");
        }
        foreach (var error in verification.Errors)
        {
            await Console.Error.WriteLineAsync($"error: {error}");
        }
        if (!verification.Ok)
        {
            await Console.Error.WriteLineAsync($"Verification failed: {verification.Errors.Count} error(s) in {verification.Checked} applied migration(s).");
            return 1;
        }
        Console.WriteLine($"OK: {verification.Checked} applied migration(s) match this build" +
            (verification.Warnings.Count > 0 ? $" ({verification.Warnings.Count} without a recorded checksum)." : "."));
        return 0;
    }

    private static async Task<int> DryRunAsync(IServiceProvider services, string? to, CancellationToken cancellationToken)
    {
        var plan = await services.GetRequiredService<SchemaMigrator>().PlanAsync(to, cancellationToken);
        if (plan.Count == 0)
        {
            Console.WriteLine("Nothing to apply: the database is up to date.");
            return 0;
        }
        foreach (var migration in plan)
        {
            Console.WriteLine($"-- would apply {migration.Id}");
            Console.WriteLine(migration.Sql);
        }
        Console.WriteLine($"-- dry run: {plan.Count} migration(s) would be applied; nothing was changed.");
        return 0;
    }

    private static async Task<int> UpAsync(IServiceProvider services, string? to, CancellationToken cancellationToken)
    {
        var migrator = services.GetRequiredService<SchemaMigrator>();
        var result = await migrator.ApplyAsync(new MigrationRequest(MigrationRequest.Operator("cli migrate up"), to), cancellationToken);
        if (result.Applied.Count == 0)
        {
            Console.WriteLine(to is null ? "Nothing to apply: the database is up to date." : $"Nothing to apply: {to} is already applied.");
            return 0;
        }
        Print(result, "applied");
        Console.WriteLine($"Applied {result.Applied.Count} migration(s) in {result.Duration.TotalSeconds:F1}s.");
        return 0;
    }

    private static async Task<int> DownAsync(IServiceProvider services, string to, bool yes, bool allowDataLoss, CancellationToken cancellationToken)
    {
        var migrator = services.GetRequiredService<SchemaMigrator>();
        var plan = await migrator.PlanRevertAsync(to, cancellationToken);
        if (plan.Migrations.Count == 0)
        {
            Console.WriteLine($"Nothing to take back: {plan.Target} is the last applied migration.");
            return 0;
        }
        foreach (var migration in plan.Migrations)
        {
            Console.WriteLine($"  would take back  {migration}");
        }
        foreach (var loss in plan.Losses)
        {
            Console.WriteLine($"  DATA LOSS: {loss.Migration} {loss.What}");
        }
        if (plan.Losses.Count > 0 && !allowDataLoss)
        {
            throw new CommandException(
                $"Going down to {plan.Target} would lose the data listed above. Nothing was changed. " +
                "Export what you need first, or add --allow-data-loss to go ahead (a backup is taken first).");
        }
        var what = $"Going down to {plan.Target} takes back {plan.Migrations.Count} migration(s)";
        Confirmation.RequireTerminalOrYes(yes, what);
        if (!Confirmation.Ask(yes, $"{what} on {services.GetRequiredService<Data.DatabaseTarget>().Description}. Go ahead?"))
        {
            Console.WriteLine("Not changed.");
            return 1;
        }
        var result = await migrator.RevertAsync(to, allowDataLoss, MigrationRequest.Operator("cli migrate down"), cancellationToken);
        Print(result, "reverted");
        Console.WriteLine($"Took back {result.Migrations.Count} migration(s) in {result.Duration.TotalSeconds:F1}s; the database is at {plan.Target}.");
        return 0;
    }

    private static void Print(MigrationResult result, string verb)
    {
        if (result.BackupFile is not null)
        {
            Console.WriteLine($"Backup taken before migrating: {result.BackupFile}");
        }
        foreach (var migration in result.Migrations)
        {
            Console.WriteLine($"  {verb}  {migration}");
        }
    }

    private static Task<int> ScriptAsync(IServiceProvider services, string from, string? to)
    {
        Console.WriteLine(services.GetRequiredService<SchemaMigrator>().Script(from, to));
        return Task.FromResult(0);
    }
}
