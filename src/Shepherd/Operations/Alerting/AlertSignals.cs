using Shepherd.Data;
using Shepherd.Operations.Backups;
using Shepherd.Operations.Health;
using Shepherd.Operations.Monitoring;

namespace Shepherd.Operations.Alerting;

/// <summary>A rule's signal as measured now, and whether the rule's condition holds on it.</summary>
public sealed record Measurement(double Value, bool Holds);

/// <summary>
/// Measures each rule's <see cref="AlertSignal"/> in process, from the same sources as the monitoring API: the request and
/// query monitors, the runtime, the event counters, the backup status, the data folder's drive. A source this process does
/// not have (a <c>worker</c> serves no requests) gives no measurement, and a rule without one does not hold.
/// </summary>
public sealed class AlertSignals(IServiceProvider services, AlertEventCounters events, DataFolder folder, TimeProvider clock)
{
    /// <summary>
    /// An error ratio needs this many requests in its window to count: on a quiet instance one failed request of three is
    /// not an outage worth waking someone for.
    /// </summary>
    public const int MinimumRequests = 10;

    private readonly RequestMonitor? _requests = services.GetService<RequestMonitor>();
    private readonly QueryMonitor? _queries = services.GetService<QueryMonitor>();
    private readonly BackupStatus? _backups = services.GetService<BackupStatus>();
    private readonly DateTimeOffset _started = clock.GetUtcNow();

    /// <summary>The rule's signal now, or null when this process cannot measure it.</summary>
    /// <param name="databaseReachable">Whether the evaluation could use the database (it just did, or it could not).</param>
    public Measurement? Measure(AlertRule rule, bool databaseReachable, double availabilityObjective)
    {
        ArgumentNullException.ThrowIfNull(rule);
        var threshold = rule.Threshold.Value;
        var window = rule.Windows.Count > 0 ? rule.Windows[0] : TimeSpan.FromMinutes(5);
        switch (rule.Signal)
        {
            case AlertSignal.ErrorRatio:
                return ErrorRatio(window) is { } ratio ? Above(ratio, threshold) : null;
            case AlertSignal.ErrorBudgetBurn:
                {
                    var budget = 1 - availabilityObjective;
                    var burns = rule.Windows.Select(w => ErrorRatio(w) is { } r ? r / budget : (double?)null).ToList();
                    // Both windows must burn: the long one proves it matters, the short one that it is still going on.
                    return burns.Count == 0 || burns.Any(b => b is null) ? null : Above(burns.Min(b => b!.Value), threshold);
                }
            case AlertSignal.RequestLatencyP95:
                return Requests(window) is { } p95 ? Above(p95.Latency.Percentile(0.95) / 1000, threshold) : null;
            case AlertSignal.RequestLatencyMean:
                return Requests(window) is { } mean ? Above(mean.Latency.MeanMs / 1000, threshold) : null;
            case AlertSignal.SlowRequests:
                {
                    if (Requests(window) is not { } all)
                    {
                        return null;
                    }
                    var slow = all.Latency.CountAbove(threshold * 1000);
                    return new Measurement(slow, slow > 0);
                }
            case AlertSignal.DatabaseHealth:
                return new Measurement(databaseReachable ? 0 : 2, !databaseReachable);
            case AlertSignal.DatabaseQueryP95:
                return Queries(window) is { } queries ? Above(queries.Latency.Percentile(0.95) / 1000, threshold) : null;
            case AlertSignal.CpuShare:
                return services.GetService<RuntimeSampler>() is { } runtime ? Above(runtime.Latest().CpuPercent / 100, threshold) : null;
            case AlertSignal.MemoryShare:
                {
                    var (limit, _) = MemoryHealthCheck.MemoryLimit();
                    return limit <= 0 ? null : Above((double)Environment.WorkingSet / limit, threshold);
                }
            case AlertSignal.DiskUsedShare:
                {
                    var drive = new DriveInfo(Path.GetFullPath(folder.Path));
                    return drive.TotalSize == 0 ? null : Above(1 - (double)drive.AvailableFreeSpace / drive.TotalSize, threshold);
                }
            case AlertSignal.BackupAge:
                {
                    if (_backups is null)
                    {
                        return null;
                    }
                    // Never a backup: counted from this process's start, so a schedule that never worked is noticed too.
                    var since = _backups.Current.LastSuccessAt ?? _started;
                    return Above((clock.GetUtcNow() - since).TotalSeconds, threshold);
                }
            case AlertSignal.JobFailures:
                return Above(events.Count(AlertEventCounters.FailedJobs, window), threshold);
            case AlertSignal.MailFailures:
                return Above(events.Count(AlertEventCounters.FailedMail, window), threshold);
            case AlertSignal.FailedSignIns:
                return Above(events.Count(AlertEventCounters.FailedSignIns, window), threshold);
            case AlertSignal.Lockouts:
                return Above(events.Count(AlertEventCounters.LockedOut, window), threshold);
            case AlertSignal.RateLimitedRequests:
                return Above(events.Largest(AlertEventCounters.RateLimitedPrefix, window).Count, threshold);
            default:
                return null;
        }
    }

    private static Measurement Above(double value, double threshold) => new(value, value > threshold);

    private StatsCell? Requests(TimeSpan window) => _requests?.Window(window) is { Latency.Count: > 0 } cell ? cell : null;

    private double? ErrorRatio(TimeSpan window) =>
        Requests(window) is { } cell && cell.Latency.Count >= MinimumRequests ? (double)cell.Errors / cell.Latency.Count : null;

    private StatsCell? Queries(TimeSpan window)
    {
        if (_queries is null)
        {
            return null;
        }
        lock (_queries.Gate)
        {
            var now = clock.GetUtcNow();
            var ring = _queries.Minutes;
            var cell = ring.Sum(ring.IndexOf(now - window) + 1, ring.IndexOf(now)).GetValueOrDefault(QueryMonitor.Overall);
            return cell is { Latency.Count: > 0 } ? cell : null;
        }
    }
}
