using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data;
using Shepherd.Data.Organizations;
using Shepherd.Data.People;
using Shepherd.Tests.Cli;
using Shouldly;

namespace Shepherd.Tests.Backups;

/// <summary>
/// Point-in-time recovery with the deploy/postgres scripts on a PostgreSQL cluster of the test's own (archiving needs
/// a restart with archive_mode=on, which the shared test server cannot get): WAL archived by archive-wal.sh, a base
/// backup by base-backup.sh, damage done after a recorded moment, and restore-to-time.sh bringing back that moment.
/// </summary>
public sealed partial class PointInTimeRecoveryTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    // Under /tmp, not the test host's TMPDIR: the postgres user must be able to reach it.
    private readonly string _root = Path.Combine("/tmp", $"shepherd-pitr-{Guid.NewGuid():N}");
    private readonly List<ThrowawayPostgresCluster> _clusters = [];
    private readonly List<CliDatabase> _databases = [];

    public async ValueTask InitializeAsync()
    {
        // Owned by the server's user, so initdb, pg_basebackup and the archive can write in it.
        var mkdir = await OsCommand.AsServerUserAsync("mkdir", "-m", "700", _root);
        mkdir.ExitCode.ShouldBe(0, mkdir.ToString());
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            foreach (var database in _databases)
            {
                await database.DisposeAsync();
            }
            foreach (var cluster in _clusters)
            {
                await cluster.StopAsync("immediate");
            }
        }
        finally
        {
            if (Directory.Exists(_root))
            {
                Directory.Delete(_root, recursive: true);
            }
        }
    }

    [Fact]
    public async Task Restoring_to_a_recorded_time_brings_back_the_people_of_that_moment_and_none_of_the_later_damage()
    {
        var clock = Stopwatch.StartNew();
        var scripts = await ScriptsTheServerCanRunAsync();
        var archive = Path.Combine(_root, "wal-archive");
        (await OsCommand.AsServerUserAsync("mkdir", archive)).ExitCode.ShouldBe(0);
        var primary = Track(await ThrowawayPostgresCluster.InitAsync(Path.Combine(_root, "primary"), [
            $"unix_socket_directories = '{_root}'",
            "wal_level = replica",
            "archive_mode = on",
            $"archive_command = '{Path.Combine(scripts, "archive-wal.sh")} %p %f {archive}'",
            // Nothing in this cluster must survive a crash; the archive script still flushes what it archives.
            "fsync = off",
        ]));
        await primary.StartAsync();
        await primary.ExecuteAsync("CREATE DATABASE shepherd");
        var live = Track(new ClusterDatabase(primary, Path.Combine(_root, "app")));
        var migrate = await live.RunAsync("migrate", "up");
        migrate.ExitCode.ShouldBe(0, migrate.ToString());

        var backup = await OsCommand.AsServerUserAsync(Path.Combine(scripts, "base-backup.sh"), Path.Combine(_root, "base"),
            "-h", "127.0.0.1", "-p", primary.Port.ToString(CultureInfo.InvariantCulture), "-U", "postgres");
        backup.ExitCode.ShouldBe(0, backup.ToString());
        var baseBackup = BaseBackupLine().Match(backup.Stdout).Groups[1].Value.Trim();
        Path.GetFileName(baseBackup).ShouldMatch(@"^\d{8}T\d{6}Z$");
        File.Exists(Path.Combine(baseBackup, "base.tar.gz")).ShouldBeTrue(backup.ToString());

        // Written after the base backup, so only the archived WAL can bring them back.
        string[] people = ["Ada", "Boaz", "Chloe", "Dorcas", "Eli", "Fern"];
        long organizationId;
        await using (var db = live.Context(null))
        {
            var church = new Organization { Name = "Grace Church" };
            db.Organizations.Add(church);
            await db.SaveChangesAsync();
            organizationId = church.Id;
        }
        await using (var db = live.Context(organizationId))
        {
            db.People.AddRange(people.Select(name => new Person { FirstName = name, LastName = "Lee" }));
            await db.SaveChangesAsync();
        }
        // The server's own clock, read after the commit: exactly what recovery_target_time compares commit times with.
        var target = await primary.ScalarAsync<string>("SELECT now()::text", "shepherd");

        await using (var db = live.Context(organizationId))
        {
            await db.People.ExecuteDeleteAsync();
            db.People.Add(new Person { FirstName = "Mallory", LastName = "Vandal" });
            await db.SaveChangesAsync();
        }
        await using (var db = live.Context(null))
        {
            db.Organizations.Add(new Organization { Name = "Impostor Church" });
            await db.SaveChangesAsync();
            (await db.Organizations.CountAsync()).ShouldBe(2);
        }
        var segment = await primary.ScalarAsync<string>("SELECT pg_walfile_name(pg_switch_wal())");
        await WaitUntilAsync(() => Task.FromResult(File.Exists(Path.Combine(archive, segment))),
            () => $"WAL segment {segment} to reach the archive {archive}\n{primary.ReadLog()}");
        await primary.StopAsync();

        var restoredDirectory = Path.Combine(_root, "restored");
        var restore = await OsCommand.AsServerUserAsync(Path.Combine(scripts, "restore-to-time.sh"),
            "--base", baseBackup, "--archive", archive, "--target-time", target, "--data-dir", restoredDirectory);
        restore.ExitCode.ShouldBe(0, restore.ToString());
        restore.Stdout.ShouldContain($"will recover to {target}");
        File.Exists(Path.Combine(restoredDirectory, "recovery.signal")).ShouldBeTrue();

        var restored = Track(new ThrowawayPostgresCluster(restoredDirectory));
        await restored.StartAsync();
        await WaitUntilAsync(async () => !await restored.ScalarAsync<bool>("SELECT pg_is_in_recovery()"),
            () => $"the restored server to finish recovery\n{restored.ReadLog()}");

        var log = restored.ReadLog();
        log.ShouldContain("recovery stopping before commit of transaction", customMessage: log);
        log.ShouldContain("archive recovery complete", customMessage: log);
        (await restored.ScalarAsync<string>("SHOW archive_mode")).ShouldBe("off", "a restored server must not write into the production archive");
        var after = Track(new ClusterDatabase(restored, Path.Combine(_root, "app-restored")));
        await using (var db = after.Context(organizationId))
        {
            (await db.People.OrderBy(p => p.FirstName).Select(p => p.FirstName).ToListAsync()).ShouldBe(people);
        }
        await using (var db = after.Context(null))
        {
            (await db.Organizations.Select(o => o.Name).ToListAsync()).ShouldBe(["Grace Church"]);
        }
        var status = await after.RunAsync("migrate", "status");
        status.ExitCode.ShouldBe(0, status.ToString());
        status.Stdout.ShouldContain("Up to date");
        status.Stdout.ShouldContain($"PostgreSQL database shepherd on 127.0.0.1:{restored.Port}");
        TestContext.Current.TestOutputHelper?.WriteLine($"Point-in-time recovery round trip: {clock.Elapsed.TotalSeconds:F1}s");
    }

    /// <summary>
    /// deploy/postgres in place when the postgres user can run it there; otherwise (a checkout under a home folder it
    /// cannot enter) byte-identical copies in the test folder.
    /// </summary>
    private async Task<string> ScriptsTheServerCanRunAsync()
    {
        if ((await OsCommand.AsServerUserAsync("test", "-x", DeployScripts.ArchiveWal)).ExitCode == 0)
        {
            return DeployScripts.Folder;
        }
        var copy = Path.Combine(_root, "scripts");
        var install = await OsCommand.RunAsync("install", ["-m", "755", "-D", "-t", copy, DeployScripts.ArchiveWal, DeployScripts.BaseBackup, DeployScripts.RestoreToTime]);
        install.ExitCode.ShouldBe(0, install.ToString());
        return copy;
    }

    private T Track<T>(T item)
    {
        switch (item)
        {
            case ThrowawayPostgresCluster cluster: _clusters.Add(cluster); break;
            case CliDatabase database: _databases.Add(database); break;
        }
        return item;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, Func<string> waitingFor)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            if (deadline.Elapsed > Patience)
            {
                throw new TimeoutException($"Waited {Patience.TotalSeconds:F0}s for {waitingFor()}");
            }
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }

    [GeneratedRegex("^Base backup: (.+)$", RegexOptions.Multiline)]
    private static partial Regex BaseBackupLine();

    /// <summary>Shepherd's settings (as `shepherd` and its DbContext read them) for the database "shepherd" on a throwaway cluster.</summary>
    private sealed class ClusterDatabase : CliDatabase
    {
        public ClusterDatabase(ThrowawayPostgresCluster cluster, string dataFolder)
        {
            Settings["Shepherd:Database:Provider"] = "Postgres";
            Settings["Shepherd:DataFolder"] = dataFolder;
            Settings["ConnectionStrings:Shepherd"] = cluster.ConnectionString("shepherd");
        }

        public override DatabaseProvider Provider => DatabaseProvider.Postgres;
    }
}
