using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Shepherd.Operations.Backups;
using Shepherd.Tests.Cli;
using Shouldly;

namespace Shepherd.Tests.Durability;

/// <summary>
/// `shepherd backup create` run while a real `shepherd serve` takes concurrent API writes: the backup is a consistent
/// snapshot (it verifies: restore, integrity, counts against its manifest) that holds every write acknowledged before
/// it started and nothing that was never sent.
/// </summary>
public abstract partial class BackupUnderLoadTests
{
    private const int Writers = 4;

    protected abstract Task<CliDatabase> NewDatabaseAsync();

    [Fact]
    public async Task A_backup_taken_while_the_api_takes_writes_verifies_and_holds_every_write_acknowledged_before_it()
    {
        await using var db = await NewDatabaseAsync();
        var church = await ServedChurch.SetUpAsync(db);
        // Some real data, so the copy takes a while and the restore in verify checks more than a handful of rows.
        var seed = await db.RunAsync("seed-demo", "--members", "200", "--weeks", "6", "--organization", ServedChurch.Name);
        seed.ExitCode.ShouldBe(0, seed.ToString());
        var seeded = await CountAsync(db);
        var seededPeople = seeded["people"];
        var log = TestContext.Current.TestOutputHelper;

        // Four writers as fast as they can go, all with one token: far past the per-token API limit meant for people.
        db.Settings["Shepherd:Security:RateLimits:Api:PermitLimit"] = "1000000";
        await using var serve = await ServeProcess.StartAsync(db.Environment);
        using var api = serve.CreateClient(church.Token);
        var writers = new ApiWriters(api, await ServedChurch.CreateServiceAsync(api));
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(45));
        var writing = writers.RunAsync(Writers, stop.Token);
        await writers.WaitForAcknowledgedAsync(40, TimeSpan.FromSeconds(20));

        var acknowledgedBefore = writers.People.Count;
        var checkInsBefore = writers.Attendance.Count;
        var backingUp = Stopwatch.StartNew();
        var create = await db.RunAsync("backup", "create", "--label", "under-load");
        backingUp.Stop();
        // A write sent before the backup finished may be in it even if its answer came later: what was sent is the bound.
        var sentBeforeTheEnd = writers.PeopleSent;
        var acknowledgedAfter = writers.People.Count;
        await stop.CancelAsync();
        await writing;

        create.ExitCode.ShouldBe(0, create.ToString());
        writers.Refused.ShouldBeEmpty();
        writers.CutOff.ShouldBeEmpty();
        acknowledgedAfter.ShouldBeGreaterThan(acknowledgedBefore, "the API kept taking writes while the backup ran");
        var file = BackupLine().Match(create.Stdout).Groups[1].Value.Trim();
        var manifest = await BackupArchive.ReadManifestAsync(file, CancellationToken.None);
        log?.WriteLine($"backup took {backingUp.Elapsed.TotalSeconds:0.0}s; people acknowledged before {acknowledgedBefore}, " +
            $"after {acknowledgedAfter}, sent before the end {sentBeforeTheEnd}; in the backup {manifest.RowCounts["people"] - seededPeople}");
        manifest.RowCounts["people"].ShouldBeInRange(seededPeople + acknowledgedBefore, seededPeople + sentBeforeTheEnd);
        manifest.RowCounts["attendance"].ShouldBeInRange(seeded["attendance"] + checkInsBefore, seeded["attendance"] + sentBeforeTheEnd);

        var verify = await db.RunAsync("backup", "verify", file);
        verify.ExitCode.ShouldBe(0, verify.ToString());
        verify.Stdout.ShouldContain("Verified: 4/4 checks passed");
        verify.Stdout.ShouldContain("rows match the manifest");
    }

    private static async Task<SortedDictionary<string, long>> CountAsync(CliDatabase db)
    {
        await using var ctx = db.Context(null);
        var connection = ctx.Database.GetDbConnection();
        await connection.OpenAsync();
        return await TableRowCounter.CountAsync(connection, null, ["people", "attendance"], CancellationToken.None);
    }

    [GeneratedRegex(@"^Backup: (.+)$", RegexOptions.Multiline)]
    private static partial Regex BackupLine();
}

public sealed class SqliteBackupUnderLoadTests : BackupUnderLoadTests
{
    protected override Task<CliDatabase> NewDatabaseAsync() => Task.FromResult<CliDatabase>(new SqliteCliDatabase());
}

public sealed class PostgresBackupUnderLoadTests : BackupUnderLoadTests
{
    protected override async Task<CliDatabase> NewDatabaseAsync() => await PostgresCliDatabase.CreateAsync();
}
