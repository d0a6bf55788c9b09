using System.Globalization;
using Shepherd.Data;
using Shepherd.Data.Alerting;

namespace Shepherd.Operations.Alerting;

/// <summary>
/// Every alert rule, once. Prometheus gets them from <c>shepherd config render prometheus-rules</c>
/// (<see cref="PrometheusRules"/>); the built-in evaluator will evaluate the same records. The thresholds are the
/// requirements' (DESIGN.md, "One catalogue, two evaluators"); the availability objective comes from settings.
/// Metric names are those of <c>/metrics</c> (docs/operations/monitoring.md).
/// </summary>
public static class AlertRuleCatalogue
{
    /// <summary>The label naming a rule's area; the Prometheus rule group is <c>shepherd-&lt;area&gt;</c>.</summary>
    public const string AreaLabel = "area";

    private const string Requests = "http_server_request_duration_seconds";
    private const string ServerErrors = "http_response_status_code=~\"5..\"";

    /// <exception cref="SettingsException">The availability objective is not between 0 and 1.</exception>
    public static IReadOnlyList<AlertRule> Create(AlertingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!(options.AvailabilityObjective is > 0 and < 1))
        {
            throw new SettingsException(
                $"{AlertingOptions.Section}:AvailabilityObjective is {options.AvailabilityObjective.ToString(CultureInfo.InvariantCulture)}: it must be between 0 and 1 (e.g. 0.995 for 99.5 %).");
        }
        // Rounded so that 1 - 0.995 is written 0.005, not 0.0050000000000000044.
        var budget = Math.Round(1 - options.AvailabilityObjective, 12);
        var objective = (options.AvailabilityObjective * 100).ToString("G15", CultureInfo.InvariantCulture) + " %";
        return
        [
            Rule("CriticalErrorRate", AlertSeverity.P0, "availability", TimeSpan.FromMinutes(1), new(0.10, ThresholdUnit.Ratio), AlertSignal.ErrorRatio,
                ErrorRatio("2m") + " > {threshold}",
                "More than 10 % of requests fail",
                "{{ $value | humanizePercentage }} of requests to {{ $labels.job }} answered 5xx over the last 2 minutes (threshold {threshold}).").Over(TimeSpan.FromMinutes(2)),
            Rule("HighErrorRate", AlertSeverity.P1, "availability", TimeSpan.FromMinutes(5), new(0.05, ThresholdUnit.Ratio), AlertSignal.ErrorRatio,
                ErrorRatio("5m") + " > {threshold}",
                "More than 5 % of requests fail",
                "{{ $value | humanizePercentage }} of requests to {{ $labels.job }} answered 5xx over the last 5 minutes (threshold {threshold}).").Over(TimeSpan.FromMinutes(5)),
            Rule("ErrorBudgetFastBurn", AlertSeverity.P0, "availability", TimeSpan.FromMinutes(2), new(14.4, ThresholdUnit.Factor), AlertSignal.ErrorBudgetBurn,
                $"({ErrorRatio("1h")} > ({{threshold}} * {Number(budget)})) and ({ErrorRatio("5m")} > ({{threshold}} * {Number(budget)}))",
                "The error budget burns 14.4 times too fast",
                $"Over the last hour and the last 5 minutes {{{{ $labels.job }}}} failed more than 14.4 times the rate the {objective} availability objective allows: at this pace a 30-day budget is gone in about 2 days.").Over(TimeSpan.FromMinutes(60), TimeSpan.FromMinutes(5)),
            Rule("ErrorBudgetSlowBurn", AlertSeverity.P1, "availability", TimeSpan.FromMinutes(15), new(6, ThresholdUnit.Factor), AlertSignal.ErrorBudgetBurn,
                $"({ErrorRatio("6h")} > ({{threshold}} * {Number(budget)})) and ({ErrorRatio("30m")} > ({{threshold}} * {Number(budget)}))",
                "The error budget burns 6 times too fast",
                $"Over the last 6 hours and the last 30 minutes {{{{ $labels.job }}}} failed more than 6 times the rate the {objective} availability objective allows: at this pace a 30-day budget is gone in 5 days.").Over(TimeSpan.FromMinutes(360), TimeSpan.FromMinutes(30)),
            Rule("DatabaseDown", AlertSeverity.P0, "database", TimeSpan.FromMinutes(1), new(0, ThresholdUnit.Count), AlertSignal.DatabaseHealth,
                "up{job=\"shepherd\"} == {threshold}",
                "Shepherd cannot be reached (database or process down)",
                "Prometheus could not scrape {{ $labels.instance }} for a minute. Shepherd exports no database-health metric yet, so this rule stands in for \"database unreachable\"; the built-in evaluator reads the database health check itself."),
            Rule("SlowDatabaseQueries", AlertSeverity.P2, "database", TimeSpan.FromMinutes(5), new(1, ThresholdUnit.Seconds), AlertSignal.DatabaseQueryP95,
                $"histogram_quantile(0.95, sum by (job, le) (rate(shepherd_db_command_duration_seconds_bucket[5m]))) > {{threshold}}",
                "Database commands are slow (p95 over 1 s)",
                "The 95th percentile of database command duration on {{ $labels.job }} is {{ $value | humanizeDuration }} (threshold {threshold}).").Over(TimeSpan.FromMinutes(5)),
            Rule("HighLatencyP95", AlertSeverity.P2, "latency", TimeSpan.FromMinutes(5), new(0.5, ThresholdUnit.Seconds), AlertSignal.RequestLatencyP95,
                $"histogram_quantile(0.95, sum by (job, le) (rate({Requests}_bucket[5m]))) > {{threshold}}",
                "Requests are slow (p95 over 500 ms)",
                "The 95th percentile of request duration on {{ $labels.job }} is {{ $value | humanizeDuration }} (threshold {threshold}).").Over(TimeSpan.FromMinutes(5)),
            Rule("HighMeanResponseTime", AlertSeverity.P1, "latency", TimeSpan.FromMinutes(5), new(2, ThresholdUnit.Seconds), AlertSignal.RequestLatencyMean,
                $"sum by (job) (rate({Requests}_sum[5m])) / sum by (job) (rate({Requests}_count[5m])) > {{threshold}}",
                "Requests take over 2 s on average",
                "The mean request duration on {{ $labels.job }} is {{ $value | humanizeDuration }} (threshold {threshold}).").Over(TimeSpan.FromMinutes(5)),
            Rule("VerySlowResponses", AlertSeverity.P1, "latency", TimeSpan.FromMinutes(5), new(5, ThresholdUnit.Seconds), AlertSignal.SlowRequests,
                $"sum by (job) (rate({Requests}_count[5m])) - sum by (job) (rate({Requests}_bucket{{le=\"{{threshold}}\"}}[5m])) > 0",
                "Requests take longer than 5 s",
                "{{ $labels.job }} has answered requests slower than 5 s for 5 minutes ({{ $value | humanize }} per second). The threshold must be a histogram bucket boundary (1, 2.5, 5, 7.5, 10).").Over(TimeSpan.FromMinutes(5)),
            Rule("HighCpuUsage", AlertSeverity.P2, "resources", TimeSpan.FromMinutes(10), new(0.80, ThresholdUnit.Ratio), AlertSignal.CpuShare,
                "sum by (job, instance) (rate(process_cpu_time_seconds_total[5m])) / on (job, instance) max by (job, instance) (dotnet_process_cpu_count) > {threshold}",
                "CPU over 80 %",
                "{{ $labels.instance }} uses {{ $value | humanizePercentage }} of its processors (threshold {threshold}).").Over(TimeSpan.FromMinutes(5)),
            Rule("HighMemoryUsage", AlertSeverity.P2, "resources", TimeSpan.FromMinutes(10), new(0.80, ThresholdUnit.Ratio), AlertSignal.MemoryShare,
                MemoryShare + " > {threshold}",
                "Memory over 80 % of the limit",
                "{{ $labels.instance }} uses {{ $value | humanizePercentage }} of its memory limit (threshold {threshold})."),
            Rule("CriticalMemoryUsage", AlertSeverity.P1, "resources", TimeSpan.FromMinutes(5), new(0.85, ThresholdUnit.Ratio), AlertSignal.MemoryShare,
                MemoryShare + " > {threshold}",
                "Memory over 85 % of the limit",
                "{{ $labels.instance }} uses {{ $value | humanizePercentage }} of its memory limit (threshold {threshold}): it may soon be killed for running out of memory."),
            Rule("DiskAlmostFull", AlertSeverity.P1, "resources", TimeSpan.FromMinutes(5), new(0.90, ThresholdUnit.Ratio), AlertSignal.DiskUsedShare,
                "1 - shepherd_disk_available_bytes / shepherd_disk_size_bytes > {threshold}",
                "The data folder's disk is over 90 % full",
                "The drive holding the data folder of {{ $labels.instance }} is {{ $value | humanizePercentage }} full (threshold {threshold})."),
            Rule("BackupTooOld", AlertSeverity.P1, "operations", TimeSpan.FromMinutes(5), new(26 * 3600, ThresholdUnit.Seconds), AlertSignal.BackupAge,
                "max by (job) (shepherd_backup_last_success_age_seconds) > {threshold}",
                "No successful backup for 26 hours",
                "The newest verified backup of {{ $labels.job }} is {{ $value | humanizeDuration }} old (threshold {threshold})."),
            Rule("BackgroundJobFailing", AlertSeverity.P2, "operations", TimeSpan.Zero, new(0, ThresholdUnit.Count), AlertSignal.JobFailures,
                "sum by (job, exported_job) (increase(shepherd_jobs_runs_total{outcome=\"failed\"}[1h])) > {threshold}",
                "A background job failed",
                "The background job {{ $labels.exported_job }} failed {{ $value | humanize }} times in the last hour.").Over(TimeSpan.FromMinutes(60)),
            Rule("MailFailures", AlertSeverity.P2, "operations", TimeSpan.Zero, new(0, ThresholdUnit.Count), AlertSignal.MailFailures,
                "sum by (job) (increase(shepherd_mail_messages_total{outcome=\"failed\"}[15m])) > {threshold}",
                "E-mails cannot be sent",
                "{{ $value | humanize }} e-mails (invitations, confirmations, reset links) failed to send in the last 15 minutes.").Over(TimeSpan.FromMinutes(15)),
            Rule("FailedSignInBurst", AlertSeverity.P2, "security", TimeSpan.Zero, new(20, ThresholdUnit.Count), AlertSignal.FailedSignIns,
                "sum by (job) (increase(shepherd_security_signins_total{outcome=\"failed\"}[5m])) > {threshold}",
                "Burst of failed sign-ins",
                "{{ $value | humanize }} sign-ins failed in the last 5 minutes (threshold {threshold}): password guessing is likely.").Over(TimeSpan.FromMinutes(5)),
            Rule("AccountLockouts", AlertSeverity.P3, "security", TimeSpan.Zero, new(3, ThresholdUnit.Count), AlertSignal.Lockouts,
                "sum by (job) (increase(shepherd_security_signins_total{outcome=\"locked_out\"}[15m])) > {threshold}",
                "Several accounts locked out",
                "{{ $value | humanize }} sign-ins met a locked-out account in the last 15 minutes (threshold {threshold}).").Over(TimeSpan.FromMinutes(15)),
            Rule("RequestRateLimited", AlertSeverity.P2, "security", TimeSpan.FromMinutes(5), new(50, ThresholdUnit.Count), AlertSignal.RateLimitedRequests,
                "sum by (job, policy) (increase(shepherd_security_rate_limited_total[5m])) > {threshold}",
                "Unusual request rate: many requests rate-limited",
                "{{ $value | humanize }} requests were refused by the {{ $labels.policy }} rate limit in the last 5 minutes (threshold {threshold}): one client is sending far more than people do.").Over(TimeSpan.FromMinutes(5)),
        ];
    }

    private const string MemoryShare =
        "max by (job, instance) (dotnet_process_memory_working_set_bytes) / on (job, instance) max by (job, instance) (shepherd_memory_limit_bytes)";

    private static string ErrorRatio(string window) =>
        $"(sum by (job) (rate({Requests}_count{{{ServerErrors}}}[{window}])) / sum by (job) (rate({Requests}_count[{window}])))";

    private static string Number(double value) => value.ToString("G15", CultureInfo.InvariantCulture);

    private static AlertRule Rule(
        string name, AlertSeverity severity, string area, TimeSpan @for, AlertThreshold threshold, AlertSignal signal,
        string expression, string summary, string description) =>
        new(name, severity, summary, description, @for, threshold, expression, signal,
            new Dictionary<string, string> { [AreaLabel] = area });
}
