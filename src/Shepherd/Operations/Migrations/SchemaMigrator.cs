using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Shepherd.Cli;
using Shepherd.Data;
using Shepherd.Data.Audit;
using Shepherd.Operations.Backups;
using Shepherd.Operations.Health;

namespace Shepherd.Operations.Migrations;

/// <summary>One migration as this build and this database see it.</summary>
/// <param name="InBuild">False for a migration the database has applied but this build does not contain.</param>
/// <param name="Checksum">The checksum of this build's SQL for it (null when not in the build, or not asked for).</param>
/// <param name="Recorded">The last successful attempt in shepherd_migration_history (null when none was recorded).</param>
public sealed record MigrationState(string Id, bool Applied, bool InBuild, string? Checksum, MigrationHistoryEntry? Recorded)
{
    /// <summary>Applied, and this build's SQL for it differs from what was applied: the migration was edited.</summary>
    public bool Drifted => Applied && InBuild && Checksum is not null && Recorded is not null && Recorded.Checksum != Checksum;
}

public sealed record MigrationStatus(DatabaseProvider Provider, string Location, IReadOnlyList<MigrationState> Migrations)
{
    public IReadOnlyList<string> Applied => [.. Migrations.Where(m => m.Applied).Select(m => m.Id)];

    public IReadOnlyList<string> Pending => [.. Migrations.Where(m => !m.Applied).Select(m => m.Id)];
}

/// <summary>What `migrate up` should do: who asks (recorded in the history) and how far to go (null: all the way).</summary>
public sealed record MigrationRequest(string AppliedBy, string? Target = null)
{
    public static string Operator(string action) => $"{action} by {Environment.UserName}@{Environment.MachineName}";
}

public sealed record MigrationResult(IReadOnlyList<string> Applied, string? BackupFile, TimeSpan Duration);

/// <summary>A pending migration and the SQL that would apply it (`migrate up --dry-run`).</summary>
public sealed record PlannedMigration(string Id, string Sql);

/// <summary>
/// Applies the generated EF migrations of the configured provider, one at a time, recording each attempt
/// (checksum, duration, who, outcome) in <see cref="MigrationHistory"/>. On SQLite the database file is backed up
/// first and put back if a migration fails, so a failed upgrade never leaves a half-migrated database.
/// </summary>
public sealed class SchemaMigrator(ShepherdDbContextFactory contexts, DatabaseTarget target, DataFolder folder, TimeProvider clock, ILogger<SchemaMigrator> logger)
{
    /// <param name="withChecksums">Generate each migration's SQL to checksum it (for `status` and `verify`); starting up
    /// and applying need only which migrations are pending, and skip that work.</param>
    public async Task<MigrationStatus> GetStatusAsync(CancellationToken cancellationToken, bool withChecksums = false)
    {
        await using var db = contexts.Create(null, AuditActor.System);
        var catalog = new MigrationCatalog(db);
        var applied = (await db.Database.GetAppliedMigrationsAsync(cancellationToken)).ToList();
        var history = await new MigrationHistory(db).ReadAsync(cancellationToken);
        var recorded = history.Where(h => h.Outcome == MigrationOutcome.Succeeded)
            .GroupBy(h => h.MigrationId).ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);
        var ids = catalog.All.Union(applied, StringComparer.Ordinal).Order(StringComparer.Ordinal);
        var migrations = ids.Select(id => new MigrationState(
            id,
            applied.Contains(id, StringComparer.Ordinal),
            catalog.Contains(id),
            withChecksums && catalog.Contains(id) ? catalog.ChecksumOf(id) : null,
            recorded.GetValueOrDefault(id))).ToList();
        return new MigrationStatus(target.Provider, target.Description, migrations);
    }

    /// <summary>The pending migrations up to the request's target, with their SQL; changes nothing.</summary>
    public async Task<IReadOnlyList<PlannedMigration>> PlanAsync(string? targetMigration, CancellationToken cancellationToken)
    {
        var status = await GetStatusAsync(cancellationToken);
        await using var db = contexts.Create(null, AuditActor.System);
        var catalog = new MigrationCatalog(db);
        return [.. PendingUpTo(status, catalog, targetMigration).Select(id => new PlannedMigration(id, catalog.SqlOf(id)))];
    }

    /// <summary>The SQL from one migration (or "0") to another (null: the last), as EF generates it for this provider; reads nothing.</summary>
    public string Script(string from, string? to)
    {
        using var db = contexts.Create(null, AuditActor.System);
        var catalog = new MigrationCatalog(db);
        return catalog.Script(catalog.Resolve(from), to is null ? catalog.All[^1] : catalog.Resolve(to));
    }

    public Task<MigrationResult> ApplyAsync(CancellationToken cancellationToken) =>
        ApplyAsync(new MigrationRequest(MigrationRequest.Operator("automatic migration")), cancellationToken);

    public async Task<MigrationResult> ApplyAsync(MigrationRequest request, CancellationToken cancellationToken)
    {
        var started = clock.GetTimestamp();
        var status = await GetStatusAsync(cancellationToken);
        IReadOnlyList<string> plan;
        await using (var db = contexts.Create(null, AuditActor.System))
        {
            plan = PendingUpTo(status, new MigrationCatalog(db), request.Target);
        }
        if (plan.Count == 0)
        {
            return new MigrationResult([], null, clock.GetElapsedTime(started));
        }

        var backup = await BackupSqliteAsync(status.Applied.Count > 0 ? status.Applied[^1] : "unversioned", cancellationToken);
        var failure = await ApplyOneByOneAsync(plan, request, cancellationToken);
        if (failure is not null)
        {
            await HandleFailureAsync(failure, backup, cancellationToken);
        }
        logger.LogInformation("Applied {Count} migrations: {Migrations}", plan.Count, plan);
        return new MigrationResult(plan, backup, clock.GetElapsedTime(started));
    }

    private sealed record FailedMigration(MigrationHistoryEntry Entry, Exception Exception);

    private async Task<FailedMigration?> ApplyOneByOneAsync(IReadOnlyList<string> plan, MigrationRequest request, CancellationToken cancellationToken)
    {
        // The context is disposed before a failure is handled: a restore must not race an open connection.
        await using var db = contexts.Create(null, AuditActor.System);
        var catalog = new MigrationCatalog(db);
        var history = new MigrationHistory(db);
        foreach (var id in plan)
        {
            var checksum = catalog.ChecksumOf(id);
            var at = clock.GetUtcNow();
            var started = clock.GetTimestamp();
            try
            {
                await db.Database.MigrateAsync(id, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return new FailedMigration(Entry(id, checksum, at, started, request, MigrationOutcome.Failed, e.Message), e);
            }
            await history.RecordAsync(Entry(id, checksum, at, started, request, MigrationOutcome.Succeeded, null), cancellationToken);
        }
        return null;
    }

    private MigrationHistoryEntry Entry(string id, string checksum, DateTimeOffset at, long started, MigrationRequest request, string outcome, string? error) =>
        new(id, checksum, at, (long)clock.GetElapsedTime(started).TotalMilliseconds, HealthEndpoints.Version, request.AppliedBy, outcome, error);

    private async Task HandleFailureAsync(FailedMigration failure, string? backup, CancellationToken cancellationToken)
    {
        var id = failure.Entry.MigrationId;
        if (backup is not null)
        {
            logger.LogError(failure.Exception, "Migration {Migration} failed; restoring the database from {Backup}", id, backup);
            RestoreSqlite(backup);
        }
        // Recorded after the restore, so the record of the failure survives it.
        await using (var db = contexts.Create(null, AuditActor.System))
        {
            await new MigrationHistory(db).RecordAsync(failure.Entry, cancellationToken);
        }
        if (backup is not null)
        {
            throw new CommandException(
                $"Migration {id} failed ({failure.Exception.Message}). The database was restored from the backup {backup}; nothing was changed. " +
                "Fix the cause (see the log), then run `shepherd migrate up` again.");
        }
        throw new CommandException(
            $"Migration {id} failed ({failure.Exception.Message}); the migrations before it in this run stay applied. " +
            "Fix the cause, then run `shepherd migrate up` again.");
    }

    /// <summary>Pending migrations in order, up to and including <paramref name="targetMigration"/> (null: all).</summary>
    private static List<string> PendingUpTo(MigrationStatus status, MigrationCatalog catalog, string? targetMigration)
    {
        var pending = status.Pending.ToList();
        if (targetMigration is null)
        {
            return pending;
        }
        var id = catalog.Resolve(targetMigration);
        var index = pending.IndexOf(id);
        return index >= 0 ? pending[..(index + 1)] : []; // already applied: going back is not what `up` does
    }

    /// <summary>Startup policy: the embedded SQLite database migrates itself; PostgreSQL waits for an operator's `migrate up`.</summary>
    public async Task EnsureReadyAtStartupAsync(CancellationToken cancellationToken)
    {
        if (target.Provider == DatabaseProvider.Sqlite)
        {
            var result = await ApplyAsync(new MigrationRequest(MigrationRequest.Operator("startup migration")), cancellationToken);
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


    private async Task<string?> BackupSqliteAsync(string lastApplied, CancellationToken cancellationToken)
    {
        if (target.SqliteFile is not { } file || !File.Exists(file) || !await HasTablesAsync(cancellationToken))
        {
            return null; // a new, empty database has nothing to lose
        }
        Directory.CreateDirectory(folder.Backups);
        var stamp = clock.GetUtcNow().ToString("yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        var backup = Path.Combine(folder.Backups, $"pre-migrate-{stamp}-{lastApplied}.db");
        await SqliteFiles.SnapshotAsync(target.ConnectionString, backup, cancellationToken);
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

    /// <summary>Puts the pre-migration backup back, keeping the backup file itself.</summary>
    private void RestoreSqlite(string backup)
    {
        var file = target.SqliteFile!;
        var copy = $"{file}.restore-{Guid.NewGuid():N}.tmp";
        File.Copy(backup, copy);
        SqliteFiles.Replace(file, copy);
    }
}

/// <summary>Runs the startup migration policy before the web server takes requests.</summary>
public sealed class DatabaseStartup(SchemaMigrator migrator) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => migrator.EnsureReadyAtStartupAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
