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
/// the data (SQLite: atomic file swap; PostgreSQL: pg_restore in one transaction), checks the row counts and
/// migrates forward when the backup is older than this build.
/// </summary>
public sealed class BackupRestorer(
    ShepherdDbContextFactory contexts, DatabaseTarget target, BackupWriter writer, SchemaMigrator migrator, TimeProvider clock)
{
    public const string SafetyLabel = "pre-restore";

    /// <summary>Where the data goes, for the confirmation question and the summary.</summary>
    public string Destination => target.Description;

    /// <summary>Refuses a backup of another provider, or one made by a newer Shepherd whose schema this build cannot know.</summary>
    public async Task CheckCompatibleAsync(BackupManifest manifest, CancellationToken cancellationToken)
    {
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

    public async Task<RestoredBackup> RestoreAsync(string file, BackupManifest manifest, CancellationToken cancellationToken)
    {
        var started = clock.GetTimestamp();
        var before = await AppliedSchemaAsync(cancellationToken);
        string? safety = null;
        if (before != "none")
        {
            safety = (await writer.CreateAsync(SafetyLabel, cancellationToken)).File;
        }

        if (target.Provider == DatabaseProvider.Sqlite)
        {
            await RestoreSqliteAsync(file, manifest, cancellationToken);
        }
        else
        {
            await RestorePostgresAsync(file, manifest, cancellationToken);
        }

        var rows = await CheckCountsAsync(manifest, cancellationToken);
        var migrated = await migrator.ApplyAsync(new MigrationRequest(MigrationRequest.Operator("migration after restore")), cancellationToken);
        var after = await AppliedSchemaAsync(cancellationToken);
        return new RestoredBackup(manifest, rows, before, after, migrated.Applied, safety, clock.GetElapsedTime(started));
    }

    /// <summary>
    /// Writes the payload next to the live file, checks it, then swaps it in with one rename, so a crash leaves either
    /// the old or the new database, never a mix. The old -wal/-shm go first: SQLite would replay a stale WAL into the new file.
    /// </summary>
    private async Task RestoreSqliteAsync(string file, BackupManifest manifest, CancellationToken cancellationToken)
    {
        var live = target.SqliteFile!;
        Directory.CreateDirectory(Path.GetDirectoryName(live)!);
        var temp = $"{live}.restore-{Guid.NewGuid():N}.tmp";
        try
        {
            await ExtractCheckedAsync(file, manifest, temp, cancellationToken);
            await using (var copy = new SqliteConnection(SqliteFiles.ScratchConnectionString(temp)))
            {
                await copy.OpenAsync(cancellationToken);
                var problems = await SqliteFiles.IntegrityProblemsAsync(copy, cancellationToken);
                if (problems.Count > 0)
                {
                    throw new CommandException(
                        $"The restored copy fails SQLite's integrity check ({string.Join("; ", problems.Take(10))}); the live database was not touched.");
                }
            }
            if (File.Exists(live))
            {
                await using var current = new SqliteConnection(SqliteFiles.ScratchConnectionString(live));
                await current.OpenAsync(cancellationToken);
                await using var checkpoint = current.CreateCommand();
                checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
                await checkpoint.ExecuteNonQueryAsync(cancellationToken);
            }
            SqliteFiles.Replace(live, temp);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            File.Delete(temp);
            SqliteFiles.DeleteSidecars(temp);
        }
    }

    private async Task RestorePostgresAsync(string file, BackupManifest manifest, CancellationToken cancellationToken)
    {
        var temp = Path.Combine(Path.GetTempPath(), $"shepherd-restore-{Guid.NewGuid():N}");
        try
        {
            await ExtractCheckedAsync(file, manifest, temp, cancellationToken);
            NpgsqlConnection.ClearAllPools();
            var connection = new NpgsqlConnectionStringBuilder(target.ConnectionString);
            // One transaction: if anything fails, the database is as it was before.
            await PostgresTools.RunAsync("pg_restore", connection,
                ["--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error", $"--dbname={connection.Database}", temp],
                cancellationToken);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>Extracts the payload again and re-checks its checksum: the file could have changed since it was verified.</summary>
    private static async Task ExtractCheckedAsync(string file, BackupManifest manifest, string destination, CancellationToken cancellationToken)
    {
        var (sha256, size) = await BackupArchive.ExtractPayloadAsync(file, manifest, destination, cancellationToken);
        if (!string.Equals(sha256, manifest.PayloadSha256, StringComparison.OrdinalIgnoreCase) || size != manifest.PayloadSize)
        {
            throw new CommandException($"The payload of {file} changed after it was verified (SHA-256 {sha256}); nothing was restored.");
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
