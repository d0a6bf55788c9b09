using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Quartz;
using Shepherd.Operations.Backups;
using Shepherd.Operations.Jobs;
using Shepherd.Operations.Maintenance;

namespace Shepherd.Operations.Health;

/// <summary>
/// When each Quartz job last ran in this process and whether it worked; a Quartz job listener fills it. Every run is also
/// counted on the meter "Shepherd.Jobs": shepherd.jobs.runs (by job and outcome, succeeded or failed) and
/// shepherd.jobs.duration (seconds, by job).
/// </summary>
public sealed class JobRunLog : IJobListener
{
    public const string MeterName = "Shepherd.Jobs";

    private readonly ConcurrentDictionary<JobKey, JobRunRecord> _runs = new();
    private readonly Counter<long> _runCount;
    private readonly Histogram<double> _duration;

    public JobRunLog(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _runCount = meter.CreateCounter<long>("shepherd.jobs.runs", description: "Background job runs, by job and outcome (succeeded, failed).");
        _duration = meter.CreateHistogram<double>("shepherd.jobs.duration", unit: "s", description: "How long background job runs took, by job.");
    }

    public string Name => "shepherd-job-run-log";

    public JobRunRecord? Last(JobKey job) => _runs.GetValueOrDefault(job);

    public ValueTask JobToBeExecuted(IJobExecutionContext context, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    public ValueTask JobExecutionVetoed(IJobExecutionContext context, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    public ValueTask JobWasExecuted(IJobExecutionContext context, JobExecutionException? jobException, CancellationToken cancellationToken = default)
    {
        // Our jobs record a failure in their result rather than throwing, so the result is read too.
        var error = jobException?.GetBaseException().Message ?? context.Result switch
        {
            BackupRun { Succeeded: false } run => run.Error ?? "the backup failed verification",
            MaintenanceReport { Error: { } e } => e,
            MaintenanceReport { IntegrityOk: false } report => $"integrity check failed: {report.IntegrityDetail}",
            _ => null,
        };
        _runs[context.JobDetail.Key] = new JobRunRecord(context.FireTimeUtc, context.JobRunTime, error);
        var job = new KeyValuePair<string, object?>("job", context.JobDetail.Key.Name);
        _runCount.Add(1, job, new KeyValuePair<string, object?>("outcome", error is null ? "succeeded" : "failed"));
        _duration.Record(context.JobRunTime.TotalSeconds, job);
        return ValueTask.CompletedTask;
    }

    public ValueTask JobProgressChanged(IJobExecutionContext context, Quartz.Extensibility.FireInstanceProgress progress, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
}

/// <summary>One finished run: when it started, how long it took, and the error (null when it worked).</summary>
public sealed record JobRunRecord(DateTimeOffset StartedAt, TimeSpan Duration, string? Error);

/// <summary>Adds <see cref="JobRunLog"/> to this process's scheduler before it starts (only where jobs run).</summary>
public sealed class JobRunLogRegistration(IServiceProvider services, JobRunLog log) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (JobsHealthCheck.JobsRunHere(services) && services.GetService<ISchedulerFactory>() is { } schedulers)
        {
            var scheduler = await schedulers.GetScheduler(cancellationToken);
            scheduler.ListenerManager.AddJobListener(log);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>
/// "jobs": each Quartz job's last run (this process) and next fire time. Degraded when a job's last run failed or a
/// scheduled job has not run for a day plus <see cref="HealthOptions.JobsOverdueHours"/>. Healthy, saying so, where
/// this process runs no jobs (<c>Shepherd:Jobs:Enabled=false</c>: the worker runs them).
/// </summary>
public sealed class JobsHealthCheck(IServiceProvider services, JobRunLog log, IOptions<HealthOptions> options, TimeProvider clock) : IHealthCheck
{
    private static readonly TimeSpan Period = TimeSpan.FromDays(1);

    public static bool JobsRunHere(IServiceProvider services) =>
        services.GetService<JobSchedulerMode>() is { } mode
        && (mode.AlwaysRun || services.GetRequiredService<IOptions<JobsOptions>>().Value.Enabled);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var overdueHours = options.Value.JobsOverdueHours;
        var data = new Dictionary<string, object> { ["degradedWhenOverdueHours"] = overdueHours, ["degradedWhenLastRunFailed"] = true };
        if (!JobsRunHere(services) || services.GetService<ISchedulerFactory>() is not { } schedulers)
        {
            return HealthCheckResult.Healthy("Background jobs do not run in this process (Shepherd:Jobs:Enabled is false): check the worker's health.", data);
        }
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        var now = clock.GetUtcNow();
        var problems = new List<string>();
        var lines = new List<string>();
        foreach (var job in (await scheduler.GetJobKeys(GroupMatcher<JobKey>.AnyGroup(), cancellationToken)).OrderBy(k => k.Name, StringComparer.Ordinal))
        {
            var triggers = await scheduler.GetTriggersOfJob(job, cancellationToken);
            var next = triggers.OfType<Quartz.Extensibility.IMutableTrigger>().Select(t => t.NextFireTimeUtc).Where(t => t is not null).Min();
            var last = log.Last(job);
            data[$"{job.Name}.lastRun"] = last?.StartedAt.ToString("O", CultureInfo.InvariantCulture) ?? "never (in this process)";
            data[$"{job.Name}.lastOutcome"] = last is null ? "none" : last.Error is null ? "succeeded" : $"failed: {last.Error}";
            data[$"{job.Name}.nextRun"] = next?.ToString("O", CultureInfo.InvariantCulture) ?? "not scheduled";
            if (last?.Error is { } error)
            {
                problems.Add($"{job.Name} failed at {last.StartedAt:u}: {error}");
            }
            // Since the last run, or since the job was scheduled (process start) when it has not run yet.
            var since = last?.StartedAt ?? triggers.Select(t => (DateTimeOffset?)t.StartTimeUtc).Min();
            if (triggers.Count > 0 && since is { } from && now - from > Period + TimeSpan.FromHours(overdueHours))
            {
                problems.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{job.Name} is overdue: no run since {from:u} ({(now - from).TotalHours:F0} h, more than {Period.TotalHours + overdueHours} h)"));
            }
            lines.Add($"{job.Name}: {(last is null ? "not run yet" : last.Error is null ? $"ok at {last.StartedAt:u}" : "failed")}, next {(next is { } n ? n.ToString("u", CultureInfo.InvariantCulture) : "not scheduled")}");
        }
        return problems.Count > 0
            ? HealthCheckResult.Degraded(string.Join("; ", problems) + ": read the job's log lines.", data: data)
            : HealthCheckResult.Healthy(lines.Count == 0 ? "No jobs are registered." : string.Join("; ", lines) + ".", data);
    }
}
