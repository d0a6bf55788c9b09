namespace Shepherd.Operations.Alerting;

/// <summary>
/// What the built-in evaluator (not built yet) will measure for a rule, in-process, from the same sources as
/// <c>/api/monitoring/*</c> (RequestMonitor, QueryMonitor, RuntimeSampler via MonitoringReports) and the health checks.
/// Each value is compared with the rule's threshold in the rule's unit; "above" means the condition holds.
/// </summary>
public enum AlertSignal
{
    /// <summary>Share of requests answered 5xx over the rule's window (RequestMonitor).</summary>
    ErrorRatio,

    /// <summary>95th percentile of request duration, seconds (RequestMonitor's latency histogram).</summary>
    RequestLatencyP95,

    /// <summary>Mean request duration, seconds (RequestMonitor).</summary>
    RequestLatencyMean,

    /// <summary>Requests per second that took longer than the threshold (RequestMonitor's latency histogram).</summary>
    SlowRequests,

    /// <summary>The "database" health check: 0 healthy, 1 degraded, 2 unhealthy (the rule fires on unhealthy).</summary>
    DatabaseHealth,

    /// <summary>95th percentile of database command duration, seconds (QueryMonitor).</summary>
    DatabaseQueryP95,

    /// <summary>Process CPU time per second divided by the processor count (RuntimeSampler).</summary>
    CpuShare,

    /// <summary>Working set divided by the memory limit (the "memory" health check's measurement).</summary>
    MemoryShare,

    /// <summary>Used share of the data folder's drive (the "disk" health check's measurement).</summary>
    DiskUsedShare,

    /// <summary>Seconds since the newest verified backup (BackupStatus, as the "backups" health check reads it).</summary>
    BackupAge,

    /// <summary>Failed background job runs within the window (the job run log, as the "jobs" health check reads it).</summary>
    JobFailures,

    /// <summary>Failed sign-ins within the window (the Shepherd.Security meter's counter).</summary>
    FailedSignIns,

    /// <summary>Sign-ins refused because the account is locked out, within the window.</summary>
    Lockouts,

    /// <summary>Requests refused by a rate-limit policy within the window.</summary>
    RateLimitedRequests,

    /// <summary>E-mails that could not be sent within the window (the Shepherd.Mail meter's counter).</summary>
    MailFailures,

    /// <summary>How many times faster than the availability objective allows the error budget is being spent (both windows).</summary>
    ErrorBudgetBurn,
}
