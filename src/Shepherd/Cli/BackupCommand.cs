using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Shepherd.Operations.Backups;

namespace Shepherd.Cli;

/// <summary>`shepherd backup create|list|verify`: one-file backups with a manifest, proven by a real restore.</summary>
public sealed class BackupCommand : Command
{
    public BackupCommand() : base("backup", "Create, list, verify, restore and prune database backups.")
    {
        var label = new Option<string>("--label") { Description = "A word added to the file name (letters, digits, '-', '_')." };
        var create = new Command("create", "Back up the whole database (SQLite online backup or pg_dump) into the backup folder.") { label };
        // A backup copies the database as it is: it never migrates first (a backup before an upgrade is the point).
        create.SetAction((parse, ct) => CliHost.RunAsync(sp => CreateAsync(sp, parse.GetValue(label), ct), ensureSchema: false));
        Subcommands.Add(create);

        var list = new Command("list", "List the backups, newest first, with age, size and whether they were verified.");
        list.SetAction((_, ct) => CliHost.RunAsync(sp => ListAsync(sp, ct), ensureSchema: false));
        Subcommands.Add(list);

        var file = new Argument<string>("file") { Description = "The backup file (a path, or a file name in the backup folder)." };
        var verify = new Command("verify", "Check a backup's checksum, restore it into a scratch database and compare row counts.") { file };
        verify.SetAction((parse, ct) => CliHost.RunAsync(sp => VerifyAsync(sp, parse.GetValue(file)!, ct), ensureSchema: false));
        Subcommands.Add(verify);

        var dryRun = new Option<bool>("--dry-run") { Description = "Print what would be kept and deleted; delete nothing." };
        var prune = new Command("prune", "Delete the backups the retention policy lets go (Shepherd:Backups:Retention).") { dryRun };
        prune.SetAction((parse, ct) => CliHost.RunAsync(sp => BackupPruneCommand.RunAsync(sp, parse.GetValue(dryRun), ct), ensureSchema: false));
        Subcommands.Add(prune);
        var restoreFile = new Argument<string>("file") { Description = "The backup file (a path, or a file name in the backup folder)." };
        var yes = new Option<bool>("--yes") { Description = "Do not ask for confirmation (required when input is not a terminal)." };
        var restore = new Command(
            "restore",
            "Replace the database with a backup: verifies it, takes a pre-restore safety backup, restores, migrates forward if the backup is older. " +
            "SQLite: stop the server first.")
        { restoreFile, yes };
        restore.SetAction((parse, ct) => CliHost.RunAsync(sp => RestoreAsync(sp, parse.GetValue(restoreFile)!, parse.GetValue(yes), ct), ensureSchema: false));
        Subcommands.Add(restore);
    }

    private static async Task<int> CreateAsync(IServiceProvider services, string? label, CancellationToken cancellationToken)
    {
        Console.WriteLine("Creating backup...");
        var writer = services.GetRequiredService<BackupWriter>();
        var backup = await CliProgress.RunAsync(progress => writer.CreateAsync(label, cancellationToken, progress));
        Console.WriteLine($"Backup: {backup.File}");
        Console.WriteLine($"Size: {Size(backup.Size)}   Rows: {backup.Manifest.RowCounts.Values.Sum():N0} in {backup.Manifest.RowCounts.Count} tables");
        Console.WriteLine($"Payload SHA-256: {backup.Manifest.PayloadSha256}");
        Console.WriteLine($"Elapsed: {backup.Duration.TotalSeconds:F1}s");
        Console.WriteLine("Not verified yet: run `shepherd backup verify " + Path.GetFileName(backup.File) + "`.");
        return 0;
    }

    private static async Task<int> ListAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var folder = services.GetRequiredService<BackupFolder>();
        var entries = await services.GetRequiredService<BackupCatalog>().ListAsync(cancellationToken);
        if (entries.Count == 0)
        {
            Console.WriteLine($"No backups in {folder.Path}. Run `shepherd backup create` to make one.");
            return 0;
        }
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        Console.WriteLine($"Backups in {folder.Path}:");
        Console.WriteLine($"{"File",-52} {"Created (UTC)",-20} {"Age",8} {"Size",10} {"Provider",-8} {"Schema",-32} Verified");
        foreach (var entry in entries)
        {
            var name = Path.GetFileName(entry.File);
            if (entry.Manifest is not { } m)
            {
                Console.WriteLine($"{name,-52} unreadable: {entry.Unreadable}");
                continue;
            }
            var verified = entry.Verification switch
            {
                null => "no",
                { Passed: true } v => $"yes ({v.VerifiedAt.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)})",
                { } v => $"FAILED ({v.VerifiedAt.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)})",
            };
            Console.WriteLine(
                $"{name,-52} {m.CreatedAt.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),-20} {Age(now - m.CreatedAt),8} {Size(entry.Size),10} {m.Provider,-8} {m.SchemaVersion,-32} {verified}");
        }
        return 0;
    }

    private static async Task<int> VerifyAsync(IServiceProvider services, string file, CancellationToken cancellationToken)
    {
        var path = services.GetRequiredService<BackupFolder>().Resolve(file);
        if (!File.Exists(path))
        {
            throw new CommandException($"No backup file {path}. Run `shepherd backup list` to see the backups.");
        }
        Console.WriteLine($"Verifying {path}...");
        var verifier = services.GetRequiredService<BackupVerifier>();
        var result = await CliProgress.RunAsync(progress => verifier.VerifyAsync(path, cancellationToken, progress));
        foreach (var check in result.Checks)
        {
            Console.WriteLine($"  {(check.Passed ? "passed" : "FAILED"),-6}  {check.Name}: {check.Detail}");
        }
        var passed = result.Checks.Count(c => c.Passed);
        Console.WriteLine(
            $"{(result.Passed ? "Verified" : "Verification FAILED")}: {passed}/{result.Checks.Count} checks passed, {result.Rows:N0} rows, {result.Duration.TotalSeconds:F1}s.");
        if (!result.Passed)
        {
            await Console.Error.WriteLineAsync(
                $"The backup {Path.GetFileName(path)} failed verification ({string.Join("; ", result.Checks.Where(c => !c.Passed).Select(c => c.Detail))}); do not rely on it: take a new one with `shepherd backup create`.");
        }
        return result.Passed ? 0 : 1;
    }

    private static async Task<int> RestoreAsync(IServiceProvider services, string file, bool yes, CancellationToken cancellationToken)
    {
        var path = services.GetRequiredService<BackupFolder>().Resolve(file);
        var restorer = services.GetRequiredService<BackupRestorer>();
        BackupManifest manifest;
        try
        {
            manifest = await BackupArchive.ReadManifestAsync(path, cancellationToken);
        }
        catch (Exception e) when (e is InvalidDataException or FileNotFoundException)
        {
            throw new CommandException($"Cannot restore {path}: {e.Message}. Nothing was changed.");
        }
        await restorer.CheckCompatibleAsync(manifest, cancellationToken);
        Confirmation.RequireTerminalOrYes(yes, $"Restoring {Path.GetFileName(path)} replaces all data in {restorer.Destination}");

        Console.WriteLine($"Verifying {path} before restoring it...");
        var verifier = services.GetRequiredService<BackupVerifier>();
        var verification = await CliProgress.RunAsync(progress => verifier.VerifyAsync(path, cancellationToken, progress));
        if (!verification.Passed)
        {
            throw new CommandException(
                $"The backup {Path.GetFileName(path)} failed verification ({string.Join("; ", verification.Checks.Where(c => !c.Passed).Select(c => c.Detail))}); " +
                "it was not restored and nothing was changed. Pick another backup (`shepherd backup list`).");
        }
        Console.WriteLine($"Verified: {verification.Rows:N0} rows, {verification.Duration.TotalSeconds:F1}s.");

        if (!Confirmation.Ask(yes, $"Restore {Path.GetFileName(path)} over {restorer.Destination}? This replaces all current data."))
        {
            Console.WriteLine("Not restored; nothing was changed.");
            return 1;
        }
        if (manifest.Provider == Data.DatabaseProvider.Sqlite)
        {
            Console.WriteLine("SQLite: the Shepherd server must be stopped while the database file is replaced.");
        }

        Console.WriteLine("Taking a safety backup of the current database, then restoring...");
        var result = await CliProgress.RunAsync(progress => restorer.RestoreAsync(path, manifest, cancellationToken, progress));
        Console.WriteLine($"Restored {Path.GetFileName(path)} (created {manifest.CreatedAt.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} UTC) into {restorer.Destination}.");
        Console.WriteLine($"Rows: {result.Rows:N0} in {manifest.RowCounts.Count} tables, equal to the manifest");
        Console.WriteLine($"Schema: before {result.SchemaBefore}, backup {manifest.SchemaVersion}, after {result.SchemaAfter}" +
            (result.Migrated.Count > 0 ? $" ({result.Migrated.Count} migration(s) applied)" : ""));
        Console.WriteLine(result.SafetyBackup is null
            ? "Safety backup: none (the database was empty)"
            : $"Safety backup: {result.SafetyBackup}");
        Console.WriteLine($"Elapsed: {result.Duration.TotalSeconds:F1}s");
        return 0;
    }

    private static string Size(long bytes) => bytes switch
    {
        < 1024 * 1024 => $"{bytes / 1024.0:F1} KiB",
        < 1024L * 1024 * 1024 => $"{bytes / 1024.0 / 1024:F1} MiB",
        _ => $"{bytes / 1024.0 / 1024 / 1024:F2} GiB",
    };

    private static string Age(TimeSpan age) => age switch
    {
        { TotalMinutes: < 1 } => "now",
        { TotalHours: < 1 } => $"{(int)age.TotalMinutes}m",
        { TotalDays: < 2 } => $"{(int)age.TotalHours}h",
        _ => $"{(int)age.TotalDays}d",
    };
}
