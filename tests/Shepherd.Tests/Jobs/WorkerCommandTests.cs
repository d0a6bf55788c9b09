using Microsoft.Extensions.Options;
using Shepherd.Tests.Cli;
using Shouldly;

namespace Shepherd.Tests.Jobs;

/// <summary>`shepherd worker` and the schedule settings it validates at start.</summary>
public sealed class WorkerCommandTests
{
    [Fact]
    public async Task Worker_help_describes_the_background_jobs()
    {
        var help = await ShepherdProcess.RunAsync(new Dictionary<string, string?>(), "worker", "--help");

        help.ExitCode.ShouldBe(0, help.ToString());
        help.Stdout.ShouldContain("Run the background jobs only (nightly backup, database maintenance), no web server.");
        var root = await ShepherdProcess.RunAsync(new Dictionary<string, string?>(), "--help");
        root.Stdout.ShouldContain("worker");
    }

    [Fact]
    public async Task Worker_with_a_bad_schedule_setting_exits_1_naming_the_setting()
    {
        await using var db = new SqliteCliDatabase();
        var settings = new Dictionary<string, string?>(db.Environment) { ["Shepherd__Backups__Schedule__Time"] = "3 am" };

        var worker = await ShepherdProcess.RunAsync(settings, TimeSpan.FromMinutes(1), "worker");

        worker.ExitCode.ShouldBe(1, worker.ToString());
        worker.Stderr.Trim().ShouldBe("Shepherd:Backups:Schedule:Time '3 am' is not a time of day: use HH:mm on a 24-hour clock, e.g. 03:00.");
        worker.Stdout.ShouldNotContain("   at ");
    }

    [Theory]
    [InlineData("Shepherd:Backups:Schedule:Time", "25:00", "Shepherd:Backups:Schedule:Time '25:00' is not a time of day: use HH:mm on a 24-hour clock, e.g. 03:00.")]
    [InlineData("Shepherd:Backups:Schedule:TimeZone", "Mars/Olympus_Mons",
        "Shepherd:Backups:Schedule:TimeZone 'Mars/Olympus_Mons' is not a time zone this server knows: use an IANA id such as Europe/Berlin or America/Chicago, or leave it empty for the server's zone.")]
    [InlineData("Shepherd:Maintenance:Time", "03:75", "Shepherd:Maintenance:Time '03:75' is not a time of day: use HH:mm on a 24-hour clock, e.g. 03:00.")]
    [InlineData("Shepherd:Maintenance:VacuumFreePagesPercent", "150", "Shepherd:Maintenance:VacuumFreePagesPercent must be between 0 and 100 (default 20).")]
    [InlineData("Shepherd:Backups:Schedule:CopyTo", "nas/backups", "Shepherd:Backups:Schedule:CopyTo 'nas/backups' must be an absolute folder path, e.g. /mnt/nas/shepherd.")]
    public async Task A_bad_schedule_setting_stops_the_host_at_start_with_a_message_naming_it(string setting, string value, string message)
    {
        await using var db = new SqliteCliDatabase();
        using var host = JobHost.Build(db, new Dictionary<string, string?> { [setting] = value });

        var failure = await Should.ThrowAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        failure.Message.ShouldBe(message);
    }

    [Fact]
    public async Task An_IANA_time_zone_and_a_time_are_accepted_and_scheduled_in_that_zone()
    {
        await using var db = new SqliteCliDatabase();
        await using var jobs = await JobHost.StartAsync(db, new Dictionary<string, string?>
        {
            ["Shepherd:Backups:Schedule:Enabled"] = "true",
            ["Shepherd:Backups:Schedule:Time"] = "02:15",
            ["Shepherd:Backups:Schedule:TimeZone"] = "America/Chicago",
        });

        var trigger = (await jobs.Scheduler.GetTrigger(new Quartz.TriggerKey("backup-daily", "shepherd"))).ShouldNotBeNull();
        var next = trigger.NextFireTimeUtc.ShouldNotBeNull();
        var chicago = TimeZoneInfo.ConvertTime(next, TimeZoneInfo.FindSystemTimeZoneById("America/Chicago"));
        (chicago.Hour, chicago.Minute).ShouldBe((2, 15));
        (next - TimeProvider.System.GetUtcNow()).ShouldBeLessThanOrEqualTo(TimeSpan.FromHours(25));
        (await jobs.Scheduler.GetTrigger(new Quartz.TriggerKey("database-maintenance-daily", "shepherd"))).ShouldBeNull("maintenance is switched off in this test");
        foreach (var job in new[] { Operations.Backups.ScheduledBackupJob.Key, Operations.Maintenance.DatabaseMaintenanceJob.Key })
        {
            var detail = (await jobs.Scheduler.GetJobDetail(job)).ShouldNotBeNull();
            detail.ConcurrentExecutionDisallowed.ShouldBeTrue($"{job} never runs alongside itself");
            detail.Durable.ShouldBeTrue($"{job} can be fired without a trigger");
        }
    }
}
