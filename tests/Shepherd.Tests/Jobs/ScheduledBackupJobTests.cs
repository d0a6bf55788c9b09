using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Shepherd.Data;
using Shepherd.Operations.Backups;
using Shepherd.Operations.Health;
using Shepherd.Operations.Migrations;
using Shepherd.Platform.Accounts;
using Shepherd.Tests.Cli;
using Shouldly;

namespace Shepherd.Tests.Jobs;

/// <summary>The nightly backup job fired through Quartz on each provider: create, verify, copy, prune, status and meter.</summary>
public abstract class ScheduledBackupJobTests : IAsyncDisposable
{
    private readonly List<CliDatabase> _databases = [];

    protected abstract Task<CliDatabase> CreateDatabaseAsync();

    protected async Task<CliDatabase> NewDatabaseAsync()
    {
        var db = await CreateDatabaseAsync();
        _databases.Add(db);
        return db;
    }

    public ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        _databases.ForEach(JobHost.DeleteDataFolder);
        return ValueTask.CompletedTask;
    }

    /// <summary>A migrated database holding one organization with its administrator, so a backup has rows to count.</summary>
    private async Task<CliDatabase> DatabaseWithDataAsync()
    {
        var db = await NewDatabaseAsync();
        using var host = JobHost.Build(db);
        await host.Services.GetRequiredService<SchemaMigrator>().ApplyAsync(CancellationToken.None);
        await using var scope = host.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<AdministratorSetup>()
            .CreateAsync($"admin-{Guid.NewGuid():N}@example.org", "correct horse battery staple", "Grace Church", CancellationToken.None);
        return db;
    }

    [Fact]
    public async Task A_triggered_backup_is_verified_copied_to_the_second_folder_prunes_old_backups_and_is_reported_by_the_meter()
    {
        await using var db = await DatabaseWithDataAsync();
        var copyTo = Directory.CreateTempSubdirectory("shepherd-copy-").FullName;
        try
        {
            await using var jobs = await JobHost.StartAsync(db, new Dictionary<string, string?> { ["Shepherd:Backups:Schedule:CopyTo"] = copyTo });
            // A backup from 400 days ago, made by the real writer with its clock set back: retention lets it go.
            var longAgo = new FakeTimeProvider(TimeProvider.System.GetUtcNow().AddDays(-400));
            var old = await ActivatorUtilities.CreateInstance<BackupWriter>(jobs.Services, (TimeProvider)longAgo).CreateAsync("old", CancellationToken.None);
            var measurements = new Dictionary<string, double>();
            using var listener = Listen(jobs.Services.GetRequiredService<BackupMetrics>(), measurements);

            var run = await jobs.RunAsync<BackupRun>(ScheduledBackupJob.Key);

            run.Error.ShouldBeNull();
            run.Succeeded.ShouldBeTrue();
            Path.GetFileName(run.File).ShouldNotBeNull().ShouldMatch(@"^shepherd-\d{8}T\d{6}Z-scheduled\.backup$");
            File.Exists(run.File).ShouldBeTrue();
            run.Verification.ShouldNotBeNull().Passed.ShouldBeTrue(string.Join("; ", run.Verification.Checks.Select(c => c.Detail)));
            (await BackupVerification.LoadAsync(run.File!, CancellationToken.None)).ShouldNotBeNull().Passed.ShouldBeTrue("recorded next to the file, as `backup verify` does");
            var manifest = await BackupArchive.ReadManifestAsync(run.File!, CancellationToken.None);
            manifest.Label.ShouldBe(ScheduledBackupJob.Label);
            manifest.Provider.ShouldBe(db.Provider);
            manifest.RowCounts["organizations"].ShouldBe(1);

            run.CopyError.ShouldBeNull();
            run.CopiedTo.ShouldBe(Path.Combine(copyTo, Path.GetFileName(run.File!)));
            (await File.ReadAllBytesAsync(run.CopiedTo!)).ShouldBe(await File.ReadAllBytesAsync(run.File!));
            File.Exists(BackupFolder.VerificationFile(run.CopiedTo!)).ShouldBeTrue();
            Directory.GetFiles(copyTo).Select(Path.GetFileName).Order()
                .ShouldBe(new[] { Path.GetFileName(run.File!), Path.GetFileName(BackupFolder.VerificationFile(run.File!)) }.Order(), "no temporary file is left");

            run.Pruned.ShouldBe(1);
            File.Exists(old.File).ShouldBeFalse("the 400-day-old backup is pruned");

            var status = jobs.Services.GetRequiredService<BackupStatus>().Current;
            status.LastSuccessFile.ShouldBe(run.File);
            status.LastVerifyPassed.ShouldBe(true);
            listener.RecordObservableInstruments();
            measurements["shepherd.backup.last.size"].ShouldBe(new FileInfo(run.File!).Length);
            measurements["shepherd.backup.last_success.age"].ShouldBeInRange(0, 120);
            measurements["shepherd.backup.last.duration"].ShouldBeGreaterThan(0);
            measurements["shepherd.backup.last_verify.result"].ShouldBe(1);
            measurements["shepherd.backup.runs"].ShouldBe(1);
            measurements.ShouldNotContainKey("shepherd.backup.failures");
        }
        finally
        {
            Directory.Delete(copyTo, recursive: true);
        }
    }

    /// <summary>Collects the latest value of each of the meter's instruments (counters summed).</summary>
    internal static MeterListener Listen(BackupMetrics metrics, Dictionary<string, double> measurements)
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (ReferenceEquals(instrument.Meter, metrics.Meter))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        void Record(Instrument instrument, double value) =>
            measurements[instrument.Name] = instrument is Counter<long> ? measurements.GetValueOrDefault(instrument.Name) + value : value;
        listener.SetMeasurementEventCallback<double>((i, v, _, _) => Record(i, v));
        listener.SetMeasurementEventCallback<long>((i, v, _, _) => Record(i, v));
        listener.SetMeasurementEventCallback<int>((i, v, _, _) => Record(i, v));
        listener.Start();
        return listener;
    }
}

public sealed class SqliteScheduledBackupJobTests : ScheduledBackupJobTests
{
    protected override Task<CliDatabase> CreateDatabaseAsync() => Task.FromResult<CliDatabase>(new SqliteCliDatabase());

    [Fact]
    public async Task A_copy_folder_that_cannot_be_written_is_reported_and_the_backup_is_kept()
    {
        await using var db = await NewDatabaseAsync();
        // /sys refuses new files even to root, like a read-only or full network drive.
        await using var jobs = await JobHost.StartAsync(db, new Dictionary<string, string?> { ["Shepherd:Backups:Schedule:CopyTo"] = "/sys" });

        var run = await jobs.RunAsync<BackupRun>(ScheduledBackupJob.Key);

        run.Succeeded.ShouldBeTrue();
        run.Verification.ShouldNotBeNull().Passed.ShouldBeTrue();
        File.Exists(run.File).ShouldBeTrue();
        run.CopiedTo.ShouldBeNull();
        run.CopyError.ShouldNotBeNull();
        run.CopyError.ShouldContain("could not copy the backup to /sys (Shepherd:Backups:Schedule:CopyTo)");
        jobs.Services.GetRequiredService<BackupStatus>().Current.LastSuccessFile.ShouldBe(run.File);
    }

    [Fact]
    public async Task Every_run_is_counted_on_the_jobs_meter_by_job_and_outcome_with_its_duration()
    {
        await using var db = await NewDatabaseAsync();
        await using var jobs = await JobHost.StartAsync(db);
        var meters = jobs.Services.GetRequiredService<IMeterFactory>();
        var runs = new List<(string Job, string Outcome)>();
        var durations = new List<double>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (ReferenceEquals(instrument.Meter.Scope, meters) && instrument.Meter.Name == JobRunLog.MeterName)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            lock (runs)
            {
                runs.Add((Tag(tags, "job"), Tag(tags, "outcome")));
            }
        });
        listener.SetMeasurementEventCallback<double>((_, value, _, _) =>
        {
            lock (durations)
            {
                durations.Add(value);
            }
        });
        listener.Start();

        await jobs.RunAsync<BackupRun>(ScheduledBackupJob.Key);

        // The listener that counts runs after the job's own listener; wait (bounded) for it.
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (runs.Count == 0 && waited.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
        runs.ShouldBe([(ScheduledBackupJob.Key.Name, "succeeded")]);
        durations.ShouldHaveSingleItem().ShouldBeGreaterThan(0);
    }

    private static string Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags, string key)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == key)
            {
                return (string)tag.Value!;
            }
        }
        return "";
    }

    [Fact]
    public async Task A_missing_copy_folder_is_reported_as_possibly_unmounted_and_not_created()
    {
        await using var db = await NewDatabaseAsync();
        var missing = Path.Combine(Path.GetTempPath(), $"shepherd-nas-{Guid.NewGuid():N}");
        await using var jobs = await JobHost.StartAsync(db, new Dictionary<string, string?> { ["Shepherd:Backups:Schedule:CopyTo"] = missing });

        var run = await jobs.RunAsync<BackupRun>(ScheduledBackupJob.Key);

        run.Succeeded.ShouldBeTrue();
        File.Exists(run.File).ShouldBeTrue();
        run.CopyError.ShouldNotBeNull().ShouldContain("does not exist (is the drive mounted?)");
        Directory.Exists(missing).ShouldBeFalse();
    }
}

public sealed class PostgresScheduledBackupJobTests : ScheduledBackupJobTests
{
    protected override async Task<CliDatabase> CreateDatabaseAsync() => await PostgresCliDatabase.CreateAsync();
}
