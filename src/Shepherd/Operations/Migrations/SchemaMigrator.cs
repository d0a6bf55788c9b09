using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
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
/// <param name="Backup">A backup of the database as it is now, to go back to if a migration fails (e.g. the backup just
/// restored); null: take one first.</param>
public sealed record MigrationRequest(string AppliedBy, string? Target = null, CreatedBackup? Backup = null)
{
    public static string Operator(string action) => $"{action} by {Environment.UserName}@{Environment.MachineName}";
}

/// <param name="Migrations">The migrations applied (up) or taken back (down), in the order it happened.</param>
public sealed record MigrationResult(IReadOnlyList<string> Migrations, string? BackupFile, TimeSpan Duration)
{
    public IReadOnlyList<string> Applied => Migrations;
}

/// <summary>A pending migration and the SQL that would apply it (`migrate up --dry-run`).</summary>
public sealed record PlannedMigration(string Id, string Sql);

/// <summary>What `migrate down --to` would do: the migrations to take back, newest first, and the data that would go with them.</summary>
public sealed record RevertPlan(string Target, IReadOnlyList<string> Migrations, IReadOnlyList<DataLoss> Losses);

/// <summary>
/// Applies and takes back the generated EF migrations of the configured provider, recording each attempt (checksum,
/// duration, who, outcome) in <see cref="MigrationHistory"/>. Every run holds the <see cref="MigrationLock"/> and takes a
/// real backup first. PostgreSQL runs all the steps in one transaction (its DDL is transactional), so a failure
/// changes nothing; SQLite applies them through EF one by one and puts the backup back if one fails.
/// </summary>
public sealed class SchemaMigrator(
    ShepherdDbContextFactory contexts, DatabaseTarget target, BackupWriter backups, DatabaseReplacer replacer, TimeProvider clock, ILogger<SchemaMigrator> logger)
{
    public const string BackupLabel = "pre-migrate";

    /// <summary>How long a run waits for another one (e.g. a second replica's `migrate up`) before giving up.</summary>
    public static readonly TimeSpan LockTimeout = TimeSpan.FromMinutes(30);

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
        await using var held = await LockAsync(cancellationToken);
        // Read under the lock: a run that waited sees what the one before it applied.
        var status = await GetStatusAsync(cancellationToken);
        List<Step> steps;
        await using (var db = contexts.Create(null, AuditActor.System))
        {
            var catalog = new MigrationCatalog(db);
            steps = [.. PendingUpTo(status, catalog, request.Target).Select(id => new Step(id, catalog.ChecksumOf(id), catalog.Previous(id), id))];
        }
        if (steps.Count == 0)
        {
            return new MigrationResult([], null, clock.GetElapsedTime(started));
        }
        var backup = request.Backup ?? await BackupFirstAsync(cancellationToken);
        await RunAsync(steps, MigrationOutcome.Succeeded, request.AppliedBy, backup, cancellationToken);
        logger.LogInformation("Applied {Count} migrations: {Migrations}", steps.Count, steps.Select(s => s.Id));
        return new MigrationResult([.. steps.Select(s => s.Id)], backup?.File, clock.GetElapsedTime(started));
    }

    /// <summary>What `migrate down --to <paramref name="targetMigration"/>` would take back and lose; changes nothing.</summary>
    public async Task<RevertPlan> PlanRevertAsync(string targetMigration, CancellationToken cancellationToken)
    {
        var status = await GetStatusAsync(cancellationToken);
        await using var db = contexts.Create(null, AuditActor.System);
        var catalog = new MigrationCatalog(db);
        var (target, reverting) = AppliedAfter(status, catalog, targetMigration);
        return new RevertPlan(target, reverting, await DataLossCheck.FindAsync(db, catalog, reverting, cancellationToken));
    }

    /// <summary>
    /// Takes back every applied migration after <paramref name="targetMigration"/>, newest first, after a backup.
    /// Refuses when that would lose data, unless <paramref name="allowDataLoss"/>; the check is repeated under the lock.
    /// </summary>
    public async Task<MigrationResult> RevertAsync(string targetMigration, bool allowDataLoss, string appliedBy, CancellationToken cancellationToken)
    {
        var started = clock.GetTimestamp();
        await using var held = await LockAsync(cancellationToken);
        var plan = await PlanRevertAsync(targetMigration, cancellationToken);
        if (plan.Losses.Count > 0 && !allowDataLoss)
        {
            throw new CommandException(
                $"Going down to {plan.Target} would lose data: {string.Join("; ", plan.Losses.Select(l => $"{l.Migration} {l.What}"))}. " +
                "Nothing was changed. Export what you need first, or add --allow-data-loss to go ahead (a backup is taken first).");
        }
        if (plan.Migrations.Count == 0)
        {
            return new MigrationResult([], null, clock.GetElapsedTime(started));
        }
        List<Step> steps;
        await using (var db = contexts.Create(null, AuditActor.System))
        {
            var catalog = new MigrationCatalog(db);
            steps = [.. plan.Migrations.Select(id => new Step(id, catalog.ChecksumOf(id), id, catalog.Previous(id)))];
        }
        var backup = await BackupFirstAsync(cancellationToken);
        await RunAsync(steps, MigrationOutcome.Reverted, appliedBy, backup, cancellationToken);
        logger.LogWarning("Took back {Count} migrations (down to {Target}): {Migrations}", steps.Count, plan.Target, plan.Migrations);
        return new MigrationResult(plan.Migrations, backup?.File, clock.GetElapsedTime(started));
    }

    /// <summary>One migration to apply or take back: EF moves the database from <paramref name="From"/> to <paramref name="To"/>.</summary>
    private sealed record Step(string Id, string Checksum, string From, string To);

    private sealed record FailedStep(MigrationHistoryEntry Entry, Exception Exception);

    private Task<MigrationLock> LockAsync(CancellationToken cancellationToken) =>
        MigrationLock.AcquireAsync(target, clock, LockTimeout, message => logger.LogWarning("{Message}", message), cancellationToken);

    private async Task RunAsync(IReadOnlyList<Step> steps, string outcome, string appliedBy, CreatedBackup? backup, CancellationToken cancellationToken)
    {
        if (await RunStepsAsync(steps, outcome, appliedBy, cancellationToken) is { } failure)
        {
            await HandleFailureAsync(failure, backup, cancellationToken);
        }
    }

    /// <summary>
    /// EF moves the database one step at a time, and each step's history row is written after it. On PostgreSQL all
    /// of it happens inside one transaction of ours, so the first error rolls every step back. On SQLite each step is
    /// on its own (a table rebuild cannot run inside a transaction) and a failure is undone from the backup.
    /// </summary>
    private async Task<FailedStep?> RunStepsAsync(IReadOnlyList<Step> steps, string outcome, string appliedBy, CancellationToken cancellationToken)
    {
        // The context is disposed before a failure is handled: a restore must not race an open connection.
        await using var db = contexts.Create(null, AuditActor.System);
        IDbContextTransaction? transaction = null;
        if (target.Provider == DatabaseProvider.Postgres)
        {
            db.Database.SetCommandTimeout(TimeSpan.Zero); // a long migration on a big database is not an error
            // EF probes for its history table by querying it, and a failed query would abort our transaction: create it first.
            await db.GetService<IHistoryRepository>().CreateIfNotExistsAsync(cancellationToken);
            transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        }
        await using (transaction)
        {
            var history = new MigrationHistory(db.Database.GetDbConnection(), sqlite: transaction is null, transaction?.GetDbTransaction());
            foreach (var step in steps)
            {
                var at = clock.GetUtcNow();
                var started = clock.GetTimestamp();
                try
                {
                    await db.Database.MigrateAsync(step.To, cancellationToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    if (transaction is not null)
                    {
                        await transaction.RollbackAsync(CancellationToken.None);
                    }
                    return new FailedStep(Entry(step, at, started, appliedBy, MigrationOutcome.Failed, e.Message), e);
                }
                await history.RecordAsync(Entry(step, at, started, appliedBy, outcome, null), cancellationToken);
            }
            if (transaction is not null)
            {
                await transaction.CommitAsync(cancellationToken);
            }
        }
        return null;
    }

    private MigrationHistoryEntry Entry(Step step, DateTimeOffset at, long started, string appliedBy, string outcome, string? error) =>
        new(step.Id, step.Checksum, at, (long)clock.GetElapsedTime(started).TotalMilliseconds, HealthEndpoints.Version, appliedBy, outcome, error);

    private async Task HandleFailureAsync(FailedStep failure, CreatedBackup? backup, CancellationToken cancellationToken)
    {
        var id = failure.Entry.MigrationId;
        string outcome;
        if (target.Provider == DatabaseProvider.Postgres)
        {
            logger.LogError(failure.Exception, "Migration {Migration} failed; the run was rolled back", id);
            outcome = "The run was one transaction and was rolled back: nothing was changed" + (backup is null ? "." : $" (a backup was taken first: {backup.File}).");
        }
        else if (backup is not null)
        {
            logger.LogError(failure.Exception, "Migration {Migration} failed; restoring the database from {Backup}", id, backup.File);
            await replacer.ReplaceAsync(backup.File, backup.Manifest, cancellationToken);
            outcome = $"The database was restored from the backup {backup.File}; nothing was changed.";
        }
        else
        {
            outcome = "The database was empty before this run; the migrations before it in this run stay applied.";
        }
        // Recorded after the rollback or restore, so the record of the failure survives it.
        await using (var db = contexts.Create(null, AuditActor.System))
        {
            await new MigrationHistory(db).RecordAsync(failure.Entry, cancellationToken);
        }
        throw new CommandException($"Migration {id} failed ({failure.Exception.Message}). {outcome} Fix the cause (see the log), then run the command again.");
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

    /// <summary>The applied migrations after the target, newest first; the target must be applied (or "0").</summary>
    private static (string Target, List<string> Reverting) AppliedAfter(MigrationStatus status, MigrationCatalog catalog, string targetMigration)
    {
        var id = catalog.Resolve(targetMigration);
        if (id != Migration.InitialDatabase && !status.Applied.Contains(id, StringComparer.Ordinal))
        {
            throw new CommandException($"Migration {id} is not applied, so there is nothing to go down to: `shepherd migrate status` lists the applied ones.");
        }
        var reverting = status.Applied.Where(a => string.CompareOrdinal(a, id) > 0).Reverse().ToList();
        var unknown = reverting.Where(a => !catalog.Contains(a)).ToList();
        if (unknown.Count > 0)
        {
            throw new CommandException(
                $"This build does not contain {string.Join(", ", unknown)}, so it cannot take them back. Run `migrate down` with the release that applied them. Nothing was changed.");
        }
        return (id, reverting);
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
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
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

    /// <summary>No schema change without a restorable backup: a full backup with its manifest, unless the database is empty.</summary>
    private async Task<CreatedBackup?> BackupFirstAsync(CancellationToken cancellationToken)
    {
        if (!await HasTablesAsync(cancellationToken))
        {
            return null; // a new, empty database has nothing to lose
        }
        var backup = await backups.CreateAsync(BackupLabel, cancellationToken);
        logger.LogInformation("Backup before changing the schema: {Backup}", backup.File);
        return backup;
    }

    private async Task<bool> HasTablesAsync(CancellationToken cancellationToken)
    {
        if (target.SqliteFile is { } file && !File.Exists(file))
        {
            return false;
        }
        await using var db = contexts.Create(null, AuditActor.System);
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var command = connection.CreateCommand();
            command.CommandText = target.Provider == DatabaseProvider.Sqlite
                ? $"SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '__EFMigrations%' AND name <> '{MigrationHistory.Table}'"
                : $"SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = current_schema() AND tablename NOT LIKE '__EFMigrations%' AND tablename <> '{MigrationHistory.Table}'";
            return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) > 0;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}

/// <summary>
/// Runs the startup migration policy before the web server takes requests (and before the worker's jobs start).
/// On SQLite it then marks the database file as in use for as long as the process runs (<see cref="SqliteFiles.HoldInUse"/>),
/// so that `backup restore` refuses to swap the file under a running server.
/// </summary>
public sealed class DatabaseStartup(SchemaMigrator migrator, DatabaseTarget target) : IHostedService, IDisposable
{
    private FileStream? _inUse;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await migrator.EnsureReadyAtStartupAsync(cancellationToken);
        if (target.SqliteFile is { } file)
        {
            _inUse = SqliteFiles.HoldInUse(file);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _inUse?.Dispose();
        _inUse = null;
    }
}
