using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Shepherd.Operations.Backups;
using Shepherd.Tests.Cli;
using Shepherd.Tests.Infrastructure;
using Shouldly;

namespace Shepherd.Tests.Durability;

/// <summary>
/// "Nothing committed is lost on a crash": a real `shepherd serve` takes concurrent API writes, is killed with SIGKILL
/// mid-stream, and is started again on the same database. Every write that was answered 201 must still be there, and
/// the database must be sound enough to read in full and to back up and verify.
/// </summary>
public abstract partial class CrashDurabilityTests
{
    private const int Writers = 4;
    private const int KillAfterAcknowledged = 300;

    protected abstract Task<CliDatabase> NewDatabaseAsync();

    /// <summary>What can be checked about the crashed database before any Shepherd process opens it again.</summary>
    protected abstract Task CheckCrashedDatabaseAsync(CliDatabase db);

    [Fact]
    public async Task Every_write_acknowledged_before_a_kill_9_of_the_server_is_there_after_a_restart()
    {
        await using var db = await NewDatabaseAsync();
        var church = await ServedChurch.SetUpAsync(db);
        var log = TestContext.Current.TestOutputHelper;

        ApiWriters writers;
        await using (var serve = await ServeProcess.StartAsync(db.Environment))
        {
            using var api = serve.CreateClient(church.Token);
            writers = new ApiWriters(api, await ServedChurch.CreateServiceAsync(api));
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(40));
            var writing = writers.RunAsync(Writers, stop.Token);
            var clock = Stopwatch.StartNew();
            await writers.WaitForAcknowledgedAsync(KillAfterAcknowledged, TimeSpan.FromSeconds(30));
            await serve.KillAsync();
            log?.WriteLine($"killed after {writers.Acknowledged} acknowledged writes in {clock.Elapsed.TotalSeconds:0.0}s");
            // Bounded: each writer stops at the first request the dead server cannot answer, or at `stop`.
            await writing;
        }
        writers.Refused.ShouldBeEmpty();
        writers.CutOff.Count.ShouldBe(Writers, "every writer was still writing when the server died");
        writers.Acknowledged.ShouldBeGreaterThanOrEqualTo(KillAfterAcknowledged);

        await CheckCrashedDatabaseAsync(db);

        var restarting = Stopwatch.StartNew();
        await using (var restarted = await ServeProcess.StartAsync(db.Environment))
        {
            log?.WriteLine($"healthy again {restarting.Elapsed.TotalSeconds:0.0}s after the restart");
            using var api = restarted.CreateClient(church.Token);
            foreach (var id in writers.People)
            {
                using var response = await api.GetAsync($"api/v1/people/{id}");
                response.StatusCode.ShouldBe(HttpStatusCode.OK, $"person {id} was acknowledged before the crash");
            }

            await using (var ctx = db.Context(church.OrganizationId))
            {
                var people = (await ctx.People.Select(p => p.Id).ToListAsync()).ToHashSet();
                writers.People.Where(id => !people.Contains(id)).ShouldBeEmpty("acknowledged people lost in the crash");
                var checkIns = (await ctx.Attendance.Select(a => new { a.ServiceId, a.PersonId }).ToListAsync())
                    .Select(a => (a.ServiceId, a.PersonId)).ToHashSet();
                writers.Attendance.Where(a => !checkIns.Contains(a)).ShouldBeEmpty("acknowledged check-ins lost in the crash");
                log?.WriteLine($"after the restart: {people.Count} people ({writers.People.Count} acknowledged), " +
                    $"{checkIns.Count} check-ins ({writers.Attendance.Count} acknowledged)");
                await ReadEveryRowOfEveryTableAsync(ctx);
            }

            using var after = await api.PostAsJsonAsync("api/v1/people", new { firstName = "After", lastName = "Crash" });
            after.StatusCode.ShouldBe(HttpStatusCode.Created, await after.Content.ReadAsStringAsync());

            var create = await db.RunAsync("backup", "create", "--label", "after-crash");
            create.ExitCode.ShouldBe(0, create.ToString());
            var file = BackupLine().Match(create.Stdout).Groups[1].Value.Trim();
            var manifest = await BackupArchive.ReadManifestAsync(file, CancellationToken.None);
            manifest.RowCounts["people"].ShouldBeGreaterThanOrEqualTo(writers.People.Count + 1);
            manifest.RowCounts["attendance"].ShouldBeGreaterThanOrEqualTo(writers.Attendance.Count);
            var verify = await db.RunAsync("backup", "verify", file);
            verify.ExitCode.ShouldBe(0, verify.ToString());
            verify.Stdout.ShouldContain("Verified: 4/4 checks passed");
        }
    }

    /// <summary>Reads every column of every row of every table: a damaged page or index would fail here.</summary>
    private static async Task ReadEveryRowOfEveryTableAsync(Shepherd.Data.ShepherdDbContext ctx)
    {
        var connection = ctx.Database.GetDbConnection();
        await connection.OpenAsync();
        foreach (var table in await TableRowCounter.TablesAsync(connection, null, CancellationToken.None))
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT * FROM \"{table}\"";
            await using var reader = await command.ExecuteReaderAsync();
            var values = new object[reader.FieldCount];
            while (await reader.ReadAsync())
            {
                reader.GetValues(values);
            }
        }
    }

    [GeneratedRegex(@"^Backup: (.+)$", RegexOptions.Multiline)]
    private static partial Regex BackupLine();
}

/// <summary>On SQLite the server process is the database engine: this is the real test of WAL with synchronous=FULL.</summary>
public sealed class SqliteCrashDurabilityTests : CrashDurabilityTests
{
    protected override Task<CliDatabase> NewDatabaseAsync() => Task.FromResult<CliDatabase>(new SqliteCliDatabase());

    protected override async Task CheckCrashedDatabaseAsync(CliDatabase db)
    {
        var file = Path.Combine(db.Settings["Shepherd:DataFolder"]!, "shepherd.db");
        // Only a clean close removes the write-ahead log; its presence shows the server really died mid-flight.
        File.Exists(file + "-wal").ShouldBeTrue("the killed server left its write-ahead log behind");
        TestContext.Current.TestOutputHelper?.WriteLine($"write-ahead log left by the crash: {new FileInfo(file + "-wal").Length:N0} bytes");

        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA integrity_check";
        var lines = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            lines.Add(reader.GetString(0));
        }
        lines.ShouldBe(["ok"]);
    }
}

/// <summary>
/// On PostgreSQL the application crashes, not the database server (which scripts/test runs with fsync=off, so a server
/// crash is not what can be tested here): a commit PostgreSQL confirmed must not depend on the client staying alive.
/// </summary>
public sealed class PostgresCrashDurabilityTests : CrashDurabilityTests
{
    protected override async Task<CliDatabase> NewDatabaseAsync() => await PostgresCliDatabase.CreateAsync();

    protected override async Task CheckCrashedDatabaseAsync(CliDatabase db)
    {
        await using var server = new NpgsqlConnection(PostgresApp.ServerConnectionString);
        await server.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT 1", server);
        (await command.ExecuteScalarAsync()).ShouldBe(1, "the database server outlives the application's crash");
    }
}
