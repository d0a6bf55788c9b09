using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using Shepherd.Data;
using Shepherd.Operations.Maintenance;
using Shepherd.Operations.Migrations;
using Shepherd.Tests.Cli;
using Shouldly;

namespace Shepherd.Tests.Jobs;

/// <summary>The nightly database maintenance fired through Quartz on a real database of each provider.</summary>
public sealed class MaintenanceJobTests
{
    [Fact]
    public async Task On_SQLite_maintenance_vacuums_a_file_with_many_free_pages_and_records_integrity_ok()
    {
        await using var db = new SqliteCliDatabase();
        await using var jobs = await JobHost.StartAsync(db);
        var file = jobs.Services.GetRequiredService<DatabaseTarget>().SqliteFile!;
        await using (var connection = new SqliteConnection($"Data Source={file};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var fill = connection.CreateCommand();
            // About 8 MB of pages that become free when the table is dropped.
            fill.CommandText = """
                CREATE TABLE filler(data BLOB);
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) INSERT INTO filler SELECT randomblob(4000) FROM n;
                DROP TABLE filler;
                """;
            await fill.ExecuteNonQueryAsync();
        }
        var pagesBefore = await PragmaAsync(file, "page_count");
        var freeBefore = await PragmaAsync(file, "freelist_count");
        (100.0 * freeBefore / pagesBefore).ShouldBeGreaterThan(20);

        var report = await jobs.RunAsync<MaintenanceReport>(DatabaseMaintenanceJob.Key);

        TestContext.Current.TestOutputHelper?.WriteLine(string.Join("\n", report.Steps));
        report.Error.ShouldBeNull();
        report.Vacuumed.ShouldBeTrue();
        report.PagesBefore.ShouldBe(pagesBefore);
        report.PagesAfter.ShouldNotBeNull().ShouldBeLessThan(pagesBefore / 4);
        (await PragmaAsync(file, "page_count")).ShouldBe(report.PagesAfter!.Value);
        (await PragmaAsync(file, "freelist_count")).ShouldBe(0);
        new FileInfo(file).Length.ShouldBeLessThan(2_000_000);
        report.IntegrityOk.ShouldBe(true);
        report.IntegrityDetail.ShouldBe("quick_check: ok");
        report.Analyzed.ShouldBeTrue("a new database had never been analyzed");
        report.Steps.ShouldContain("PRAGMA optimize");
        report.Steps.ShouldContain("PRAGMA wal_checkpoint(TRUNCATE)");
        jobs.Services.GetRequiredService<MaintenanceStatus>().Last.ShouldBe(report);
        var health = await jobs.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(c => c.Name == "database-integrity");
        health.Entries["database-integrity"].Status.ShouldBe(HealthStatus.Healthy);

        var again = await jobs.RunAsync<MaintenanceReport>(DatabaseMaintenanceJob.Key);
        again.Vacuumed.ShouldBeFalse("nothing is free any more");
        again.Analyzed.ShouldBeFalse("statistics exist now; PRAGMA optimize keeps them fresh");
    }

    [Fact]
    public async Task On_PostgreSQL_maintenance_analyzes_and_reports_dead_rows_and_long_transactions()
    {
        await using var db = await PostgresCliDatabase.CreateAsync();
        try
        {
            using (var migrate = JobHost.Build(db))
            {
                await migrate.Services.GetRequiredService<SchemaMigrator>().ApplyAsync(CancellationToken.None);
            }
            var connectionString = new NpgsqlConnectionStringBuilder(db.Settings["ConnectionStrings:Shepherd"]) { Pooling = false }.ToString();
            await using (var connection = new NpgsqlConnection(connectionString))
            {
                await connection.OpenAsync();
                // Autovacuum off for this table, so the dead rows are still there when maintenance looks.
                await using var rows = new NpgsqlCommand("""
                    CREATE TABLE probe(id int) WITH (autovacuum_enabled = false);
                    INSERT INTO probe SELECT generate_series(1, 5000);
                    DELETE FROM probe WHERE id <= 3000;
                    """, connection);
                await rows.ExecuteNonQueryAsync();
            } // closing the session flushes its table statistics

            await using var holder = new NpgsqlConnection(connectionString);
            await holder.OpenAsync();
            await using (var begin = new NpgsqlCommand("BEGIN; SELECT count(*) FROM probe;", holder))
            {
                await begin.ExecuteNonQueryAsync();
            }
            var pid = holder.ProcessID;
            await using var jobs = await JobHost.StartAsync(db, new Dictionary<string, string?> { ["Shepherd:Maintenance:LongTransactionSeconds"] = "1" });
            await WaitUntilAsync(connectionString, $"SELECT now() - xact_start > interval '1 second' FROM pg_stat_activity WHERE pid = {pid}");

            var report = await jobs.RunAsync<MaintenanceReport>(DatabaseMaintenanceJob.Key);

            report.Error.ShouldBeNull();
            report.Provider.ShouldBe(DatabaseProvider.Postgres);
            report.Analyzed.ShouldBeTrue();
            await WaitUntilAsync(connectionString, "SELECT last_analyze IS NOT NULL FROM pg_stat_user_tables WHERE relname = 'people'");
            await WaitUntilAsync(connectionString, "SELECT last_analyze IS NOT NULL FROM pg_stat_user_tables WHERE relname = 'probe'");
            var probe = report.Bloat.ShouldHaveSingleItem();
            probe.Table.ShouldBe("probe");
            probe.DeadRows.ShouldBe(3000);
            probe.LiveRows.ShouldBe(2000);
            report.LongTransactions.ShouldContain(t => t.Pid == pid && t.State == "idle in transaction" && t.Age >= TimeSpan.FromSeconds(1));
            report.IntegrityOk.ShouldBeNull("PostgreSQL has no file-level integrity check to run");
            jobs.Services.GetRequiredService<MaintenanceStatus>().Last.ShouldBe(report);
        }
        finally
        {
            JobHost.DeleteDataFolder(db);
        }
    }

    private static async Task<long> PragmaAsync(string file, string pragma)
    {
        await using var connection = new SqliteConnection($"Data Source={file};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA {pragma}";
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Polls a boolean query until it is true, for at most 30 seconds.</summary>
    private static async Task WaitUntilAsync(string connectionString, string sql)
    {
        var deadline = TimeProvider.System.GetUtcNow().AddSeconds(30);
        while (true)
        {
            await using (var connection = new NpgsqlConnection(connectionString))
            {
                await connection.OpenAsync();
                await using var command = new NpgsqlCommand(sql, connection);
                if (await command.ExecuteScalarAsync() is true)
                {
                    return;
                }
            }
            if (TimeProvider.System.GetUtcNow() > deadline)
            {
                throw new TimeoutException($"Still false after 30 s: {sql}");
            }
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }
}
