using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Time.Testing;
using Shepherd.Operations.Backups;
using Shepherd.Tests.Cli;
using Shouldly;

namespace Shepherd.Tests.Jobs;

/// <summary>The "backups" health check over real backups, with the application's clock under the test's control.</summary>
public sealed class JobHealthTests
{
    [Fact]
    public async Task Backups_are_healthy_after_the_nightly_backup_and_degraded_once_it_is_older_than_26_hours_even_after_a_restart()
    {
        await using var db = new SqliteCliDatabase();
        var clock = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
        void UseClock(IServiceCollection s) => s.AddSingleton<TimeProvider>(clock);
        BackupRun run;
        await using (var jobs = await JobHost.StartAsync(db, services: UseClock))
        {
            (await BackupsAsync(jobs)).Status.ShouldBe(HealthStatus.Degraded, "no backup exists yet");

            run = await jobs.RunAsync<BackupRun>(ScheduledBackupJob.Key);

            run.Succeeded.ShouldBeTrue();
            (await BackupsAsync(jobs)).Status.ShouldBe(HealthStatus.Healthy);
            clock.Advance(TimeSpan.FromHours(25));
            (await BackupsAsync(jobs)).Status.ShouldBe(HealthStatus.Healthy);
        }

        // A restarted process reads the age from the backup folder.
        await using var restarted = await JobHost.StartAsync(db, services: UseClock);
        restarted.Services.GetRequiredService<BackupStatus>().Current.LastSuccessAt.ShouldBe(run.StartedAt);
        clock.Advance(TimeSpan.FromHours(2));
        var stale = await BackupsAsync(restarted);
        stale.Status.ShouldBe(HealthStatus.Degraded);
        stale.Description.ShouldBe("The newest verified backup is 27.0 h old (more than 26 h): check the nightly backup's log.");
    }

    [Fact]
    public async Task Backups_are_unhealthy_when_the_latest_verification_failed()
    {
        await using var db = new SqliteCliDatabase();
        await using var jobs = await JobHost.StartAsync(db);
        var run = await jobs.RunAsync<BackupRun>(ScheduledBackupJob.Key);
        run.Succeeded.ShouldBeTrue();

        // The file is damaged on disk afterwards; `backup verify` (the same verifier) finds out.
        await using (var file = new FileStream(run.File!, FileMode.Open, FileAccess.ReadWrite))
        {
            file.Position = file.Length / 2;
            var b = file.ReadByte();
            file.Position = file.Length / 2;
            file.WriteByte((byte)(b ^ 0xFF));
        }
        var verification = await jobs.Services.GetRequiredService<BackupVerifier>().VerifyAsync(run.File!, CancellationToken.None);
        verification.Passed.ShouldBeFalse();

        var health = await BackupsAsync(jobs);

        health.Status.ShouldBe(HealthStatus.Unhealthy);
        health.Description.ShouldNotBeNull().ShouldStartWith("The latest backup failed verification (");
        jobs.Services.GetRequiredService<BackupStatus>().Current.LastVerifyPassed.ShouldBe(false);
        var measurements = new Dictionary<string, double>();
        using var listener = ScheduledBackupJobTests.Listen(jobs.Services.GetRequiredService<BackupMetrics>(), measurements);
        listener.RecordObservableInstruments();
        measurements["shepherd.backup.last_verify.result"].ShouldBe(0);
    }

    private static async Task<HealthReportEntry> BackupsAsync(JobHost jobs) =>
        (await jobs.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(c => c.Name == "backups")).Entries["backups"];
}
