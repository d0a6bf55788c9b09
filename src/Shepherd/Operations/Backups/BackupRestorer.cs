using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Shepherd.Cli;
using Shepherd.Data;
using Shepherd.Data.Audit;
using Shepherd.Operations.Migrations;

namespace Shepherd.Operations.Backups;

public sealed record RestoredBackup(
    BackupManifest Manifest, long Rows, string SchemaBefore, string SchemaAfter, IReadOnlyList<string> Migrated, string? SafetyBackup, TimeSpan Duration);

/// <summary>
/// `backup restore`: puts a verified backup in place of the current database. The caller checks
/// <see cref="CheckCompatibleAsync"/> and verifies first; <see cref="RestoreAsync"/> takes a safety backup, replaces
/// the data (<see cref="DatabaseReplacer"/>), checks the row counts and
/// migrates forward when the backup is older than this build.
/// </summary>
public sealed class BackupRestorer(
    ShepherdDbContextFactory contexts, DatabaseTarget target, BackupWriter writer, DatabaseReplacer replacer, SchemaMigrator migrator, TimeProvider clock)
{
    public const string SafetyLabel = "pre-restore";

    /// <summary>Where the data goes, for the confirmation question and the summary.</summary>
    public string Destination => target.Description;

    /// <summary>Refuses a backup of another provider, or one made by a newer Shepherd whose schema this build cannot know.</summary>
    public async Task CheckCompatibleAsync(BackupManifest manifest, CancellationToken cancellationToken)
    {
        EnsureNotInUse();
        if (manifest.Provider != target.Provider)
        {
            throw new CommandException(
                $"This is a {manifest.Provider} backup but Shepherd is configured for {target.Provider}: a backup restores only onto its own provider. " +
                $"Set Shepherd__Database__Provider={manifest.Provider} (and ConnectionStrings__Shepherd) to restore it.");
        }
        IReadOnlyList<string> known;
        await using (var db = contexts.Create(null, AuditActor.System))
        {
            known = [.. db.Database.GetMigrations()];
        }
        var latest = known.Count > 0 ? known[^1] : "none";
        // Migration ids start with a UTC timestamp, so ordinal order is age order.
        if (manifest.SchemaVersion != "none" && !known.Contains(manifest.SchemaVersion, StringComparer.Ordinal)
            && string.CompareOrdinal(manifest.SchemaVersion, latest) > 0)
        {
            throw new CommandException(
                $"This backup was made by a newer Shepherd (schema {manifest.SchemaVersion}, Shepherd {manifest.ShepherdVersion}); this build knows up to {latest}. " +
                "Install that release or newer to restore it. Nothing was changed.");
        }
    }

    public async Task<RestoredBackup> RestoreAsync(string file, BackupManifest manifest, CancellationToken cancellationToken, CliProgress? progress = null)
    {
        progress ??= CliProgress.Silent;
        EnsureNotInUse();
        var started = clock.GetTimestamp();
        var before = await AppliedSchemaAsync(cancellationToken);
        string? safety = null;
        if (before != "none")
        {
            safety = (await writer.CreateAsync(SafetyLabel, cancellationToken, progress)).File;
        }

        var replacing = progress.Step("Restoring", 1);
        await replacer.ReplaceAsync(file, manifest, cancellationToken);
        replacing.Advance();

        var rows = await CheckCountsAsync(manifest, cancellationToken);
        // The backup just restored is the one to go back to if a forward migration fails: no second backup needed.
        var migrated = await migrator.ApplyAsync(
            new MigrationRequest(MigrationRequest.Operator("migration after restore"), Backup: new CreatedBackup(file, new FileInfo(file).Length, manifest, TimeSpan.Zero)),
            cancellationToken);
        var after = await AppliedSchemaAsync(cancellationToken);
        return new RestoredBackup(manifest, rows, before, after, migrated.Applied, safety, clock.GetElapsedTime(started));
    }

    /// <summary>SQLite: the file is replaced, so no server or worker may have it open.</summary>
    private void EnsureNotInUse()
    {
        if (target.SqliteFile is { } file && SqliteFiles.IsInUse(file))
        {
            throw new CommandException(
                $"A Shepherd server or worker is running on {file}: stop it first (e.g. `systemctl stop shepherd`), because restoring replaces the file under it. Nothing was changed.");
        }
    }

    private async Task<long> CheckCountsAsync(BackupManifest manifest, CancellationToken cancellationToken)
    {
        await using var db = contexts.Create(null, AuditActor.System);
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync(cancellationToken);
        var counts = await TableRowCounter.CountAsync(connection, null, manifest.RowCounts.Keys, cancellationToken);
        var mismatches = manifest.RowCounts.Where(kv => counts[kv.Key] != kv.Value).Select(kv => $"{kv.Key}: manifest {kv.Value}, restored {counts[kv.Key]}").ToList();
        if (mismatches.Count > 0)
        {
            throw new CommandException(
                $"The restored database's row counts differ from the manifest ({string.Join("; ", mismatches)}). " +
                "Restore the safety backup (pre-restore) and report this.");
        }
        return counts.Values.Sum();
    }

    private async Task<string> AppliedSchemaAsync(CancellationToken cancellationToken)
    {
        if (target.SqliteFile is { } file && !File.Exists(file))
        {
            return "none";
        }
        string applied;
        await using (var db = contexts.Create(null, AuditActor.System))
        {
            applied = (await db.Database.GetAppliedMigrationsAsync(cancellationToken)).LastOrDefault() ?? "none";
        }
        SqliteConnection.ClearAllPools(); // no pooled handle may keep the old SQLite file open across the swap
        return applied;
    }

}
