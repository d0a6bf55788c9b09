using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Shepherd.Operations.Migrations;
using Shepherd.Tests.Cli;
using Shouldly;

namespace Shepherd.Tests.Migrations;

/// <summary>`shepherd migrate status|up|verify|script` with checksums, run as the real executable against a fresh database.</summary>
public abstract class MigrateCommandTests
{
    private const string FutureMigration = "29990101000000_FromANewerRelease";

    protected abstract Task<CliDatabase> NewDatabaseAsync();

    [Fact]
    public async Task Status_after_up_shows_when_which_version_and_checksum_each_migration_was_applied()
    {
        await using var db = await NewDatabaseAsync();
        (await db.RunAsync("migrate", "up")).ExitCode.ShouldBe(0);

        var status = await db.RunAsync("migrate", "status");

        status.ExitCode.ShouldBe(0, status.ToString());
        status.Stdout.ShouldMatch(@"applied\s+\d+_Initial\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ\s+v\d+\.\d+\.\d+\S*\s+sha256:[0-9a-f]{12}");
        var history = await HistoryAsync(db);
        history.Select(h => h.MigrationId).ShouldBe(ShepherdMigrations.Ids(db.Provider));
        history.ShouldAllBe(h => h.Outcome == MigrationOutcome.Succeeded);
        var entry = history[0];
        entry.Outcome.ShouldBe(MigrationOutcome.Succeeded);
        entry.Checksum.ShouldMatch("^[0-9a-f]{64}$");
        entry.AppliedBy.ShouldStartWith("cli migrate up by ");
        status.Stdout.ShouldContain($"sha256:{entry.Checksum[..12]}");
    }

    [Fact]
    public async Task Verify_passes_with_a_one_line_summary_after_up()
    {
        await using var db = await NewDatabaseAsync();
        (await db.RunAsync("migrate", "up")).ExitCode.ShouldBe(0);

        var verify = await db.RunAsync("migrate", "verify");

        verify.ExitCode.ShouldBe(0, verify.ToString());
        verify.Stdout.Trim().ShouldBe($"OK: {ShepherdMigrations.Ids(db.Provider).Count} applied migration(s) match this build.");
    }

    [Fact]
    public async Task Verify_reports_an_edited_migration_with_both_checksums_and_exits_1()
    {
        await using var db = await NewDatabaseAsync();
        (await db.RunAsync("migrate", "up")).ExitCode.ShouldBe(0);
        var applied = (await HistoryAsync(db))[0];
        var tampered = new string('a', 64);
        await ExecuteAsync(db, $"UPDATE {MigrationHistory.Table} SET checksum = '{tampered}' WHERE migration_id = '{applied.MigrationId}'");

        var verify = await db.RunAsync("migrate", "verify");

        verify.ExitCode.ShouldBe(1, verify.ToString());
        verify.Stderr.ShouldContain($"Migration {applied.MigrationId} was edited after it was applied");
        verify.Stderr.ShouldContain(tampered);
        verify.Stderr.ShouldContain(applied.Checksum);
        (await db.RunAsync("migrate", "status")).Stdout.ShouldContain("DRIFT");
    }

    [Fact]
    public async Task Verify_reports_an_applied_migration_this_build_does_not_have_and_exits_1()
    {
        await using var db = await NewDatabaseAsync();
        (await db.RunAsync("migrate", "up")).ExitCode.ShouldBe(0);
        await ExecuteAsync(db, $"INSERT INTO \"__EFMigrationsHistory\" (migration_id, product_version) VALUES ('{FutureMigration}', '10.0.0')");

        var verify = await db.RunAsync("migrate", "verify");

        verify.ExitCode.ShouldBe(1, verify.ToString());
        verify.Stderr.ShouldContain($"Applied migration {FutureMigration} is not in this build (was it deleted or is this an older release?)");
        (await db.RunAsync("migrate", "status")).Stdout.ShouldMatch($@"applied\s+{FutureMigration}\s+NOT IN THIS BUILD");
    }

    [Fact]
    public async Task Verify_only_warns_about_a_migration_applied_before_checksums_were_recorded()
    {
        await using var db = await NewDatabaseAsync();
        (await db.RunAsync("migrate", "up")).ExitCode.ShouldBe(0);
        await ExecuteAsync(db, $"DROP TABLE {MigrationHistory.Table}");

        var verify = await db.RunAsync("migrate", "verify");

        verify.ExitCode.ShouldBe(0, verify.ToString());
        verify.Stdout.ShouldContain("has no checksum recorded");
        var count = ShepherdMigrations.Ids(db.Provider).Count;
        verify.Stdout.ShouldContain($"OK: {count} applied migration(s) match this build ({count} without a recorded checksum).");
        (await db.RunAsync("migrate", "status")).Stdout.ShouldContain("no checksum recorded");
    }

    [Fact]
    public async Task Up_to_an_unknown_migration_fails_listing_the_known_ones_and_applies_nothing()
    {
        await using var db = await NewDatabaseAsync();

        var up = await db.RunAsync("migrate", "up", "--to", "NoSuchMigration");

        up.ExitCode.ShouldBe(1, up.ToString());
        up.Stderr.ShouldMatch(@"Unknown migration 'NoSuchMigration'\. Migrations in this build: \d+_Initial");
        (await db.RunAsync("migrate", "status")).Stdout.ShouldMatch(@"pending\s+\d+_Initial");
    }

    [Fact]
    public async Task Up_to_a_migration_by_name_applies_it_and_a_second_run_has_nothing_to_do()
    {
        await using var db = await NewDatabaseAsync();

        var up = await db.RunAsync("migrate", "up", "--to", "Initial");

        up.ExitCode.ShouldBe(0, up.ToString());
        up.Stdout.ShouldMatch(@"applied\s+\d+_Initial");
        var again = await db.RunAsync("migrate", "up", "--to", "Initial");
        again.Stdout.ShouldContain("Nothing to apply: Initial is already applied.");
    }

    [Fact]
    public async Task Up_dry_run_prints_the_pending_sql_and_changes_nothing()
    {
        await using var db = await NewDatabaseAsync();

        var dryRun = await db.RunAsync("migrate", "up", "--dry-run");

        dryRun.ExitCode.ShouldBe(0, dryRun.ToString());
        dryRun.Stdout.ShouldMatch(@"-- would apply \d+_Initial");
        dryRun.Stdout.ShouldMatch("CREATE TABLE \"?people\"?");
        dryRun.Stdout.ShouldContain("nothing was changed");
        (await db.RunAsync("migrate", "status")).Stdout.ShouldMatch(@"pending\s+\d+_Initial");
        await using var context = db.Context(null);
        (await context.Database.GetAppliedMigrationsAsync()).ShouldBeEmpty();
        (await HistoryAsync(db)).ShouldBeEmpty();
    }

    [Fact]
    public async Task Script_prints_the_sql_from_an_empty_database_for_a_dba()
    {
        await using var db = await NewDatabaseAsync();

        var script = await db.RunAsync("migrate", "script", "--from", "0", "--to", "Initial");

        script.ExitCode.ShouldBe(0, script.ToString());
        script.Stdout.ShouldMatch("CREATE TABLE \"?people\"?");
        script.Stdout.ShouldContain("__EFMigrationsHistory");
        var unknown = await db.RunAsync("migrate", "script", "--to", "NoSuchMigration");
        unknown.ExitCode.ShouldBe(1, unknown.ToString());
        unknown.Stderr.ShouldContain("Unknown migration 'NoSuchMigration'");
    }

    [Fact]
    public async Task A_failed_migration_exits_1_and_its_failure_is_recorded_in_the_history()
    {
        await using var db = await NewDatabaseAsync();
        (await db.RunAsync("migrate", "up")).ExitCode.ShouldBe(0);
        // Forget that the first migration ran, so applying it again fails (its tables exist).
        await ExecuteAsync(db, "DELETE FROM \"__EFMigrationsHistory\"");

        var up = await db.RunAsync("migrate", "up");

        up.ExitCode.ShouldBe(1, up.ToString());
        up.Stderr.ShouldMatch(@"Migration \d+_Initial failed");
        var history = await HistoryAsync(db);
        history.Select(h => h.Outcome).ShouldBe([.. ShepherdMigrations.Ids(db.Provider).Select(_ => MigrationOutcome.Succeeded), MigrationOutcome.Failed]);
        history[^1].Error.ShouldNotBeNullOrWhiteSpace();
        AssertFailureMessage(up);
    }

    protected abstract void AssertFailureMessage(ProcessResult up);

    private static async Task ExecuteAsync(CliDatabase db, string sql)
    {
        await using var context = db.Context(null);
        await context.Database.ExecuteSqlRawAsync(sql);
        // A pooled connection here would keep the old WAL open across a restore by the child process and hide its writes.
        SqliteConnection.ClearAllPools();
    }

    private static async Task<IReadOnlyList<MigrationHistoryEntry>> HistoryAsync(CliDatabase db)
    {
        await using var context = db.Context(null);
        return await new MigrationHistory(context).ReadAsync(CancellationToken.None);
    }
}

public sealed class SqliteMigrateCommandTests : MigrateCommandTests
{
    protected override Task<CliDatabase> NewDatabaseAsync() => Task.FromResult<CliDatabase>(new SqliteCliDatabase());

    protected override void AssertFailureMessage(ProcessResult up) => up.Stderr.ShouldContain("restored from the backup");
}

public sealed class PostgresMigrateCommandTests : MigrateCommandTests
{
    protected override async Task<CliDatabase> NewDatabaseAsync() => await PostgresCliDatabase.CreateAsync();

    protected override void AssertFailureMessage(ProcessResult up) => up.Stderr.ShouldContain("rolled back: nothing was changed");
}
