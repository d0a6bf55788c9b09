using Microsoft.Extensions.Options;
using Quartz;
using Shepherd.Features.Privacy;
using Shepherd.Operations.Backups;
using Shepherd.Operations.Maintenance;

namespace Shepherd.Operations.Jobs;

/// <summary>
/// Starts the Quartz scheduler with the nightly triggers from the settings, after the database startup policy has run
/// (it is registered after <c>DatabaseStartup</c>), and stops it with the host, letting a running job finish.
/// </summary>
public sealed class JobScheduler(
    ISchedulerFactory schedulers,
    JobSchedulerMode mode,
    IOptions<JobsOptions> jobs,
    IOptions<BackupScheduleOptions> backups,
    IOptions<MaintenanceOptions> maintenance,
    IOptions<RetentionOptions> retention,
    BackupStatus backupStatus,
    BackupMetrics metrics,
    ILogger<JobScheduler> logger) : IHostedService
{
    private IScheduler? _scheduler;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _ = metrics; // created now, so the meter exists from the start
        // The age of the last backup is right from the first health check, not only after tonight's run.
        await backupStatus.LoadAsync(cancellationToken);
        if (!mode.AlwaysRun && !jobs.Value.Enabled)
        {
            logger.LogInformation("Background jobs are off in this process ({Section}:Enabled is false): run `shepherd worker` for them", JobsOptions.Section);
            return;
        }
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        await ScheduleAsync(scheduler, ScheduledBackupJob.Key, "nightly backup", backups.Value, BackupScheduleOptions.Section, cancellationToken);
        await ScheduleAsync(scheduler, DatabaseMaintenanceJob.Key, "database maintenance", maintenance.Value, MaintenanceOptions.Section, cancellationToken);
        await ScheduleAsync(scheduler, RetentionJob.Key, "data retention", retention.Value, RetentionOptions.Section, cancellationToken);
        await scheduler.Start(cancellationToken);
        _scheduler = scheduler;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_scheduler is { } scheduler)
        {
            await scheduler.Shutdown(waitForJobsToComplete: true, cancellationToken);
        }
    }

    private async Task ScheduleAsync(IScheduler scheduler, JobKey job, string name, DailySchedule schedule, string section, CancellationToken cancellationToken)
    {
        if (!schedule.Enabled)
        {
            logger.LogInformation("The {Job} is not scheduled ({Section}:Enabled is false)", name, section);
            return;
        }
        var trigger = TriggerBuilder.Create(TimeProvider.System)
            .WithIdentity(job.Name + "-daily", job.Group)
            .ForJob(job)
            .WithSchedule(schedule.CronSchedule())
            .Build();
        var next = await scheduler.ScheduleJob(trigger, cancellationToken: cancellationToken);
        logger.LogInformation("The {Job} runs {Schedule}; next at {Next:u}", name, schedule.Describe(), next);
    }
}
