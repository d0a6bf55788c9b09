using System.Diagnostics;
using Microsoft.Extensions.Options;
using Quartz;
using Shepherd.Cli;

namespace Shepherd.Operations.Backups;

/// <summary>
/// The nightly backup: create (label "scheduled") → verify by a real restore → copy to <c>CopyTo</c> → prune.
/// The same classes as `shepherd backup create|verify|prune`, so a scheduled backup is exactly a manual one.
/// A failed copy or prune is reported but does not fail the backup; a failed create or verify does.
/// </summary>
[DisallowConcurrentExecution]
public sealed class ScheduledBackupJob(
    BackupWriter writer,
    BackupVerifier verifier,
    BackupPruner pruner,
    BackupStatus status,
    BackupMetrics metrics,
    IOptions<BackupScheduleOptions> options,
    TimeProvider clock,
    ILogger<ScheduledBackupJob> logger) : IJob
{
    public const string Label = "scheduled";

    public static readonly JobKey Key = new("backup", "shepherd");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default) =>
        context.Result = await RunAsync(cancellationToken);

    public async Task<BackupRun> RunAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var run = new BackupRun(clock.GetUtcNow(), null, 0, TimeSpan.Zero, null, null, null, 0, null, null);
        var started = Stopwatch.StartNew();
        logger.LogInformation("Scheduled backup: starting");
        try
        {
            var created = await writer.CreateAsync(Label, cancellationToken);
            run = run with { StartedAt = created.Manifest.CreatedAt, File = created.File, Size = created.Size, Duration = created.Duration };
            logger.LogInformation("Scheduled backup: created {File} ({Size} bytes, {Rows} rows) in {Seconds:F1}s",
                created.File, created.Size, created.Manifest.RowCounts.Values.Sum(), created.Duration.TotalSeconds);

            if (settings.VerifyAfterCreate)
            {
                var verification = await verifier.VerifyAsync(created.File, cancellationToken);
                run = run with { Verification = verification };
                if (!verification.Passed)
                {
                    var failures = string.Join("; ", verification.Checks.Where(c => !c.Passed).Select(c => c.Detail));
                    logger.LogError("Scheduled backup: {File} FAILED verification ({Failures}); it is not copied and nothing is pruned", created.File, failures);
                    return Finish(run with { Error = $"verification failed: {failures}" }, started);
                }
                logger.LogInformation("Scheduled backup: verified {File} by a restore ({Rows} rows) in {Seconds:F1}s",
                    created.File, verification.Rows, verification.Duration.TotalSeconds);
            }
            else
            {
                logger.LogInformation("Scheduled backup: verification skipped ({Setting}:VerifyAfterCreate is false)", BackupScheduleOptions.Section);
            }

            if (settings.CopyTo is { Length: > 0 } copyTo)
            {
                run = await CopyAsync(run, created.File, copyTo, cancellationToken);
            }
            if (settings.PruneAfter)
            {
                run = await PruneAsync(run, cancellationToken);
            }
            return Finish(run, started);
        }
        catch (Exception e) when (e is CommandException or IOException or UnauthorizedAccessException or InvalidOperationException or System.Data.Common.DbException)
        {
            logger.LogError(e, "Scheduled backup: FAILED: {Message}", e.Message);
            return Finish(run with { Error = e.Message }, started);
        }
    }

    private async Task<BackupRun> CopyAsync(BackupRun run, string file, string copyTo, CancellationToken cancellationToken)
    {
        try
        {
            var copy = await BackupCopy.CopyAsync(file, copyTo, cancellationToken);
            logger.LogInformation("Scheduled backup: copied to {Copy}", copy);
            return run with { CopiedTo = copy };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var message = $"could not copy the backup to {copyTo} ({BackupScheduleOptions.Section}:CopyTo): {e.Message}";
            logger.LogError("Scheduled backup: {Problem}; the backup itself is kept in the backup folder", message);
            return run with { CopyError = message };
        }
    }

    private async Task<BackupRun> PruneAsync(BackupRun run, CancellationToken cancellationToken)
    {
        try
        {
            var plan = await pruner.PlanAsync(cancellationToken);
            var deleted = plan.Where(d => !d.Keep).ToList();
            foreach (var decision in deleted)
            {
                BackupPruner.Delete(decision);
            }
            logger.LogInformation("Scheduled backup: pruned {Deleted} backup(s), kept {Kept}", deleted.Count, plan.Count - deleted.Count);
            return run with { Pruned = deleted.Count };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.LogError(e, "Scheduled backup: pruning failed: {Message}", e.Message);
            return run with { PruneError = e.Message };
        }
    }

    private BackupRun Finish(BackupRun run, Stopwatch started)
    {
        status.Record(run);
        metrics.Recorded(run);
        if (run.Succeeded)
        {
            logger.LogInformation("Scheduled backup: done in {Seconds:F1}s: {File}", started.Elapsed.TotalSeconds, run.File);
        }
        return run;
    }
}
