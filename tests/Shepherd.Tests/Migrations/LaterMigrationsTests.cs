using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Shepherd.Data;
using Shepherd.Data.Organizations;
using Shepherd.Data.People;
using Shepherd.Operations.Backups;
using Shepherd.Operations.Migrations;
using Shepherd.Tests.Cli;
using Shouldly;

namespace Shepherd.Tests.Migrations;

/// <summary>
/// `migrate up`, `down` and `backup restore` across releases: the database is pointed at a test migrations assembly
/// holding Shepherd's real migrations plus three later ones (tests/Shepherd.TestMigrations): a new table, an index on
/// it, and a migration that can be made to fail half-way.
/// </summary>
public abstract class LaterMigrationsTests
{
    private const string AddPrayerRequests = "20270101000000_AddPrayerRequests";
    private const string IndexPrayerRequests = "20270101000100_IndexPrayerRequests";
    private const string AddVisitorCards = "20270101000200_AddVisitorCards";

    /// <summary>Makes AddVisitorCards fail half-way, after it created its table and a row.</summary>
    private const string FailMigrationVariable = "SHEPHERD_TEST_FAIL_MIGRATION";
    private static readonly TimeSpan Minutes = TimeSpan.FromMinutes(3);

    protected abstract Task<CliDatabase> NewDatabaseAsync();

    /// <summary>A database on the test migrations, migrated to <paramref name="to"/>, with an organization and three people.</summary>
    private async Task<CliDatabase> DatabaseAtAsync(string to)
    {
        var db = await NewDatabaseAsync();
        db.Settings["Shepherd:Database:MigrationsAssembly"] =
            Path.Combine(AppContext.BaseDirectory, $"Shepherd.TestMigrations.{db.Provider}.dll");
        var up = await db.RunAsync("migrate", "up", "--to", to);
        up.ExitCode.ShouldBe(0, up.ToString());
        long organizationId;
        await using (var global = db.Context(null))
        {
            var organization = new Organization { Name = "Later Church" };
            global.Organizations.Add(organization);
            await global.SaveChangesAsync();
            organizationId = organization.Id;
        }
        await using (var ctx = db.Context(organizationId))
        {
            ctx.People.AddRange(
                new Person { FirstName = "Ruth", LastName = "Moab" },
                new Person { FirstName = "Boaz", LastName = "Bethlehem" },
                new Person { FirstName = "Naomi", LastName = "Bethlehem" });
            await ctx.SaveChangesAsync();
        }
        ReleaseConnections();
        return db;
    }

    private static void ReleaseConnections()
    {
        SqliteConnection.ClearAllPools();
        NpgsqlConnection.ClearAllPools();
    }

    private static async Task ExecuteAsync(CliDatabase db, string sql)
    {
        await using (var ctx = db.Context(null))
        {
            await ctx.Database.ExecuteSqlRawAsync(sql);
        }
        ReleaseConnections();
    }

    private static async Task<long> CountAsync(CliDatabase db, string table)
    {
        long count;
        await using (var ctx = db.Context(null))
        {
            var connection = ctx.Database.GetDbConnection();
            await connection.OpenAsync();
            count = (await TableRowCounter.CountAsync(connection, null, [table], CancellationToken.None))[table];
        }
        ReleaseConnections();
        return count;
    }

    private static async Task<IReadOnlyList<string>> TablesAsync(CliDatabase db)
    {
        IReadOnlyList<string> tables;
        await using (var ctx = db.Context(null))
        {
            var connection = ctx.Database.GetDbConnection();
            await connection.OpenAsync();
            tables = await TableRowCounter.TablesAsync(connection, null, CancellationToken.None);
        }
        ReleaseConnections();
        return tables;
    }

    private static async Task<IReadOnlyList<MigrationHistoryEntry>> HistoryAsync(CliDatabase db)
    {
        IReadOnlyList<MigrationHistoryEntry> history;
        await using (var ctx = db.Context(null))
        {
            history = await new MigrationHistory(ctx).ReadAsync(CancellationToken.None);
        }
        ReleaseConnections();
        return history;
    }

    private static string[] Backups(CliDatabase db, string label) =>
        Directory.Exists(Path.Combine(db.Settings["Shepherd:DataFolder"]!, "backups"))
            ? Directory.GetFiles(Path.Combine(db.Settings["Shepherd:DataFolder"]!, "backups"), $"*-{label}*{BackupFolder.Extension}")
            : [];

    [Fact]
    public async Task A_migration_that_fails_half_way_leaves_the_database_exactly_as_before_and_exits_1()
    {
        await using var db = await DatabaseAtAsync(ShepherdMigrations.LatestName);
        var before = await DatabaseDump.TakeAsync(db);

        var environment = new Dictionary<string, string?>(db.Environment) { [FailMigrationVariable] = "1" };
        var up = await ShepherdProcess.RunAsync(environment, Minutes, "migrate", "up");

        up.ExitCode.ShouldBe(1, up.ToString());
        up.Stderr.ShouldContain($"Migration {AddVisitorCards} failed");
        up.Stderr.ShouldContain(db.Provider == DatabaseProvider.Postgres ? "rolled back: nothing was changed" : "restored from the backup");
        (await DatabaseDump.TakeAsync(db)).ShouldBe(before, "the two migrations before the failing one are undone too");
        var history = await HistoryAsync(db);
        history[^1].MigrationId.ShouldBe(AddVisitorCards);
        history[^1].Outcome.ShouldBe(MigrationOutcome.Failed);
        history[^1].Error!.ShouldContain("table_that_does_not_exist");
        Backups(db, SchemaMigrator.BackupLabel).Length.ShouldBe(1, "a backup is taken before any migration runs");

        var again = await db.RunAsync("migrate", "up");
        again.ExitCode.ShouldBe(0, again.ToString());
        (await CountAsync(db, "visitor_cards")).ShouldBe(1);
        (await CountAsync(db, "people")).ShouldBe(3);
    }

    [Fact]
    public async Task Down_refuses_to_lose_data_without_allow_data_loss_and_down_then_up_round_trips()
    {
        await using var db = await DatabaseAtAsync(IndexPrayerRequests);
        await ExecuteAsync(db, "INSERT INTO prayer_requests (id, organization_id, person_id, request) VALUES (1, 1, 1, 'Healing'), (2, 1, 2, 'Harvest')");
        var schemaAtIndex = Schema(await DatabaseDump.TakeAsync(db));

        // An index only: no data lost, no --allow-data-loss needed.
        var index = await db.RunAsync("migrate", "down", "--to", AddPrayerRequests, "--yes");
        index.ExitCode.ShouldBe(0, index.ToString());
        index.Stdout.ShouldContain($"reverted  {IndexPrayerRequests}");
        index.Stdout.ShouldNotContain("DATA LOSS");

        var refused = await db.RunAsync("migrate", "down", "--to", ShepherdMigrations.LatestName, "--yes");
        refused.ExitCode.ShouldBe(1, refused.ToString());
        refused.Stdout.ShouldContain($"DATA LOSS: {AddPrayerRequests} drops table prayer_requests with 2 row(s)");
        refused.Stderr.ShouldContain("--allow-data-loss");
        (await CountAsync(db, "prayer_requests")).ShouldBe(2);

        var unconfirmed = await db.RunAsync("migrate", "down", "--to", ShepherdMigrations.LatestName, "--allow-data-loss");
        unconfirmed.ExitCode.ShouldBe(1, unconfirmed.ToString());
        unconfirmed.Stderr.ShouldContain("add --yes");
        (await CountAsync(db, "prayer_requests")).ShouldBe(2);

        var down = await db.RunAsync("migrate", "down", "--to", ShepherdMigrations.LatestName, "--yes", "--allow-data-loss");
        down.ExitCode.ShouldBe(0, down.ToString());
        down.Stdout.ShouldContain($"reverted  {AddPrayerRequests}");
        (await TablesAsync(db)).ShouldNotContain("prayer_requests");
        (await CountAsync(db, "people")).ShouldBe(3);
        var backup = Backups(db, SchemaMigrator.BackupLabel).Order(StringComparer.Ordinal).Last();
        (await BackupArchive.ReadManifestAsync(backup, CancellationToken.None)).RowCounts["prayer_requests"].ShouldBe(2, "the backup before going down still has the dropped rows");

        var up = await db.RunAsync("migrate", "up", "--to", IndexPrayerRequests);
        up.ExitCode.ShouldBe(0, up.ToString());
        Schema(await DatabaseDump.TakeAsync(db)).ShouldBe(schemaAtIndex);
        (await CountAsync(db, "prayer_requests")).ShouldBe(0);
        var history = await HistoryAsync(db);
        history.Where(h => h.MigrationId == IndexPrayerRequests).Select(h => h.Outcome)
            .ShouldBe([MigrationOutcome.Succeeded, MigrationOutcome.Reverted, MigrationOutcome.Succeeded]);
        var verify = await db.RunAsync("migrate", "verify");
        verify.ExitCode.ShouldBe(0, verify.ToString());
    }

    [Fact]
    public async Task Down_to_a_migration_that_is_not_applied_or_unknown_is_refused_with_the_reason()
    {
        await using var db = await DatabaseAtAsync(AddPrayerRequests);

        var notApplied = await db.RunAsync("migrate", "down", "--to", IndexPrayerRequests, "--yes");
        notApplied.ExitCode.ShouldBe(1, notApplied.ToString());
        notApplied.Stderr.ShouldContain($"Migration {IndexPrayerRequests} is not applied");

        var unknown = await db.RunAsync("migrate", "down", "--to", "NoSuchMigration", "--yes");
        unknown.ExitCode.ShouldBe(1, unknown.ToString());
        unknown.Stderr.ShouldContain("Unknown migration 'NoSuchMigration'");

        var missing = await db.RunAsync("migrate", "down", "--yes");
        missing.ExitCode.ShouldNotBe(0, missing.ToString());
        missing.Stderr.ShouldContain("--to");

        var nothing = await db.RunAsync("migrate", "down", "--to", AddPrayerRequests);
        nothing.ExitCode.ShouldBe(0, nothing.ToString());
        nothing.Stdout.ShouldContain("Nothing to take back");
        (await HistoryAsync(db)).ShouldNotContain(h => h.Outcome == MigrationOutcome.Reverted);
    }

    [Fact]
    public async Task Two_concurrent_migrate_up_runs_apply_each_migration_once()
    {
        await using var db = await DatabaseAtAsync(ShepherdMigrations.LatestName);
        var target = db.Services.GetRequiredService<DatabaseTarget>();
        RunningShepherd first, second;
        // Hold the lock so both runs are certainly waiting at the same time, then let them race.
        await using (await MigrationLock.AcquireAsync(target, TimeProvider.System, TimeSpan.FromSeconds(10), _ => { }, CancellationToken.None))
        {
            first = ShepherdProcess.Start(db.Environment, "migrate", "up", "--to", IndexPrayerRequests);
            second = ShepherdProcess.Start(db.Environment, "migrate", "up", "--to", IndexPrayerRequests);
            await first.WaitForOutputAsync("Another migration run is in progress", Minutes);
            await second.WaitForOutputAsync("Another migration run is in progress", Minutes);
        }
        await using var _ = first;
        await using var __ = second;
        var results = new[] { await first.WaitAsync(Minutes), await second.WaitAsync(Minutes) };

        results.ShouldAllBe(r => r.ExitCode == 0);
        results.Count(r => r.Stdout.Contains("Applied 2 migration(s)", StringComparison.Ordinal)).ShouldBe(1, string.Join("\n", results));
        results.Count(r => r.Stdout.Contains("Nothing to apply", StringComparison.Ordinal)).ShouldBe(1, string.Join("\n", results));
        var history = await HistoryAsync(db);
        history.Count(h => h.MigrationId == AddPrayerRequests && h.Outcome == MigrationOutcome.Succeeded).ShouldBe(1);
        history.Count(h => h.MigrationId == IndexPrayerRequests && h.Outcome == MigrationOutcome.Succeeded).ShouldBe(1);
        Backups(db, SchemaMigrator.BackupLabel).Length.ShouldBe(1, "the run that found nothing to do took no backup");
    }

    [Fact]
    public async Task Restoring_an_older_backup_drops_the_newer_tables_and_migrates_forward()
    {
        await using var db = await DatabaseAtAsync(ShepherdMigrations.LatestName);
        var create = await db.RunAsync("backup", "create");
        create.ExitCode.ShouldBe(0, create.ToString());
        var backup = create.Stdout.Split('\n').Single(l => l.StartsWith("Backup: ", StringComparison.Ordinal))["Backup: ".Length..].Trim();
        (await db.RunAsync("migrate", "up", "--to", IndexPrayerRequests)).ExitCode.ShouldBe(0);
        await ExecuteAsync(db, "INSERT INTO prayer_requests (id, organization_id, person_id, request) VALUES (1, 1, 1, 'Written after the backup')");
        await ExecuteAsync(db, "DELETE FROM people WHERE first_name = 'Ruth'");

        var restore = await db.RunAsync("backup", "restore", backup, "--yes");

        restore.ExitCode.ShouldBe(0, restore.ToString());
        restore.Stdout.ShouldContain($"Schema: before {IndexPrayerRequests}, backup ");
        restore.Stdout.ShouldContain($"after {AddVisitorCards} (3 migration(s) applied)");
        (await CountAsync(db, "people")).ShouldBe(3);
        (await CountAsync(db, "prayer_requests")).ShouldBe(0, "the newer table was dropped with the restore, then created again by the forward migration");
        (await CountAsync(db, "visitor_cards")).ShouldBe(1);
        var status = await db.RunAsync("migrate", "status");
        status.Stdout.ShouldContain("Up to date");
    }

    /// <summary>The schema part of a dump (everything before the first table's rows).</summary>
    private static string Schema(string dump) => dump[..dump.IndexOf("-- rows of", StringComparison.Ordinal)];
}

public sealed class SqliteLaterMigrationsTests : LaterMigrationsTests
{
    protected override Task<CliDatabase> NewDatabaseAsync() => Task.FromResult<CliDatabase>(new SqliteCliDatabase());
}

public sealed class PostgresLaterMigrationsTests : LaterMigrationsTests
{
    protected override async Task<CliDatabase> NewDatabaseAsync() => await PostgresCliDatabase.CreateAsync();
}
