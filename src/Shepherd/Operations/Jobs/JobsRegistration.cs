using Microsoft.Extensions.Options;
using Quartz;
using Shepherd.Features.Privacy;
using Shepherd.Operations.Backups;
using Shepherd.Operations.Maintenance;

namespace Shepherd.Operations.Jobs;

public static class JobsRegistration
{
    /// <summary>
    /// The background jobs (nightly backup, database maintenance, data retention) on Quartz with the in-memory job store, their settings
    /// (validated at start), status and meters. <paramref name="alwaysRun"/>: `worker` runs them whatever
    /// <c>Shepherd:Jobs:Enabled</c> says. Clustering on PostgreSQL (one scheduler across replicas) is a later step.
    /// </summary>
    public static IServiceCollection AddShepherdJobs(this IServiceCollection services, IConfiguration configuration, bool alwaysRun = false)
    {
        services.AddOptions<JobsOptions>().Bind(configuration.GetSection(JobsOptions.Section));
        services.AddOptions<BackupScheduleOptions>().Bind(configuration.GetSection(BackupScheduleOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<BackupScheduleOptions>, BackupScheduleOptionsValidator>();
        services.AddOptions<MaintenanceOptions>().Bind(configuration.GetSection(MaintenanceOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<MaintenanceOptions>, MaintenanceOptionsValidator>();
        services.AddOptions<RetentionOptions>().Bind(configuration.GetSection(RetentionOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RetentionOptions>, RetentionOptionsValidator>();

        services.AddMetrics();
        services.AddSingleton<BackupStatus>().AddSingleton<BackupMetrics>().AddSingleton<MaintenanceStatus>();
        services.AddQuartz(q =>
        {
            // In memory, each host has its own scheduler; a shared name would make two hosts in one process (tests) share one.
            q.ConfigureScheduler(o => o.InstanceName = $"Shepherd-{Guid.NewGuid():N}");
            q.UseInMemoryStore();
            q.UseDefaultThreadPool(2);
            // Quartz keeps real time even where a test swaps the application's clock.
            q.UseTimeProvider(TimeProvider.System);
            q.AddJob<ScheduledBackupJob>(j => j.WithIdentity(ScheduledBackupJob.Key).StoreDurably().WithDescription("Nightly backup: create, verify, copy, prune"));
            q.AddJob<DatabaseMaintenanceJob>(j => j.WithIdentity(DatabaseMaintenanceJob.Key).StoreDurably().WithDescription("Nightly database maintenance"));
            q.AddJob<RetentionJob>(j => j.WithIdentity(RetentionJob.Key).StoreDurably().WithDescription("Daily data retention: erase long-archived people, drop old audit entries"));
        });
        services.AddSingleton(new JobSchedulerMode(alwaysRun));
        services.AddHostedService<JobScheduler>();
        return services;
    }
}

/// <summary>Whether this host runs the jobs regardless of <c>Shepherd:Jobs:Enabled</c> (the worker does).</summary>
public sealed record JobSchedulerMode(bool AlwaysRun);
