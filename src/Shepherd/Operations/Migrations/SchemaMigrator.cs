using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Shepherd.Cli;
using Shepherd.Data;
using Shepherd.Data.Audit;

namespace Shepherd.Operations.Migrations;

public sealed record MigrationStatus(DatabaseProvider Provider, string Location, IReadOnlyList<string> Applied, IReadOnlyList<string> Pending);

public sealed record MigrationResult(IReadOnlyList<string> Applied, string? BackupFile, TimeSpan Duration);

/// <summary>
/// Applies the generated EF migrations of the configured provider. On SQLite the database file is backed up
/// first and put back if a migration fails, so a failed upgrade never leaves a half-migrated database.
/// (The full `migrate` command with checksums and `down` builds on this.)
/// </summary>
public sealed class SchemaMigrator(ShepherdDbContextFactory contexts, DatabaseTarget target, DataFolder folder, TimeProvider clock, ILogger<SchemaMigrator> logger)
{
    public async Task<MigrationStatus> GetStatusAsync(CancellationToken cancellationToken)
    {
        await using var db = contexts.Create(null, AuditActor.System);
        var applied = (await db.Database.GetAppliedMigrationsAsync(cancellationToken)).ToList();
        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        return new MigrationStatus(target.Provider, Describe(), applied, pending);
    }

    public async Task<MigrationResult> ApplyAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.StartNew();
        var status = await GetStatusAsync(cancellationToken);
        if (status.Pending.Count == 0)
        {
            return new MigrationResult([], null, started.Elapsed);
        }

        var backup = await BackupSqliteAsync(status.Applied.Count > 0 ? status.Applied[^1] : "unversioned", cancellationToken);
        try
        {
            await using var db = contexts.Create(null, AuditActor.System);
            await db.Database.MigrateAsync(cancellationToken);
        }
        catch (Exception e) when (backup is not null)
        {
            logger.LogError(e, "Migration failed; restoring the database from {Backup}", backup);
            RestoreSqlite(backup);
            throw new CommandException(
                $"A migration failed ({e.Message}). The database was restored from the backup {backup}; nothing was changed. " +
                "Fix the cause (see the log), then run `shepherd migrate up` again.");
        }
        logger.LogInformation("Applied {Count} migrations: {Migrations}", status.Pending.Count, status.Pending);
        return new MigrationResult(status.Pending, backup, started.Elapsed);
    }

    /// <summary>Startup policy: the embedded SQLite database migrates itself; PostgreSQL waits for an operator's `migrate up`.</summary>
    public async Task EnsureReadyAtStartupAsync(CancellationToken cancellationToken)
    {
        if (target.Provider == DatabaseProvider.Sqlite)
        {
            var result = await ApplyAsync(cancellationToken);
            if (result.Applied.Count > 0)
            {
                logger.LogInformation("Embedded database migrated ({Count} migrations); backup: {Backup}", result.Applied.Count, result.BackupFile ?? "none (new database)");
            }
            return;
        }
        MigrationStatus status;
        try
        {
            status = await GetStatusAsync(cancellationToken);
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or InvalidOperationException)
        {
            throw new SettingsException($"Cannot reach the PostgreSQL database ({e.Message}). Check ConnectionStrings__Shepherd and that the server is running.");
        }
        if (status.Pending.Count > 0)
        {
            throw new SettingsException(
                $"The PostgreSQL database has {status.Pending.Count} pending migration(s) ({string.Join(", ", status.Pending)}). " +
                "Shepherd does not change a shared database by itself: run `shepherd migrate up` (once, from one machine), then start again.");
        }
    }

    private string Describe()
    {
        if (target.SqliteFile is { } file)
        {
            return file;
        }
        var postgres = new Npgsql.NpgsqlConnectionStringBuilder(target.ConnectionString);
        return $"{postgres.Host}:{postgres.Port}/{postgres.Database}";
    }

    private async Task<string?> BackupSqliteAsync(string lastApplied, CancellationToken cancellationToken)
    {
        if (target.SqliteFile is not { } file || !File.Exists(file) || !await HasTablesAsync(cancellationToken))
        {
            return null; // a new, empty database has nothing to lose
        }
        Directory.CreateDirectory(folder.Backups);
        var stamp = clock.GetUtcNow().ToString("yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        var backup = Path.Combine(folder.Backups, $"pre-migrate-{stamp}-{lastApplied}.db");
        // The online backup API copies a consistent snapshot even while others write.
        await using var source = new SqliteConnection(target.ConnectionString);
        await using var destination = new SqliteConnection($"Data Source={backup};Pooling=False");
        await source.OpenAsync(cancellationToken);
        await destination.OpenAsync(cancellationToken);
        source.BackupDatabase(destination);
        return backup;
    }

    private async Task<bool> HasTablesAsync(CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection(target.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table'";
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) > 0;
    }

    private void RestoreSqlite(string backup)
    {
        var file = target.SqliteFile!;
        SqliteConnection.ClearAllPools();
        foreach (var sidecar in new[] { file + "-wal", file + "-shm" })
        {
            File.Delete(sidecar);
        }
        File.Copy(backup, file, overwrite: true);
    }
}

/// <summary>Runs the startup migration policy before the web server takes requests.</summary>
public sealed class DatabaseStartup(SchemaMigrator migrator) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => migrator.EnsureReadyAtStartupAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
